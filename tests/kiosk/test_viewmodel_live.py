"""The view-model against the real server (SQLite, embedded broker) and the virtual printer."""

from datetime import UTC, datetime

from appkit.api_client import new_key
from appkit.mqtt_state import ConnectionState, Subscription
from hardware.cccd import parse_cccd
from kiosk.app import queue_feed
from kiosk.client import IssueRequest
from kiosk.state import PrintState, Screen
from server.contract import topics
from server.contract.http import TicketIn
from server.contract.messages import QueueSnapshot
from tests.kiosk.conftest import LosingTransport, kiosk_client, restart_server
from tests.kiosk.fake_api import ID_KEY, ID_TEXT


def choose(vm, department="tu-phap", service="tp-hotich", priority=None):
    vm.select_department(department)
    vm.select_service(service)
    assert vm.screen is Screen.PRIORITY, vm.message
    vm.choose_priority(priority)


def test_menu_ticket_and_print_on_the_real_server(make_vm, printer, live_server):
    vm = make_vm()
    vm.start()
    assert vm.menu is not None
    assert vm.site_name.startswith("Trung tâm Phục vụ hành chính công")
    assert len(vm.departments()) >= 10
    assert [c.code for c in vm.priority_categories()][:3] == ["elderly", "disabled", "pregnant"]
    choose(vm, priority="elderly")
    ticket = vm.ticket
    assert ticket is not None
    assert ticket.service == "tp-hotich"
    assert ticket.priority == "elderly"
    assert ticket.track_url.startswith("http")
    assert vm.print_state is PrintState.PRINTED
    assert len(list(printer.directory.glob("*.png"))) == 1
    fresh = vm.client.ticket(ticket.id)
    assert fresh.number == ticket.number


def test_the_same_key_gives_one_ticket(live_server):
    client = kiosk_client(live_server)
    request = IssueRequest(TicketIn(service="tp-hotich"))
    first = client.issue(request)
    again = client.issue(request)
    other = client.issue(IssueRequest(TicketIn(service="tp-hotich"), key=new_key()))
    client.close()
    assert again.id == first.id and again.number == first.number
    assert other.id != first.id


def test_a_lost_answer_is_retried_with_the_same_key_for_one_ticket(make_vm, printer):
    transport = LosingTransport(lose=1)
    vm = make_vm(transport=transport)
    vm.refresh()
    vm.poll_printer()
    choose(vm)
    assert vm.screen is Screen.TICKET
    assert len(transport.keys) == 2 and len(set(transport.keys)) == 1
    queue_numbers = {vm.ticket.number}
    assert len(queue_numbers) == 1
    assert vm.ticket.people_ahead == 0  # only one ticket exists for the field
    assert len(list(printer.directory.glob("*.png"))) == 1


def test_status_report_reaches_the_server(live_server):
    from server.contract.http import DeviceStatusIn

    client = kiosk_client(live_server)
    answer = client.report_status(DeviceStatusIn(online=True, printer="paper_low", detail="test"))
    client.close()
    assert answer.printer == "paper_low"
    assert answer.kind == "kiosk"
    assert answer.site == live_server.site


def test_a_scanned_citizen_cannot_hold_two_tickets_for_one_field(make_vm):
    vm = make_vm()
    vm.refresh()
    vm.poll_printer()
    vm.on_scan(parse_cccd(ID_TEXT))
    assert vm.greeting == "Xin chào Nguyễn Văn An ·\u00a0CCCD\u00a00790******34"
    choose(vm)
    first = vm.ticket
    assert first is not None
    vm.finish()
    vm.on_scan(parse_cccd(ID_TEXT))
    choose(vm)
    assert vm.screen is Screen.FIELDS
    assert vm.message == (
        f"Quý khách đã có số {first.number} cho lĩnh vực này và đang chờ phục vụ. "
        "Quý khách vui lòng sử dụng số đó."
    )
    assert vm.ticket is None


def test_server_stopped_shows_unavailable_then_recovers(make_vm, live_server, clock):
    vm = make_vm()
    vm.refresh()
    live_server.runtime.stop()
    clock.advance(30)
    vm.tick()  # the periodic report and menu refresh find no server
    assert vm.screen is Screen.UNAVAILABLE
    clock.advance(5)
    vm.tick()
    assert vm.screen is Screen.UNAVAILABLE
    restart_server(live_server)
    clock.advance(5)
    vm.tick()
    assert vm.screen is Screen.WELCOME
    choose(vm)
    assert vm.ticket is not None


def test_live_waiting_counts_follow_the_queue_snapshot(make_vm, live_server, qtbot):
    vm = make_vm()
    vm.refresh()
    live = queue_feed(vm)
    live.follow(
        live_server.mqtt_url("kiosk-1"),
        [Subscription(topics.queue(live_server.site), QueueSnapshot)],
        client_id="kiosk-test",
    )
    live.start()
    try:
        qtbot.waitUntil(lambda: vm.has_live_counts, timeout=10_000)
        vm.select_department("tu-phap")
        before = next(i.waiting for i in vm.services() if i.code == "tp-hotich")
        other = kiosk_client(live_server)
        other.issue(IssueRequest(TicketIn(service="tp-hotich")))
        other.close()
        qtbot.waitUntil(
            lambda: next(i.waiting for i in vm.services() if i.code == "tp-hotich") == before + 1,
            timeout=10_000,
        )
        live.on_connection(ConnectionState(False, datetime.now(UTC)))  # broker lost
        assert not vm.has_live_counts
    finally:
        live.stop()


def test_citizen_key_is_the_keyed_hash_not_the_number():
    scan = parse_cccd(ID_TEXT, today=datetime(2026, 11, 23, tzinfo=UTC).date())
    key = scan.citizen_key(ID_KEY)
    assert len(key) == 64
    assert "079090001234" not in key
