"""The terminal window fed by snapshots alone, and with the server out of reach.

The server here is a closed port on 127.0.0.1: a real "connection refused".
"""

import socket

import pytest
from PySide6.QtWidgets import QLabel

from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.viewmodel import CounterViewModel
from counter.views.terminal import TerminalView
from server.contract.http import ServiceOut, TransferIn
from server.contract.vocab import APPOINTMENT_PRIORITY, CounterState, TicketStatus
from tests.counter.samples import brief, snapshot

pytestmark = pytest.mark.gui


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def offline(qtbot):
    client = CounterClient(f"http://127.0.0.1:{closed_port()}", token="t", timeout_s=2)
    worker = OffThread(in_order=True)
    vm = CounterViewModel(client, worker, "hcm-main", "5", retry_delays_ms=(), probe_ms=0)
    view = TerminalView(vm)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    yield vm, view
    worker.shutdown()
    client.close()


def test_snapshot_shows_ticket_queue_and_parked(offline):
    vm, view = offline
    current = brief(
        "1023", status=TicketStatus.CALLED, priority="elderly", waited_s=754, call_count=2
    )
    vm.apply_snapshot(
        snapshot(
            current=current,
            next_up=[brief("1024"), brief("1025", priority="disabled")],
            parked=[brief("1011", status=TicketStatus.PARKED)],
            waiting=7,
        )
    )
    vm.set_live(True)
    assert view.ticket.number.text() == "1023"
    assert view.ticket.field.text() == "Hộ tịch"
    assert view.ticket.priority.isVisible()
    assert "12 phút" in view.ticket.details.text()
    assert "Lần gọi: 2" in view.ticket.details.text()
    assert view.ticket.buttons["recall"].isEnabled()
    assert view.ticket.buttons["start"].isEnabled()
    assert not view.banner.isVisible()
    assert set(view.queue.parked_buttons) == {"id-1011"}
    assert view.queue.parked_buttons["id-1011"].isEnabled()
    box = view.queue.next_box
    texts = [box.itemAt(i).widget().text() for i in range(box.count())]
    assert texts[0].startswith("1024") and texts[1].startswith("★ 1025")
    assert "Chờ lâu nhất: 12 phút" in view.queue.longest.text()


def test_an_appointment_reads_as_one_not_as_its_code(offline, qtbot):
    vm, view = offline
    vm.apply_snapshot(
        snapshot(
            current=brief("1023", status=TicketStatus.CALLED, priority=APPOINTMENT_PRIORITY),
            next_up=[brief("1024", priority=APPOINTMENT_PRIORITY)],
            parked=[brief("1011", status=TicketStatus.PARKED, priority=APPOINTMENT_PRIORITY)],
        )
    )
    vm.set_live(True)
    assert vm.priority_name(APPOINTMENT_PRIORITY) == "Lịch hẹn"
    assert view.ticket.priority.text() == "★ Ưu tiên: Lịch hẹn"
    next_line = view.queue.next_box.itemAt(0).widget().text()
    parked_line = view.queue.parked_box.itemAt(0).widget().findChild(QLabel).text()
    lines = [next_line, parked_line]
    assert all(line.startswith("★ 10") and "·  Lịch hẹn  ·" in line for line in lines)
    assert not any(APPOINTMENT_PRIORITY in line for line in [*lines, view.ticket.priority.text()])
    english = CounterViewModel(vm.client, vm.worker, "hcm-main", "5", language="en", probe_ms=0)
    assert english.priority_name(APPOINTMENT_PRIORITY) == "Appointment"


def test_empty_queue_and_no_ticket(offline):
    vm, view = offline
    vm.apply_snapshot(snapshot(waiting=0))
    vm.set_live(True)
    assert "Gọi số tiếp theo" in view.ticket.number.text()
    assert view.ticket.call_next.isEnabled()
    assert not view.ticket.buttons["finish"].isEnabled()
    assert view.queue.longest.text() == "Không có ai đang chờ"


def test_paused_counter_offers_resume_only(offline):
    vm, view = offline
    vm.apply_snapshot(snapshot(state=CounterState.PAUSED))
    vm.set_live(True)
    assert view.banner.isVisible() and "tạm nghỉ" in view.banner.text()
    assert not view.ticket.call_next.isEnabled()
    assert view.pause_button.text().startswith("Mở lại quầy")


def test_lost_mqtt_is_said_not_hidden(offline):
    vm, view = offline
    vm.apply_snapshot(snapshot())
    assert view.banner.isVisible() and view.banner.text().startswith("Đang kết nối")
    vm.set_live(True)
    assert not view.banner.isVisible()
    vm.set_live(False)
    assert view.banner.isVisible() and view.banner.text().startswith("Mất cập nhật")


def test_unreachable_server_keeps_the_ticket_and_the_key(offline, qtbot):
    vm, view = offline
    current = brief("1023", status=TicketStatus.SERVING, call_count=1)
    vm.apply_snapshot(snapshot(current=current))
    vm.set_live(True)
    with qtbot.waitSignal(vm.action_done) as done:
        view.ticket.buttons["finish"].click()
    assert done.args == ["finish", "unreachable"]
    assert view.banner.isVisible() and "Không kết nối được máy chủ" in view.banner.text()
    assert view.retry_button.isVisible()
    assert view.ticket.number.text() == "1023"
    kept = vm.intents.first_unanswered()
    assert kept is not None and kept.action == "finish"
    with qtbot.waitSignal(vm.action_done):
        view.retry_button.click()
    again = vm.intents.first_unanswered()
    assert again is not None and again.key == kept.key and again.attempts == 2
    with qtbot.waitSignal(vm.action_done):
        view.ticket.buttons["finish"].click()
    third = vm.intents.first_unanswered()
    assert third is not None and third.key == kept.key


