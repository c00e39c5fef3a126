"""Screens of the terminal with live data: login, serving, empty queue, paused, rating.

Each is saved under the test's tmp dir and checked to be drawn; with
``QMS_DOCS_IMG=docs/img`` set they are also written there for docs/counter.md.
"""

import os
from pathlib import Path

import pytest
from PIL import Image

from counter.app import AppOptions, CounterApp
from counter.views.theme import install_fonts
from server.contract.vocab import CounterState, Rating, TicketStatus
from tests.counter.conftest import issue, settings_for, terminal_ready, vm_of

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def save(widget, name: str, tmp_path: Path) -> Path:
    widget.repaint()
    path = tmp_path / f"counter-{name}.png"
    assert widget.grab().save(str(path), "PNG")
    with Image.open(path) as image:
        assert len(image.getcolors(1 << 16) or []) > 50, f"{name} looks blank"
    target = os.environ.get("QMS_DOCS_IMG")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(target) / path.name), "PNG")
    return path


def act(qtbot, vm, action: str) -> None:
    with qtbot.waitSignal(vm.action_done, timeout=10000):
        vm.act(action)


def test_screens(qtbot, qapp, live_server, store, tmp_path):
    install_fonts(qapp)
    app = CounterApp(
        AppOptions(settings=settings_for(live_server), store=store, retry_delays_ms=(), probe_ms=0)
    )
    qtbot.addWidget(app.window)
    app.window.resize(1280, 800)
    app.show()
    try:
        username, password = live_server.clerks["2"]
        view = app.login_view
        view.username.setText(username)
        view.password.setText(password)
        view.login_button.click()
        qtbot.waitUntil(view.picker.isVisible, timeout=10000)
        view.counter.setCurrentIndex(view.counter.findData("2"))
        save(app.window, "login", tmp_path)
        view.start_button.click()
        qtbot.waitUntil(lambda: terminal_ready(app), timeout=10000)
        vm = vm_of(app)
        save(app.window, "empty", tmp_path)

        # A morning's work: two citizens served and rated.
        for rating in (Rating.VERY_SATISFIED, Rating.SATISFIED):
            issue(live_server, "tp-hotich")
            qtbot.waitUntil(lambda: len(vm.next_up) == 1)
            for action in ("call-next", "start", "finish"):
                act(qtbot, vm, action)
            if rating == Rating.SATISFIED:
                assert app.rating is not None
                qtbot.waitUntil(app.rating.isVisible)
                save(app.rating, "rating", tmp_path)
            vm.rate(rating)
            qtbot.waitUntil(lambda: vm.rating_ticket is None)
        # One stepped away (parked), and the queue fills up.
        issue(live_server, "tp-chungthuc")
        qtbot.waitUntil(lambda: len(vm.next_up) == 1)
        act(qtbot, vm, "call-next")
        act(qtbot, vm, "park")
        for service, priority in (
            ("tp-hotich", "elderly"),
            ("tp-hotich", None),
            ("tp-lltp", None),
            ("tp-hotich", "disabled"),
            ("tp-chungthuc", None),
            ("tp-quoctich", None),
        ):
            issue(live_server, service, priority)
        qtbot.waitUntil(lambda: len(vm.next_up) == 5)
        act(qtbot, vm, "call-next")
        act(qtbot, vm, "recall")
        qtbot.waitUntil(lambda: vm.current is not None and vm.current.call_count == 2)
        qtbot.waitUntil(lambda: vm.day is not None and vm.day.served == 2)
        assert vm.current.priority and vm.current.status == TicketStatus.CALLED
        app.rating and app.rating.hide()
        save(app.window, "serving", tmp_path)

        act(qtbot, vm, "start")
        act(qtbot, vm, "finish")
        vm.skip_rating()
        act(qtbot, vm, "pause")
        qtbot.waitUntil(lambda: vm.counter is not None and vm.counter.state == CounterState.PAUSED)
        save(app.window, "paused", tmp_path)
    finally:
        app.shutdown()


def test_pin_login_screen(qtbot, qapp, live_server, store, tmp_path):
    """The login page of a registered counter PC that knows its counter: the PIN pad."""
    install_fonts(qapp)
    app = CounterApp(
        AppOptions(
            settings=settings_for(live_server, counter="2"),
            store=store,
            retry_delays_ms=(),
            probe_ms=0,
            device_token=live_server.tokens["counter-pc-2"],
        )
    )
    qtbot.addWidget(app.window)
    app.window.resize(1280, 800)
    app.show()
    try:
        view = app.login_view
        assert view.pin_mode and view.pin_page.isVisible()
        for key in "02":
            view.digits[key].click()
        save(app.window, "login-pin", tmp_path)
        pad = view.digits["5"]
        assert pad.height() >= 60 and pad.width() >= 120  # a finger's target
        assert view.pin_button.height() >= 80
    finally:
        app.shutdown()
