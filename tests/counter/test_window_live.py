"""The real terminal window, offscreen, against the real server and broker.

A whole service: call, start, transfer, finish (then the citizen's rating),
no-show; a double click that calls once; a refusal shown with the server's message.
"""

import pytest
from PySide6.QtCore import Qt

from counter.texts import RATINGS
from server.contract.vocab import CounterState, Rating, TicketStatus
from tests.counter.conftest import issue, vm_of

pytestmark = pytest.mark.gui

FIELD = "tp-hotich"  # served by counters 1..6
OTHER_FIELD = "tp-lltp"


def current_number(app) -> str:
    return app.terminal.ticket.number.text()


def test_a_whole_service(qtbot, live_server, terminal):
    vm = vm_of(terminal)
    view = terminal.terminal
    first = issue(live_server, FIELD)
    second = issue(live_server, FIELD)
    third = issue(live_server, FIELD)
    qtbot.waitUntil(lambda: len(vm.next_up) == 3)

    # Call: the first ticket, shown with its field; the LED-like state follows MQTT.
    view.ticket.call_next.click()
    qtbot.waitUntil(lambda: current_number(terminal) == first["number"])
    assert view.ticket.field.text() == first["service_name_vi"]
    assert "Lần gọi: 1" in view.ticket.details.text()
    qtbot.waitUntil(lambda: [t.number for t in vm.next_up] == [second["number"], third["number"]])

    # Start, then transfer to another field with a note: the counter is free again.
    view.ticket.buttons["start"].click()
    qtbot.waitUntil(lambda: vm.current is not None and vm.current.status == TicketStatus.SERVING)
    view.ticket.buttons["transfer"].click()
    dialog = view.transfer_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.choose_field(OTHER_FIELD)
    dialog.note.setText("Cần lý lịch tư pháp")
    dialog.findChild(type(view.ticket.call_next), "ok").click()
    qtbot.waitUntil(lambda: vm.current is None)
    assert not dialog.isVisible()
    # The transferred ticket waits in its new field, with the same number and the note.
    qtbot.waitUntil(lambda: any(t.number == first["number"] for t in vm.next_up))
    moved = next(t for t in vm.next_up if t.number == first["number"])
    assert moved.service == OTHER_FIELD
    assert moved.transferred_from is not None

    # Call next (F1): the policy picks by field order, then wait.
    qtbot.keyClick(view, Qt.Key.Key_F1)
    qtbot.waitUntil(lambda: vm.current is not None)
    called = vm.current.number
    qtbot.keyClick(view, Qt.Key.Key_F3)  # start
    qtbot.waitUntil(lambda: vm.current is not None and vm.current.status == TicketStatus.SERVING)
    # Finish: the rating window opens; the citizen taps "very satisfied".
    view.ticket.buttons["finish"].click()
    qtbot.waitUntil(lambda: vm.current is None and terminal.rating.isVisible())
    terminal.rating.buttons[Rating.VERY_SATISFIED].click()
    qtbot.waitUntil(lambda: not terminal.rating.isVisible())
    qtbot.waitUntil(lambda: vm.day is not None and vm.day.served == 1 and vm.day.ratings == 1)
    assert vm.day.average_rating == 4
    assert view.day.values["served"].text() == "1"

    # Next ticket does not come: no-show.
    qtbot.keyClick(view, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: vm.current is not None and vm.current.number != called)
    view.ticket.buttons["no-show"].click()
    qtbot.waitUntil(lambda: vm.current is None)
    qtbot.waitUntil(lambda: vm.day is not None and vm.day.no_shows == 1)
    assert view.day.values["no_shows"].text() == "1"
    assert len(RATINGS) == 4


def test_double_click_calls_once(qtbot, live_server, terminal):
    vm = vm_of(terminal)
    button = terminal.terminal.ticket.call_next
    first = issue(live_server, FIELD)
    second = issue(live_server, FIELD)
    qtbot.waitUntil(lambda: len(vm.next_up) == 2)
    with qtbot.waitSignal(vm.action_done):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.mouseDClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: vm.current is not None and vm.current.number == first["number"])
    qtbot.waitUntil(lambda: [t.number for t in vm.next_up] == [second["number"]])
    assert not vm.intents.in_flight


def test_refusal_shows_the_servers_message(qtbot, live_server, terminal):
    vm = vm_of(terminal)
    view = terminal.terminal
    # Nothing is waiting: the server refuses and says so.
    with qtbot.waitSignal(vm.refused) as refused:
        view.ticket.call_next.click()
    assert refused.args[0]
    assert view.ticket.message.text() == refused.args[0]
    # Finish before start: refused by the state machine, message in Vietnamese.
    issue(live_server, FIELD)
    qtbot.waitUntil(lambda: len(vm.next_up) == 1)
    view.ticket.call_next.click()
    qtbot.waitUntil(lambda: vm.current is not None)
    assert view.ticket.message.text() == ""
    with qtbot.waitSignal(vm.refused) as refused:
        view.ticket.buttons["finish"].click()
    assert "trạng thái" in refused.args[0]
    assert vm.current is not None and vm.current.status == TicketStatus.CALLED


