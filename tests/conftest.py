"""Shared pytest set-up. Fixture modules live in tests/support/ and are listed here."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Add a module here when you add one under tests/support/.
pytest_plugins: list[str] = [
    "tests.support.mosquitto",
    "tests.support.live_server",
    "tests.support.postgres",
]
