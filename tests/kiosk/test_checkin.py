"""Checking in an appointment at the kiosk, on the real server with the demo centre: the
code typed on the view-model, the booking's QR code and the ID card that booked scanned
on the simulated scanner; and the check-in screen rendered in both orientations and
languages (``QMS_KIOSK_SCREENSHOTS=docs/img`` saves ``kiosk-checkin-*.png``)."""

import os
from pathlib import Path

import httpx
import pytest

from appkit.offthread import OffThread
from hardware.scanner import SerialScanner
from hardware.sim.devices import ScannerSim
from kiosk.state import Screen
from kiosk.views.style import METRICS, Orientation, load_fonts
from kiosk.views.window import KioskWindow
from server.contract import paths
from server.contract.booking import BookingOut, SlotsOut
from server.contract.http import API_PREFIX
from tests.kiosk.fake_api import ID_TEXT
from tests.kiosk.test_screens import problems, shrink

FIELD = "tp-hotich"  # takes appointments in the demo centre
CARD = ID_TEXT.split("|", 1)[0]


def book(live_server, cccd: str | None = None) -> BookingOut:
    """A portal books the first slot still open today (its check-in window is open)."""
    base = live_server.base_url + API_PREFIX
    slots = SlotsOut.model_validate(
        httpx.get(base + paths.slots(live_server.site, FIELD), timeout=10).json()
    )
    assert live_server.supervisor is not None
    token = live_server.login(*live_server.supervisor)
    body: dict[str, object] = {"service": FIELD, "start": slots.slots[0].start.isoformat()}
    if cccd:
        body["cccd"] = cccd
    made = httpx.post(
        base + paths.bookings(live_server.site),
        json=body,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"b-{cccd}-{os.getpid()}"},
        timeout=10,
    )
    assert made.status_code == 201, made.text
    return BookingOut.model_validate(made.json())


def test_the_code_typed_then_the_qr_scanned_give_one_ticket(qtbot, make_vm, live_server):
    booking = book(live_server)
    vm = make_vm(runner=OffThread())
    vm.start()
    qtbot.waitUntil(lambda: vm.menu is not None and vm.runner.idle())
    vm.open_checkin()
    assert vm.screen is Screen.CHECKIN
    for digit in "99" + booking.code:  # two too many: the pad stops at eight
        vm.checkin.type(digit)
    assert vm.checkin.code == "99" + booking.code[:6]
    vm.checkin.erase()
    assert vm.checkin.code == "99" + booking.code[:5] and not vm.checkin.complete
    vm.checkin.submit_code()  # seven digits: nothing is sent
    assert not vm.busy
    vm.checkin.clear()
    for digit in booking.code:
        vm.checkin.type(digit)
    assert vm.checkin.complete and vm.checkin.shown_code == f"{booking.code[:4]} {booking.code[4:]}"
    vm.checkin.submit_code()
    qtbot.waitUntil(lambda: vm.screen is Screen.TICKET, timeout=20_000)
    ticket = vm.ticket
    assert ticket is not None and ticket.priority == "appointment"
    assert ticket.service == FIELD and ticket.status.value == "waiting"
    assert vm.priority_name(ticket.priority) == "Có lịch hẹn"  # the ticket's band
    vm.finish()

    # The booking's QR code on the scanner, from the welcome screen: the same ticket.
    sim = ScannerSim()
    vm.scanning.attach(SerialScanner(sim.port_path))
    try:
        qtbot.waitUntil(lambda: vm.scanning.scanner is not None and vm.scanning.scanner.connected)
        sim.scan(booking.page_url)
        qtbot.waitUntil(lambda: vm.screen is Screen.TICKET, timeout=20_000)
        assert vm.ticket is not None and vm.ticket.id == ticket.id
        assert vm.ticket.number == ticket.number
    finally:
        vm.scanning.stop()
        sim.close()


def test_the_id_card_that_booked_checks_in_on_the_check_in_screen(qtbot, make_vm, live_server):
    book(live_server, cccd=CARD)
    vm = make_vm(runner=OffThread())
    vm.start()
    qtbot.waitUntil(lambda: vm.menu is not None and vm.runner.idle())
    sim = ScannerSim()
    vm.scanning.attach(SerialScanner(sim.port_path))
    try:
        qtbot.waitUntil(lambda: vm.scanning.scanner is not None and vm.scanning.scanner.connected)
        # On the welcome screen a card only greets the citizen, as before.
        sim.scan(ID_TEXT)
        qtbot.waitUntil(lambda: vm.greeting is not None)
        assert vm.screen is Screen.WELCOME
        vm.forget_citizen()
        vm.open_checkin()
        sim.scan(ID_TEXT)
        qtbot.waitUntil(lambda: vm.screen is Screen.TICKET, timeout=20_000)
        assert vm.ticket is not None and vm.ticket.priority == "appointment"
    finally:
        vm.scanning.stop()
        sim.close()


def test_an_unknown_code_is_refused_in_the_citizens_words(qtbot, make_vm, live_server):
    vm = make_vm()
    vm.refresh()
    vm.open_checkin()
    for digit in "00000000":
        vm.checkin.type(digit)
    vm.checkin.submit_code()
    assert vm.screen is Screen.CHECKIN and not vm.busy
    assert vm.message is not None
    assert vm.message.startswith("Không nhận được lịch hẹn: Không tìm thấy lịch hẹn")
    vm.set_language("en")
    assert vm.message is not None and vm.message.startswith("Could not check in: No such")


@pytest.mark.gui
@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("orientation", list(Orientation))
def test_the_check_in_screen_renders_cleanly(
    qtbot, make_vm, live_server, tmp_path, orientation, language
):
    load_fonts()
    out = Path(os.environ.get("QMS_KIOSK_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    vm = make_vm()
    vm.refresh()
    vm.poll_printer()
    vm.scanner_attached = True
    vm.set_language(language)
    window = KioskWindow(vm, orientation)
    qtbot.addWidget(window)
    window.show()
    assert window.booked.text().endswith("Đã đặt lịch hẹn" if language == "vi" else "Appointment")
    qtbot.mouseClick(window.booked, qtbot_left())
    assert vm.screen is Screen.CHECKIN
    for digit in "2406":
        vm.checkin.type(digit)
    window.refresh()
    qtbot.waitExposed(window)
    qtbot.wait(1)
    assert window.checkin.code.text() == "2406 ____"
    assert not window.checkin.submit.isEnabled()
    path = out / f"kiosk-checkin-{orientation.value}-{language}.png"
    image = window.grab()
    assert image.save(str(path))
    assert (image.width(), image.height()) == METRICS[orientation].size
    if "QMS_KIOSK_SCREENSHOTS" in os.environ:
        shrink(path)
    assert problems(window) == []


def qtbot_left():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton
