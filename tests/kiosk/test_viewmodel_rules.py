"""The view-model's rules with a fake HTTP answerer, the virtual printer and a hand clock.

Everything runs inline (``InlineRunner``) so each action's effect is visible at once.
"""

import gc
import weakref
from datetime import UTC, datetime

import pytest

from appkit.offthread import InlineRunner
from hardware.cccd import parse_cccd
from hardware.ports import PrinterStatus, ScanRejected
from kiosk.printing import PrinterGate
from kiosk.state import KioskSettings, PrintState, Screen
from kiosk.viewmodel import KioskViewModel
from server.contract.http import ErrorOut
from server.contract.messages import QueueSnapshot, ServiceStatus
from server.contract.vocab import TicketStatus
from tests.kiosk.fake_api import ID_KEY, ID_TEXT, SITE, FakeApi, sample_menu


@pytest.fixture
def api():
    return FakeApi()


def make_vm(api, printer, clock, **settings):
    vm = KioskViewModel(
        api.client(),
        KioskSettings(site=SITE, kiosk_id="kiosk-1", **settings),
        PrinterGate(printer),
        id_key=ID_KEY,
        runner=InlineRunner(),
        clock=clock,
        now=lambda: datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
    )
    vm.refresh()
    vm.poll_printer()
    return vm


@pytest.fixture
def vm(qapp, api, printer, clock):
    return make_vm(api, printer, clock)


def fail_printer_on_issue(api, printer, fault):
    """The printer breaks after the citizen chose (between the check and the print)."""

    def hook(request):
        if request.method == "POST" and request.url.path.endswith("/tickets"):
            printer.set_fault(fault)

    api.on_request = hook


def take_ticket(vm, department="tu-phap", service="hotich", priority=None):
    vm.select_department(department)
    vm.select_service(service)
    assert vm.screen is Screen.PRIORITY
    vm.choose_priority(priority)


def test_a_full_choice_issues_and_prints(vm, api, printer):
    assert vm.screen is Screen.WELCOME
    assert vm.site_name.startswith("Trung tâm")
    assert [d.code for d in vm.departments()] == ["tu-phap", "nnmt"]
    take_ticket(vm, priority="elderly")
    assert vm.screen is Screen.TICKET
    assert vm.ticket is not None and vm.ticket.number == "A1001"
    assert vm.ticket.priority == "elderly"
    assert vm.print_state is PrintState.PRINTED
    assert len(list(printer.directory.glob("*.png"))) == 1
    assert len(api.tickets) == 1


def test_closed_fields_show_their_reason_and_send_nothing(vm, api):
    vm.select_department("tu-phap")
    items = {i.code: i for i in vm.services()}
    assert items["lltp"].open is False
    assert items["lltp"].detail == "Đã hết số hôm nay"
    assert items["hotich"].detail == "Đang chờ: 2 · Chờ khoảng 10 phút"
    vm.select_service("lltp")
    assert vm.message == "Lý lịch tư pháp: Đã hết số hôm nay"
    assert vm.screen is Screen.FIELDS
    vm.set_language("en")
    assert vm.message == "Judicial records: No more numbers today"
    assert api.issue_keys() == []


def test_live_counts_and_closures_come_from_the_queue_snapshot(vm):
    snapshot = QueueSnapshot(
        site=SITE,
        seq=7,
        generated_at=datetime(2026, 11, 23, 2, 0, tzinfo=UTC),
        site_name="x",
        business_day="2026-11-23",
        waiting_total=9,
        services=[
            ServiceStatus(
                code="hotich",
                department="tu-phap",
                name_vi="Hộ tịch",
                name_en="Civil status",
                open=False,
                closed_reason="hours",
                waiting=9,
                estimated_wait_s=3600,
                counters_open=0,
                issued_today=40,
            )
        ],
    )
    vm.apply_queue(snapshot)
    vm.select_department("tu-phap")
    hotich = next(i for i in vm.services() if i.code == "hotich")
    assert hotich.open is False
    assert hotich.detail == "Ngoài giờ tiếp nhận"
    assert vm.departments()[0].waiting == 9 + 2  # the other field keeps its menu count
    other_site = snapshot.model_copy(update={"site": "elsewhere", "services": []})
    vm.apply_queue(other_site)
    assert next(i for i in vm.services() if i.code == "hotich").open is False


def test_idle_goes_back_to_welcome_in_vietnamese(vm, clock):
    vm.set_language("en")
    vm.select_department("nnmt")
    clock.advance(59)
    vm.tick()
    assert vm.screen is Screen.FIELDS
    clock.advance(2)
    vm.tick()
    assert vm.screen is Screen.WELCOME
    assert vm.language == "vi"


def test_a_tap_restarts_the_idle_timer(vm, clock):
    vm.select_department("nnmt")
    clock.advance(50)
    vm.touch()
    clock.advance(50)
    vm.tick()
    assert vm.screen is Screen.FIELDS


def test_ticket_screen_leaves_sooner_when_printed_than_when_not(api, printer, clock, qapp):
    vm = make_vm(api, printer, clock, ticket_screen_s=20, ticket_failed_s=120)
    take_ticket(vm)
    clock.advance(21)
    vm.tick()
    assert vm.screen is Screen.WELCOME
    fail_printer_on_issue(api, printer, PrinterStatus.OFFLINE)
    take_ticket(vm)
    assert vm.print_state is PrintState.FAILED
    clock.advance(21)
    vm.tick()
    assert vm.screen is Screen.TICKET
    clock.advance(100)
    vm.tick()
    assert vm.screen is Screen.WELCOME


def test_back_and_start_over(vm):
    vm.select_department("tu-phap")
    vm.select_service("hotich")
    assert vm.screen is Screen.PRIORITY
    vm.back()
    assert vm.screen is Screen.FIELDS
    vm.back()
    assert vm.screen is Screen.WELCOME
    vm.back()
    assert vm.screen is Screen.WELCOME
    vm.open_search()
    vm.set_query("dat dai")
    assert [i.code for i in vm.search_results()] == ["datdai"]
    vm.start_over()
    assert vm.screen is Screen.WELCOME
    assert vm.query == ""


def test_printer_out_of_paper_is_said_before_choosing(vm, api, printer):
    printer.set_fault(PrinterStatus.PAPER_OUT)
    vm.poll_printer()
    assert vm.printer_status is PrinterStatus.PAPER_OUT
    assert vm.printer_blocks
    assert vm.printer_notice is not None and vm.printer_notice.startswith("Máy in hết giấy")
    vm.select_department("tu-phap")
    vm.select_service("hotich")
    assert vm.screen is Screen.FIELDS
    assert vm.message == vm.printer_notice
    assert api.issue_keys() == []
    assert api.statuses[-1]["printer"] == "paper_out"


def test_screen_tickets_when_the_site_allows_them(api, printer, clock, qapp):
    printer.set_fault(PrinterStatus.PAPER_OUT)
    vm = make_vm(api, printer, clock, allow_screen_ticket=True)
    assert not vm.printer_blocks
    assert "không in vé" in (vm.printer_notice or "")
    take_ticket(vm)
    assert vm.screen is Screen.TICKET
    assert vm.print_state is PrintState.SCREEN_ONLY
    assert vm.print_failure is not None
    assert list(printer.directory.glob("*.png")) == []


def test_print_failure_keeps_the_ticket_and_staff_can_reprint(vm, api, printer):
    fail_printer_on_issue(api, printer, PrinterStatus.COVER_OPEN)
    take_ticket(vm)
    assert vm.screen is Screen.TICKET
    assert vm.ticket is not None
    assert vm.print_state is PrintState.FAILED
    assert "Nắp máy in đang mở" in (vm.print_failure or "")
    api.on_request = None
    printer.set_fault(PrinterStatus.OK)
    vm.poll_printer()
    vm.reprint_last()
    assert vm.print_state is PrintState.PRINTED
    assert len(list(printer.directory.glob("*.png"))) == 1
    assert len(api.tickets) == 1


def test_reprint_refuses_a_served_ticket(vm, api):
    vm.reprint_last()
    assert vm.message == "Chưa có vé nào để in lại"
    take_ticket(vm)
    vm.finish()
    key = next(iter(api.tickets))
    api.tickets[key] = api.tickets[key].model_copy(update={"status": TicketStatus.DONE})
    vm.reprint_last()
    assert vm.message == "Vé A1001 đã được phục vụ xong, không in lại"


