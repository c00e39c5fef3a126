"""Shared pytest set-up. Fixture modules live in tests/support/ and are listed here."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# PySide6 6.12 on Python 3.11 loses a reference to None per void Qt call; without this
# guard a long GUI test session aborts with "none_dealloc" (see appkit/qt_guard.py).
from appkit.qt_guard import protect_none

protect_none()

# Add a module here when you add one under tests/support/.
pytest_plugins: list[str] = [
    "tests.support.mosquitto",
    "tests.support.live_server",
    "tests.support.postgres",
]
