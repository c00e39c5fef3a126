"""The real widgets, offscreen, on the real server: a citizen's taps from welcome to ticket."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextLayout, QTextOption
from PySide6.QtWidgets import QPushButton

from appkit.offthread import OffThread
from hardware.cccd import parse_cccd
from hardware.ports import PrinterStatus
from hardware.scanner import SerialScanner
from hardware.sim.devices import ScannerSim
from kiosk.state import Screen
from kiosk.views.style import MIN_TOUCH_PX, Orientation, load_fonts
from kiosk.views.window import KioskWindow
from tests.kiosk.conftest import SwitchTransport, restart_server
from tests.kiosk.fake_api import ID_TEXT

pytestmark = pytest.mark.gui


@pytest.fixture
def window_for(qtbot, make_vm):
    load_fonts()

    def make(orientation=Orientation.PORTRAIT, **settings):
        vm = make_vm(runner=OffThread(), **settings)
        window = KioskWindow(vm, orientation)
        qtbot.addWidget(window)
        window.show()
        vm.start()
        qtbot.waitUntil(lambda: vm.menu is not None and vm.printer_status is not None)
        qtbot.waitUntil(vm.runner.idle)
        return vm, window

    yield make


def tap(qtbot, widget):
    qtbot.waitUntil(widget.isVisible)  # new children of a shown widget appear on the next loop
    assert widget.isEnabled(), widget
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def tile(grid, key):
    return next(b for b in grid.buttons if b.tile.key == key)


def test_a_citizen_taps_through_to_a_printed_ticket(qtbot, window_for, printer):
    vm, window = window_for()
    assert window.site.text().startswith("Trung tâm Phục vụ hành chính công")
    assert window.clock.text()
    tap(qtbot, tile(window.welcome.grid, "tu-phap"))
    assert vm.screen is Screen.FIELDS
    hotich = tile(window.fields.grid, "tp-hotich")
    assert "Đang chờ" in hotich.detail.text()
    tap(qtbot, hotich)
    assert window.priority.isVisible()
    tap(qtbot, window.priority.regular)
    qtbot.waitUntil(lambda: vm.screen is Screen.TICKET)
    qtbot.waitUntil(lambda: len(list(printer.directory.glob("*.png"))) == 1)
    qtbot.waitUntil(lambda: window.ticket.status.text() == "Mời quý khách nhận vé bên dưới.")
    assert window.ticket.number.text() == vm.ticket.number
    assert window.ticket.qr.pixmap() is not None and not window.ticket.qr.pixmap().isNull()
    assert not window.ticket.reprint.isVisible()
    tap(qtbot, window.ticket.done)
    assert vm.screen is Screen.WELCOME


def test_language_switch_and_search_by_the_keyboard(qtbot, window_for):
    vm, window = window_for(Orientation.LANDSCAPE)
    tap(qtbot, window.language)
    assert window.back.text().endswith("Back")
    assert window.language.text() == "Tiếng Việt"
    tap(qtbot, window.welcome.search)
    keys = {b.text(): b for b in window.search.findChildren(QPushButton)}
    for letter in "HO":
        tap(qtbot, keys[letter])
    tap(qtbot, window.search.space)
    for letter in "TICH":
        tap(qtbot, keys[letter])
    assert window.search.field.text() == "ho tich"
    titles = [b.title.text() for b in window.search.grid.buttons]
    assert "Civil status registration" in titles[0] or titles
    tap(qtbot, window.start_over)
    assert vm.screen is Screen.WELCOME
    assert vm.language == "en"


def test_printer_out_of_paper_is_shown_before_choosing(qtbot, window_for, printer):
    printer.set_fault(PrinterStatus.PAPER_OUT)
    vm, window = window_for()
    assert window.notice.isVisible()
    assert window.notice.text().startswith("Máy in hết giấy")
    tap(qtbot, tile(window.welcome.grid, "tu-phap"))
    qtbot.waitUntil(vm.runner.idle)
    tap(qtbot, tile(window.fields.grid, "tp-hotich"))
    assert vm.screen is Screen.FIELDS
    assert window.message.isVisible()
    assert vm.ticket is None
    assert list(printer.directory.glob("*.png")) == []


def test_print_failure_after_issuing_keeps_the_number_on_screen(qtbot, window_for, printer):
    vm, window = window_for()
    tap(qtbot, tile(window.welcome.grid, "tu-phap"))
    qtbot.waitUntil(vm.runner.idle)
    printer.set_fault(PrinterStatus.OFFLINE)  # it breaks after the check
    tap(qtbot, tile(window.fields.grid, "tp-hotich"))
    tap(qtbot, window.priority.regular)
    qtbot.waitUntil(window.ticket.reprint.isVisible)
    assert window.ticket.number.text() == vm.ticket.number
    assert window.ticket.status.text().startswith("Không in được vé")
    printer.set_fault(PrinterStatus.OK)
    tap(qtbot, window.ticket.reprint)
    qtbot.waitUntil(lambda: len(list(printer.directory.glob("*.png"))) == 1)
    tap(qtbot, window.ticket.done)
    staff = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_P, staff)  # staff reprint of the last ticket
    qtbot.waitUntil(lambda: len(list(printer.directory.glob("*.png"))) == 2)
    assert vm.screen is Screen.TICKET


def test_server_stopped_then_back(qtbot, window_for, live_server, clock):
    vm, window = window_for()
    live_server.runtime.stop()
    clock.advance(30)
    vm.tick()
    qtbot.waitUntil(window.unavailable.isVisible)
    assert window.unavailable.title.text() == "Tạm thời gián đoạn"
    restart_server(live_server)
    qtbot.waitUntil(vm.runner.idle)
    clock.advance(5)
    vm.tick()
    qtbot.waitUntil(window.welcome.isVisible)


def test_a_scan_on_the_simulated_scanner_greets_the_citizen(qtbot, window_for):
    vm, window = window_for()
    sim = ScannerSim()
    vm.scanning.attach(SerialScanner(sim.port_path))
    try:
        qtbot.waitUntil(lambda: vm.scanning.scanner is not None and vm.scanning.scanner.connected)
        window.refresh()
        assert window.welcome.hint.text().endswith("Quý khách có thể quét mã QR trên thẻ căn cước")
        qtbot.waitUntil(window.welcome.hint.isVisible)
        sim.scan(ID_TEXT)
        qtbot.waitUntil(window.greeting.isVisible)
        assert window.greeting.text() == "Xin chào Nguyễn Văn An ·\u00a0CCCD\u00a00790******34"
        assert "079090001234" not in window.greeting.text()
        tap(qtbot, window.forget)
        assert not window.greeting.isVisible()
    finally:
        vm.scanning.stop()
        sim.close()


@pytest.mark.parametrize("orientation", list(Orientation))
def test_every_button_is_a_large_touch_target(qtbot, window_for, orientation):
    vm, window = window_for(orientation)
    for step in (
        lambda: None,
        lambda: vm.select_department("tu-phap"),
        vm.open_search,
        lambda: vm.set_query("ho"),
    ):
        step()
        qtbot.waitUntil(vm.runner.idle)
        window.refresh()
        for button in window.findChildren(QPushButton):
            if button.isVisible():
                assert button.height() >= MIN_TOUCH_PX, button.text()
                assert button.width() >= MIN_TOUCH_PX, button.text()


def test_a_kiosk_started_while_the_server_is_down_still_names_the_centre(qtbot, make_vm):
    load_fonts()
    for settings, name in (
        ({}, "Trung tâm Phục vụ hành chính công"),
        ({"site_name": "Trung tâm Phục vụ hành chính công TP. Thủ Đức"}, None),
    ):
        transport = SwitchTransport()
        transport.down = True
        vm = make_vm(transport=transport, **settings)
        vm.refresh()
        assert vm.screen is Screen.UNAVAILABLE
        window = KioskWindow(vm, Orientation.LANDSCAPE)
        qtbot.addWidget(window)
        assert window.site.text() == (name or settings["site_name"])


def wrapped_lines(label) -> list[str]:
    """The lines Qt breaks a word-wrapped label's text into at its current width."""
    layout = QTextLayout(label.text(), label.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    layout.setTextOption(option)
    layout.beginLayout()
    lines = []
    while (line := layout.createLine()).isValid():
        line.setLineWidth(label.contentsRect().width())
        lines.append(label.text()[line.textStart() : line.textStart() + line.textLength()])
    layout.endLayout()
    return lines


@pytest.mark.parametrize("orientation", list(Orientation))
def test_the_id_number_is_never_split_over_two_lines(qtbot, window_for, orientation):
    vm, window = window_for(orientation)
    for language in ("vi", "en"):
        vm.set_language(language)
        vm.on_scan(parse_cccd(ID_TEXT))
        window.refresh()
        qtbot.waitUntil(window.greeting.isVisible)
        qtbot.waitUntil(lambda: window.greeting.width() > 0)
        masked = vm.visit.citizen.masked_id
        lines = wrapped_lines(window.greeting)
        word = "CCCD" if language == "vi" else "ID"
        assert any(word in line and masked in line for line in lines), lines
        vm.forget_citizen()