def test_a_lost_answer_is_retried_with_the_same_key(vm, api):
    api.mode = "lose_answer"
    take_ticket(vm)
    keys = api.issue_keys()
    assert len(keys) == 3 and len(set(keys)) == 1
    assert vm.screen is Screen.UNAVAILABLE
    assert vm.has_pending
    assert vm.ticket is None  # never a number the kiosk did not get from the server


def test_after_an_outage_the_tap_completes_with_its_key(vm, api, clock, printer):
    api.mode = "lose_answer"
    take_ticket(vm)
    assert vm.screen is Screen.UNAVAILABLE
    api.mode = "ok"
    clock.advance(5)
    vm.tick()
    assert vm.screen is Screen.TICKET
    assert vm.ticket is not None and vm.ticket.number == "A1001"
    assert len(set(api.issue_keys())) == 1
    assert len(api.tickets) == 1
    assert len(list(printer.directory.glob("*.png"))) == 1


def test_an_old_tap_is_dropped_after_a_long_outage(vm, api, clock):
    api.mode = "down"
    take_ticket(vm)
    assert vm.screen is Screen.UNAVAILABLE
    assert api.tickets == {}
    clock.advance(300)
    api.mode = "ok"
    vm.tick()
    assert vm.screen is Screen.WELCOME
    assert not vm.has_pending
    assert api.tickets == {}


def test_unreachable_server_shows_unavailable_and_recovers(vm, api, clock):
    api.mode = "down"
    clock.advance(30)
    vm.tick()  # the periodic status report finds the server gone
    assert vm.screen is Screen.UNAVAILABLE
    assert vm.retry_in_s() == 5
    assert not vm.online
    clock.advance(5)
    vm.tick()
    assert vm.screen is Screen.UNAVAILABLE
    api.mode = "ok"
    clock.advance(5)
    vm.tick()
    assert vm.screen is Screen.WELCOME
    assert vm.online


def test_citizen_with_an_active_ticket_is_told_the_number(vm, api):
    api.mode = "refuse"
    api.refusal = ErrorOut(
        error="citizen_active_ticket",
        message="Bạn đang có số A1005",
        message_vi="Bạn đang có số A1005",
        message_en="You already hold number A1005",
        details={"number": "A1005", "service": "hotich"},
    )
    take_ticket(vm)
    assert vm.screen is Screen.FIELDS
    assert "A1005" in (vm.message or "")
    assert vm.message.startswith("Quý khách đã có số A1005")


def test_other_refusals_show_the_servers_words(vm, api):
    api.mode = "refuse"
    api.refusal = ErrorOut(
        error="quota_reached",
        message="Đã hết số",
        message_vi="Lĩnh vực này đã hết số hôm nay.",
        message_en="No more numbers today for this service.",
    )
    take_ticket(vm)
    assert vm.message == "Không lấy được số: Lĩnh vực này đã hết số hôm nay."
    vm.set_language("en")
    assert vm.message == "Could not get a number: No more numbers today for this service."


def test_scan_greets_by_name_and_sends_only_the_keyed_hash(vm, api, printer):
    scan = parse_cccd(ID_TEXT)
    vm.on_scan(scan)
    assert vm.greeting == "Xin chào Nguyễn Văn An ·\u00a0CCCD\u00a00790******34"
    take_ticket(vm)
    body = api.requests[-1].content.decode()
    assert scan.citizen_key(ID_KEY) in body
    assert "079090001234" not in body
    assert vm.greeting is None  # one scan, one ticket
    png = next(printer.directory.glob("*.bin")).read_bytes()
    assert b"079090001234" not in png


def test_a_rejected_scan_says_why(vm):
    vm.on_scan(ScanRejected(message_vi="Không phải mã CCCD", message_en="Not an ID QR code"))
    assert vm.message == "Không phải mã CCCD"
    assert vm.greeting is None


