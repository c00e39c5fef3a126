"""Fixtures of the counter tests: tickets from the kiosk API and a logged-in terminal."""

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from PySide6.QtWidgets import QApplication

from appkit.api_client import new_key
from counter.app import AppOptions, CounterApp
from counter.devices import DevicePorts
from counter.settings import SettingsStore, TerminalSettings
from counter.viewmodel import CounterViewModel
from tests.support.live_server import LiveServer


def issue(server: LiveServer, service: str, priority: str | None = None) -> dict[str, Any]:
    """Take a ticket as a kiosk does; returns the ticket as JSON."""
    response = httpx.post(
        f"{server.base_url}/api/v1/sites/{server.site}/tickets",
        json={"service": service, "priority": priority},
        headers={"Authorization": f"Bearer {server.kiosk_token}", "Idempotency-Key": new_key()},
        timeout=10,
    )
    response.raise_for_status()
    ticket: dict[str, Any] = response.json()
    return ticket


def settings_for(server: LiveServer, counter: str | None = None) -> TerminalSettings:
    return TerminalSettings(
        server=server.base_url,
        mqtt=server.mqtt_url("counter-pc-1"),
        site=server.site,
        counter=counter,
    )


def open_terminal(
    qtbot: Any,
    server: LiveServer,
    store: SettingsStore,
    counter: str,
    *,
    devices: DevicePorts | None = None,
) -> CounterApp:
    """Start the app, log in through the login page and open ``counter``."""
    options = AppOptions(
        settings=settings_for(server),
        store=store,
        devices=devices or DevicePorts(),
        retry_delays_ms=(),
        probe_ms=0,
    )
    app = CounterApp(options)
    qtbot.addWidget(app.window)
    app.show()
    username, password = server.clerks[counter]
    view = app.login_view
    view.username.setText(username)
    view.password.setText(password)
    view.login_button.click()
    qtbot.waitUntil(view.picker.isVisible, timeout=10000)
    view.counter.setCurrentIndex(view.counter.findData(counter))
    view.start_button.click()
    qtbot.waitUntil(lambda: terminal_ready(app), timeout=10000)
    # Keyboard shortcuts work in the active window, as on the clerk's screen.
    app.window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is app.window)
    return app


def terminal_ready(app: CounterApp) -> bool:
    vm = app.vm
    return (
        vm is not None
        and vm.live_ok
        and vm.counter is not None
        and vm.counter.state == "open"
        and vm.day is not None
        and bool(vm.services)
        and not vm.intents.in_flight
    )


@pytest.fixture
def store(tmp_path) -> SettingsStore:
    return SettingsStore.in_dir(tmp_path / "data")


@pytest.fixture
def terminal(qtbot, live_server, store) -> Iterator[CounterApp]:
    """Counter 2 (fields of the justice department), logged in as its clerk."""
    app = open_terminal(qtbot, live_server, store, "2")
    yield app
    app.shutdown()


def vm_of(app: CounterApp) -> CounterViewModel:
    assert app.vm is not None
    return app.vm
