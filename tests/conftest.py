"""Shared pytest set-up. Fixture modules live in tests/support/ and are listed here."""

import os
import sys
from collections.abc import Iterator

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# Add a module here when you add one under tests/support/.
pytest_plugins: list[str] = [
    "tests.support.mosquitto",
    "tests.support.live_server",
    "tests.support.postgres",
    "tests.support.newer_server",
]


@pytest.fixture(autouse=True)
def _qt_app_look_restored() -> Iterator[None]:
    """Each app sets its look on the one QApplication of the process (the counter's
    style sheet, the kiosk's font); put it back after a test, so the next app's test
    sees Qt's defaults as it would in its own process."""
    widgets = sys.modules.get("PySide6.QtWidgets")
    app = widgets.QApplication.instance() if widgets is not None else None
    before = (app.styleSheet(), app.font()) if app is not None else None
    yield
    widgets = sys.modules.get("PySide6.QtWidgets")
    app = widgets.QApplication.instance() if widgets is not None else None
    if app is None:
        return
    if before is None:  # the app was made during the test: back to the platform's look
        from PySide6.QtGui import QFontDatabase

        app.setStyleSheet("")
        app.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.GeneralFont))
    else:
        app.setStyleSheet(before[0])
        app.setFont(before[1])


@pytest.fixture(autouse=True)
def _server_key_pinned_per_test(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Each test's apps pin the server key in a file of their own: every test server
    makes a new key, and a pin left in the home directory would refuse the next one."""
    pin = tmp_path_factory.mktemp("pin") / "server-key.pin"
    before = os.environ.get("QMS_SERVER_KEY_FILE")
    os.environ["QMS_SERVER_KEY_FILE"] = str(pin)
    yield
    if before is None:
        os.environ.pop("QMS_SERVER_KEY_FILE", None)
    else:
        os.environ["QMS_SERVER_KEY_FILE"] = before