def test_scan_without_an_id_key_is_refused_clearly(api, printer, clock, qapp):
    vm = KioskViewModel(
        api.client(),
        KioskSettings(site=SITE, kiosk_id="kiosk-1"),
        PrinterGate(printer),
        runner=InlineRunner(),
        clock=clock,
    )
    vm.on_scan(parse_cccd(ID_TEXT))
    assert vm.greeting is None
    assert "chưa được cài đặt" in (vm.message or "")


def test_status_reports_name_the_printer_state(vm, api):
    assert api.statuses
    last = api.statuses[-1]
    assert last["online"] is True
    assert last["printer"] == "ok"
    assert "kiosk-1" in last["detail"]


def test_no_priority_categories_issue_straight_away(qapp, printer, clock):
    api = FakeApi(menu=sample_menu(priorities=False))
    vm = make_vm(api, printer, clock)
    vm.select_department("tu-phap")
    vm.select_service("hotich")
    assert vm.screen is Screen.TICKET


def test_settings_are_validated():
    with pytest.raises(ValueError, match="positive"):
        KioskSettings(site=SITE, kiosk_id="k", idle_timeout_s=0)
    with pytest.raises(ValueError, match="site and a kiosk id"):
        KioskSettings(site="", kiosk_id="k")


def test_client_sends_the_device_token_and_the_key(api):
    client = api.client()
    client.menu()
    assert api.requests[-1].headers["Authorization"] == "Bearer device-token"


def test_a_refused_kiosk_says_why_for_the_technician(qapp, printer, clock):
    api = FakeApi()
    client = api.client()
    client.api.token = "wrong"

    def refuse(request):
        if request.headers.get("Authorization") == "Bearer wrong":
            api.mode = "refuse_all"

    api.on_request = refuse
    vm = KioskViewModel(
        client,
        KioskSettings(site=SITE, kiosk_id="kiosk-1"),
        PrinterGate(printer),
        runner=InlineRunner(),
        clock=clock,
    )
    vm.refresh()
    assert vm.screen is Screen.UNAVAILABLE
    assert vm.problem == "Chi tiết cho cán bộ kỹ thuật: 401 unauthorized: Unknown device token."


def test_the_ticket_screen_stays_through_an_outage_then_shows_it(vm, api, clock):
    take_ticket(vm)
    api.mode = "down"
    clock.advance(10)
    vm.tick()  # the report finds the server gone, the ticket stays
    assert vm.screen is Screen.TICKET
    assert not vm.online
    clock.advance(11)
    vm.tick()  # the ticket's time is up: now say the kiosk is unavailable
    assert vm.screen is Screen.UNAVAILABLE


class RecordingPrinter:
    """Implements ``hardware.ports.TicketPrinter`` and keeps what it was asked to print."""

    url = "recording://"

    def __init__(self):
        self.tickets = []

    def print_ticket(self, ticket):
        self.tickets.append(ticket)

    def status(self):
        return PrinterStatus.OK

    def close(self):
        pass


def test_the_ticket_is_printed_in_the_citizens_language(qapp, api, clock):
    printer = RecordingPrinter()
    vm = make_vm(api, printer, clock)
    vm.set_language("en")
    take_ticket(vm, priority="elderly")
    (printed,) = printer.tickets
    assert printed.language == "en"
    assert printed.priority == "Elderly person"
    assert printed.number == vm.ticket.number
    assert printed.site_name.startswith("Trung tâm")


def test_starting_over_during_an_outage_drops_the_tap(vm, api, clock):
    api.mode = "down"
    take_ticket(vm)
    assert vm.has_pending
    vm.start_over()
    assert not vm.has_pending
    api.mode = "ok"
    clock.advance(5)
    vm.tick()
    assert vm.screen is Screen.WELCOME
    assert api.tickets == {}


def test_a_dropped_view_model_is_freed_at_once(qapp):
    """No reference cycle between the view-model and its parts: the cyclic collector
    might free it on a worker thread."""
    client = FakeApi().client()
    gc.disable()
    try:
        vm = KioskViewModel(client, KioskSettings(site=SITE, kiosk_id="kiosk-1"), PrinterGate(None))
        ref = weakref.ref(vm)
        del vm
        assert ref() is None
    finally:
        gc.enable()
        client.close()
