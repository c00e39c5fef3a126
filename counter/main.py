"""Starts the terminal from parsed ``qms counter`` arguments (interactive or unattended).

Unattended (``--user NAME --password-stdin``) logs in and opens the counter
without the login page; ``--screenshot FILE`` then renders the terminal once with
live data, saves it and exits.
"""

import argparse
import logging
import os
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from counter.settings import TOKEN_ENV, SettingsStore, TerminalSettings, default_data_dir

if TYPE_CHECKING:
    from counter.app import CounterApp

log = logging.getLogger(__name__)

SCREENSHOT_WAIT_MS = 8000
POLL_MS = 100


def settings_from(args: argparse.Namespace, saved: TerminalSettings) -> TerminalSettings:
    """The saved settings, overridden by whatever the command line names."""
    settings = saved
    for name, value in (
        ("server", args.server),
        ("mqtt", args.mqtt),
        ("site", args.site),
        ("counter", args.counter),
        ("username", args.user),
        ("language", args.language),
    ):
        if value:
            settings = replace(settings, **{name: value})
    return settings


def _read_password(args: argparse.Namespace) -> str | None:
    if not args.password_stdin:
        return None
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def main(args: argparse.Namespace) -> int:
    if args.password_stdin and not args.user:
        print("qms counter: --password-stdin needs --user NAME", file=sys.stderr)
        return 2
    if args.screenshot and not (args.user and args.password_stdin):
        print("qms counter: --screenshot needs --user NAME --password-stdin", file=sys.stderr)
        return 2
    password = _read_password(args)
    if args.password_stdin and not password:
        print("qms counter: no password on standard input", file=sys.stderr)
        return 2

    from PySide6.QtWidgets import QApplication

    from counter.app import AppOptions, CounterApp
    from counter.devices import DevicePorts
    from counter.views.theme import install_fonts

    store = SettingsStore.in_dir(Path(args.data_dir) if args.data_dir else default_data_dir())
    settings = settings_from(args, store.load())
    ports = DevicePorts(
        keypad=args.keypad, rating_pad=args.rating_pad, led=args.led, address=args.bus_address
    )
    try:
        ports.check()
    except ValueError as exc:
        print(f"qms counter: {exc}", file=sys.stderr)
        return 2
    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(qt_app, QApplication)
    install_fonts(qt_app)
    options = AppOptions(
        settings=settings,
        store=store,
        devices=ports,
        rating_window=True if args.rating_window else None,
        read_only=bool(args.screenshot),
        device_token=args.device_token or os.environ.get(TOKEN_ENV) or None,
        server_key=args.server_key or os.environ.get("QMS_SERVER_KEY") or None,
        server_key_file=Path(args.server_key_file) if args.server_key_file else None,
        mqtt_ca=args.mqtt_ca or os.environ.get("QMS_MQTT_CA") or None,
    )
    app = CounterApp(options)
    outcome = {"code": 0}

    if password is not None:
        unattended(app, args.user, password, settings.counter, outcome)
    if args.screenshot:
        app.window.resize(1280, 800)
        screenshot_when_ready(app, Path(args.screenshot), outcome)
    else:
        app.show()
    code = qt_app.exec()
    app.shutdown()
    return outcome["code"] or code


def unattended(
    app: "CounterApp", user: str, password: str, counter: str | None, outcome: dict[str, int]
) -> None:
    """Log in and open ``counter`` (or the remembered/first one) without the login page."""
    from PySide6.QtWidgets import QApplication

    def loaded(_counters: list[object]) -> None:
        chosen = counter or app.login_vm.default_counter()
        if chosen is None:
            fail("the site has no counters")
            return
        app.login_vm.choose(chosen)

    def fail(message: str) -> None:
        log.error("unattended start failed: %s", message)
        print(f"qms counter: {message}", file=sys.stderr)
        if app.window.isVisible():
            return  # the login page shows the message; the clerk can type
        outcome["code"] = 1
        QApplication.quit()

    app.login_vm.counters_loaded.connect(loaded)
    app.login_vm.failed.connect(fail)
    app.login(user, password)


def screenshot_when_ready(app: "CounterApp", path: Path, outcome: dict[str, int]) -> None:
    """Once the terminal shows the counter, its queue and the day, save the window as PNG."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    waited = {"ms": 0}
    timer = QTimer(app)

    def ready() -> bool:
        vm = app.vm
        if vm is None or vm.counter is None or vm.day is None or not vm.services:
            return False
        return vm.live_ok or not app.options.live

    def tick() -> None:
        waited["ms"] += POLL_MS
        if app.vm is None:
            if waited["ms"] < SCREENSHOT_WAIT_MS * 2:
                return
            outcome["code"] = 1
            print("qms counter: could not log in for the screenshot", file=sys.stderr)
            timer.stop()
            QApplication.quit()
            return
        if not ready() and waited["ms"] < SCREENSHOT_WAIT_MS:
            return
        timer.stop()
        # Let the retained snapshot that arrives just after connecting reach the screen.
        QTimer.singleShot(300, save)

    def save() -> None:
        app.window.show()
        if app.terminal is not None:
            app.terminal.refresh()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not app.window.grab().save(str(path), "PNG"):
            print(f"qms counter: could not save {path}", file=sys.stderr)
            outcome["code"] = 1
        else:
            print(path)
        QApplication.quit()

    timer.timeout.connect(tick)
    timer.start(POLL_MS)