def test_a_press_in_flight_disables_its_button(offline, qtbot):
    vm, view = offline
    vm.apply_snapshot(snapshot())
    vm.set_live(True)
    button = view.ticket.call_next
    with qtbot.waitSignal(vm.action_done):
        button.click()
        assert not button.isEnabled()
        assert vm.busy("call-next")
        assert not vm.act("call-next")
    assert button.isEnabled()


def test_snapshot_of_another_counter_is_ignored(offline):
    vm, view = offline
    vm.apply_snapshot(snapshot(counter_id="6", current=brief("9999", status=TicketStatus.CALLED)))
    assert vm.counter is None
    assert view.ticket.number.text() != "9999"


def test_parked_tickets_wait_while_paused(offline):
    vm, view = offline
    vm.apply_snapshot(
        snapshot(state=CounterState.PAUSED, parked=[brief("1011", status=TicketStatus.PARKED)])
    )
    assert not view.queue.parked_buttons["id-1011"].isEnabled()


def test_logout_without_server_warns_the_clerk(offline, qtbot):
    vm, _view = offline
    warnings: list[str] = []
    with qtbot.waitSignal(vm.logged_out):
        vm.logout(on_done=warnings.append)
    assert warnings and "quầy có thể vẫn hiện đang mở" in warnings[0]


def test_english_screen(qtbot):
    client = CounterClient("http://127.0.0.1:9", token="t")
    worker = OffThread(in_order=True)
    vm = CounterViewModel(client, worker, "hcm-main", "5", language="en", probe_ms=0)
    view = TerminalView(vm)
    qtbot.addWidget(view)
    vm.apply_snapshot(
        snapshot(
            current=brief("1023", status=TicketStatus.SERVING, waited_s=3900, call_count=1),
            parked=[brief("1011", status=TicketStatus.PARKED)],
        )
    )
    vm.set_live(True)
    assert view.ticket.field.text() == "Civil status"
    assert "Waited: 1 h 05 min" in view.ticket.details.text()
    assert view.ticket.status.text() == "Serving"
    assert view.ticket.call_next.text().startswith("Call next")
    assert view.pause_button.text() == "Pause (F9)"
    worker.shutdown()
    client.close()


def test_requests_after_shutdown_are_dropped_quietly(offline):
    vm, _view = offline
    vm.worker.shutdown()
    future = vm.worker.run(lambda: 1, lambda _result: None, lambda _error: None)
    assert future.cancelled()
    vm.refresh()  # a late timer: no error, nothing sent


def test_the_site_default_for_transfers_follows_the_snapshots(offline):
    vm, _view = offline
    assert vm.transfer_keeps_place  # no snapshot yet: the engine's default, keep
    vm.apply_snapshot(snapshot(transfer_keeps_place=False))
    assert not vm.transfer_keeps_place
    vm.apply_snapshot(snapshot(seq=2, counter_id="6", transfer_keeps_place=True))
    assert not vm.transfer_keeps_place  # another counter's snapshot changes nothing
    vm.apply_snapshot(snapshot(seq=3, transfer_keeps_place=True))
    assert vm.transfer_keeps_place


def test_the_transfer_form_opens_on_keep_before_any_snapshot(offline):
    _vm, view = offline
    dialog = view.open_transfer()
    assert dialog.keep_place.isChecked() and not dialog.to_front.isChecked()
    dialog.reject()


def with_another_field(vm: CounterViewModel) -> None:
    """The menu the terminal reads over HTTP, here without a server: one more field."""
    vm.names.services = {
        "CT-01": ServiceOut(
            code="CT-01",
            department="tp",
            name_vi="Chứng thực",
            name_en="Certification",
            open=True,
            waiting=0,
            estimated_wait_s=0,
            counters=[5],
        )
    }


@pytest.mark.parametrize("site_keeps", [True, False])
def test_the_transfer_form_preselects_the_site_default(offline, qtbot, site_keeps):
    vm, view = offline
    with_another_field(vm)
    called = brief("1023", status=TicketStatus.CALLED, call_count=1)
    vm.apply_snapshot(snapshot(current=called, transfer_keeps_place=site_keeps))
    dialog = view.open_transfer()
    assert dialog.keep_place.isChecked() is site_keeps
    assert dialog.to_front.isChecked() is not site_keeps
    dialog.choose_field("CT-01")
    with qtbot.waitSignal(vm.action_done):
        dialog.findChild(type(view.ticket.call_next), "ok").click()
    sent = vm.intents.first_unanswered()
    assert sent is not None and isinstance(sent.body, TransferIn)
    assert sent.body.keep_place is site_keeps and sent.body.to_service == "CT-01"


def test_the_clerk_can_override_the_site_default(offline, qtbot):
    vm, view = offline
    with_another_field(vm)
    called = brief("1023", status=TicketStatus.CALLED, call_count=1)
    vm.apply_snapshot(snapshot(current=called, transfer_keeps_place=False))
    dialog = view.open_transfer()
    dialog.keep_place.click()
    assert dialog.keep_place.isChecked() and not dialog.to_front.isChecked()
    dialog.choose_field("CT-01")
    with qtbot.waitSignal(vm.action_done):
        dialog.findChild(type(view.ticket.call_next), "ok").click()
    sent = vm.intents.first_unanswered()
    assert sent is not None and isinstance(sent.body, TransferIn)
    assert sent.body.keep_place is True