def test_park_resume_and_call_a_specific_number(qtbot, live_server, terminal):
    vm = vm_of(terminal)
    view = terminal.terminal
    first = issue(live_server, FIELD)
    second = issue(live_server, FIELD)
    qtbot.waitUntil(lambda: len(vm.next_up) == 2)
    view.ticket.call_next.click()
    qtbot.waitUntil(lambda: vm.current is not None and vm.current.number == first["number"])
    view.ticket.buttons["park"].click()
    qtbot.waitUntil(lambda: vm.current is None and first["id"] in view.queue.parked_buttons)

    # Call the second one by its number, with a reason.
    qtbot.keyClick(view, Qt.Key.Key_F8)
    dialog = view.call_dialog
    assert dialog is not None
    dialog.findChild(type(view.ticket.call_next), "ok").click()
    assert dialog.isVisible() and dialog.error.text()  # the number is required
    dialog.number.setText(second["number"])
    dialog.findChild(type(view.ticket.call_next), "ok").click()
    assert dialog.isVisible() and "lý do" in dialog.error.text()  # so is the reason
    dialog.reason.setText("Công dân đã chờ ở quầy khác")
    dialog.findChild(type(view.ticket.call_next), "ok").click()
    qtbot.waitUntil(lambda: vm.current is not None and vm.current.number == second["number"])
    view.ticket.buttons["no-show"].click()
    qtbot.waitUntil(lambda: vm.current is None)

    # Resume the parked one from the list.
    view.queue.parked_buttons[first["id"]].click()
    qtbot.waitUntil(lambda: vm.current is not None and vm.current.number == first["number"])
    qtbot.waitUntil(lambda: not vm.parked)


def test_pause_resume_and_logout_pauses(qtbot, live_server, terminal):
    vm = vm_of(terminal)
    view = terminal.terminal
    qtbot.keyClick(view, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: vm.counter is not None and vm.counter.state == CounterState.PAUSED)
    assert view.banner.isVisible() and not view.ticket.call_next.isEnabled()
    view.pause_button.click()
    qtbot.waitUntil(lambda: vm.counter is not None and vm.counter.state == CounterState.OPEN)
    assert view.ticket.call_next.isEnabled()

    view.logout_button.click()
    qtbot.waitUntil(lambda: terminal.window.stack.currentWidget() is terminal.login_view)
    from counter.client import CounterClient

    reader = CounterClient(live_server.base_url)
    state = next(c for c in reader.counters(live_server.site).counters if c.counter.id == "2")
    reader.close()
    assert state.counter.state == CounterState.PAUSED
    assert terminal.client.token is None
    assert terminal.login_view.error.text() == ""  # the server heard the logout


def test_an_ended_session_goes_back_to_login(qtbot, live_server, terminal):
    from counter.client import CounterClient

    vm = vm_of(terminal)
    # The session ends elsewhere (a supervisor, an expiry): the token no longer works.
    other = CounterClient(live_server.base_url, token=terminal.client.token)
    other.logout(live_server.site, "2")
    other.close()
    terminal.terminal.ticket.call_next.click()
    qtbot.waitUntil(lambda: terminal.window.stack.currentWidget() is terminal.login_view)
    assert terminal.login_view.error.text() == "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại."
    assert vm.message  # the server's own words stay in the log and the old view-model


def test_space_in_a_form_types_a_space(qtbot, live_server, terminal):
    vm = vm_of(terminal)
    view = terminal.terminal
    issue(live_server, FIELD)
    qtbot.waitUntil(lambda: len(vm.next_up) == 1)
    qtbot.keyClick(view, Qt.Key.Key_F8)
    dialog = view.call_dialog
    assert dialog is not None
    # QTest types Latin-1 only; the point is the spaces.
    qtbot.keyClicks(dialog.reason, "quay lai sau")
    assert dialog.reason.text() == "quay lai sau"
    assert vm.current is None and not vm.busy("call-next")
    dialog.reject()
    qtbot.keyClick(view, Qt.Key.Key_Space)  # back on the terminal, Space calls
    qtbot.waitUntil(lambda: vm.current is not None)


def test_the_transfer_form_sends_the_citizen_to_the_front(qtbot, live_server, terminal):
    vm = vm_of(terminal)
    view = terminal.terminal
    waiting = issue(live_server, OTHER_FIELD)
    moving = issue(live_server, FIELD)
    qtbot.waitUntil(lambda: len(vm.next_up) == 2)
    with qtbot.waitSignal(vm.action_done, timeout=10000):
        vm.call_number(moving["number"], "thử chuyển lên đầu hàng")
    view.ticket.buttons["transfer"].click()
    dialog = view.transfer_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.keep_place.isChecked() and not dialog.to_front.isChecked()
    assert dialog.keep_place.text() == "Giữ thứ tự cũ" and dialog.to_front.text() == "Lên đầu hàng"
    dialog.to_front.click()
    dialog.choose_field(OTHER_FIELD)
    with qtbot.waitSignal(vm.action_done, timeout=10000) as done:
        dialog.findChild(type(view.ticket.call_next), "ok").click()
    assert done.args == ["transfer", "ok"]
    # Issued after the other one, it now waits before it.
    qtbot.waitUntil(lambda: [t.number for t in vm.next_up] == [moving["number"], waiting["number"]])
