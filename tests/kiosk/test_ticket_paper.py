"""The printed ticket as the kiosk's settings make it: paper width, header line, logo,
in both languages; every QR code read back from the virtual printer's images."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image

from appkit.offthread import InlineRunner
from hardware.printer.layout import PAPER_58MM, PAPER_80MM, render_ticket_regions
from hardware.printer.virtual import VirtualPrinter
from kiosk.app import KioskApp, KioskConfig
from kiosk.printing import PrinterGate
from kiosk.state import KioskSettings, Screen
from kiosk.viewmodel import KioskViewModel
from tests.kiosk.conftest import kiosk_client
from tests.kiosk.fake_api import ID_KEY, FakeClock
from tests.support.qr import decode

pytestmark = pytest.mark.gui

HEADER = ("UBND TP. HỒ CHÍ MINH",)


def logo(folder: Path) -> Path:
    """A plain mark: a black disc on white, as a centre's seal would print."""
    path = folder / "logo.png"
    picture = Image.new("L", (240, 240), 255)
    for x in range(240):
        for y in range(240):
            if (x - 120) ** 2 + (y - 120) ** 2 < 100**2:
                picture.putpixel((x, y), 0)
    picture.save(path)
    return path


@pytest.mark.parametrize("paper", [80, 58])
def test_paper_header_and_logo_are_settings(paper, tmp_path):
    config = KioskConfig(
        server="http://127.0.0.1:9",
        site="hcm-main",
        kiosk_id="kiosk-1",
        paper_mm=paper,
        ticket_header=HEADER,
        ticket_logo=logo(tmp_path),
    )
    layout = config.ticket_layout()
    assert layout.width == {80: PAPER_80MM, 58: PAPER_58MM}[paper]
    assert layout.header == HEADER
    assert layout.logo == tmp_path / "logo.png"


def test_a_paper_width_other_than_80_or_58_is_refused():
    with pytest.raises(ValueError, match="80 or 58"):
        KioskConfig(server="http://127.0.0.1:9", site="hcm-main", kiosk_id="k", paper_mm=76)


def test_the_kiosk_opens_its_printer_with_its_ticket_layout(qapp, tmp_path):
    config = KioskConfig(
        server="http://127.0.0.1:9",
        site="hcm-main",
        kiosk_id="kiosk-1",
        printer=f"virtual://{tmp_path / 'tickets'}",
        paper_mm=58,
        ticket_header=HEADER,
    )
    kiosk = KioskApp(config)
    try:
        printer = kiosk.printer.printer
        assert isinstance(printer, VirtualPrinter)
        assert (printer.layout.width, printer.layout.header) == (PAPER_58MM, HEADER)
    finally:
        kiosk.stop()


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("paper", [80, 58])
def test_every_printed_ticket_can_be_scanned(qapp, live_server, tmp_path, paper, language):
    config = KioskConfig(
        server=live_server.base_url,
        site=live_server.site,
        kiosk_id="kiosk-1",
        paper_mm=paper,
        ticket_header=HEADER,
        ticket_logo=logo(tmp_path),
    )
    printer = VirtualPrinter(tmp_path / "tickets", layout=config.ticket_layout())
    vm = KioskViewModel(
        kiosk_client(live_server),
        KioskSettings(site=live_server.site, kiosk_id="kiosk-1"),
        PrinterGate(printer),
        id_key=ID_KEY,
        runner=InlineRunner(),
        clock=FakeClock(),
        now=lambda: datetime.now(UTC),
    )
    try:
        vm.refresh()
        vm.poll_printer()
        vm.set_language(language)
        vm.select_department("tu-phap")
        vm.select_service("tp-hotich")
        vm.choose_priority("elderly")
        assert vm.screen is Screen.TICKET and vm.ticket is not None
        assert len(printer.printed) == 1
        with Image.open(printer.printed[0]) as paper_image:
            assert paper_image.width == config.ticket_layout().width
            assert decode(paper_image) == [vm.ticket.track_url]
        # The header line and the logo are above the centre's name, inked.
        from hardware.printer.layout import PrintedTicket

        data = PrintedTicket.from_ticket_out(vm.ticket, "Trung tâm", "Người cao tuổi")
        regions = render_ticket_regions(data, config.ticket_layout()).regions
        assert regions["header"][1] > regions["header"][0]
        assert regions["header"][0] > 100 * config.ticket_layout().scale  # under the logo
    finally:
        vm.stop()
        vm.client.close()
