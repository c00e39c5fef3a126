"""Every screen, both orientations, both languages: rendered, measured and saved.

Set ``QMS_KIOSK_SCREENSHOTS=docs/img`` to refresh the documentation's pictures;
otherwise they go to a temporary folder. Each picture is checked for what people
would notice: text cut off, buttons too small for a finger, a QR code a phone cannot
read, a tile left over from the last screen; and every ticket the kiosk printed is
read back.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtCore import QPoint, QRect
from PySide6.QtWidgets import QLabel, QPushButton, QWidget

from hardware.cccd import parse_cccd
from hardware.ports import PrinterStatus
from kiosk.client import IssueRequest
from kiosk.state import Screen
from kiosk.views.style import METRICS, MIN_TOUCH_PX, Orientation, load_fonts
from kiosk.views.widgets import TileButton, TileGrid
from kiosk.views.window import KioskWindow
from server.contract.http import TicketIn
from server.contract.messages import QueueSnapshot, ServiceStatus
from tests.kiosk.conftest import SwitchTransport, kiosk_client
from tests.kiosk.fake_api import ID_TEXT
from tests.support.qr import decode, from_pixmap

pytestmark = pytest.mark.gui


def closures(vm) -> QueueSnapshot:
    """The live state as MQTT would bring it, with two fields closed for the day."""
    services = []
    for department in vm.menu.departments:
        for s in department.services:
            reason = {"tp-lltp": "quota", "tp-quoctich": "hours"}.get(s.code)
            services.append(
                ServiceStatus(
                    code=s.code,
                    department=s.department,
                    name_vi=s.name_vi,
                    name_en=s.name_en,
                    open=reason is None,
                    closed_reason=reason,
                    waiting=s.waiting,
                    estimated_wait_s=s.estimated_wait_s,
                    counters_open=len(s.counters),
                    issued_today=s.waiting,
                )
            )
    return QueueSnapshot(
        site=vm.menu.site,
        seq=10_000,
        generated_at=datetime.now(UTC),
        site_name=vm.menu.site_name,
        business_day=vm.menu.business_day,
        services=services,
        waiting_total=sum(s.waiting for s in services),
    )


def shrink(path: Path) -> None:
    """64 colours are plenty for flat screens and keep the docs' pictures small."""
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def problems(window: KioskWindow) -> list[str]:
    found = []
    for button in window.findChildren(QPushButton):
        if not button.isVisible():
            continue
        if min(button.width(), button.height()) < MIN_TOUCH_PX:
            found.append(f"small button {button.text()!r}: {button.width()}x{button.height()}")
        if button.text() and button.sizeHint().width() > button.width() + 2:
            found.append(f"button text cut {button.text()!r}")
        seen = button.visibleRegion().boundingRect()
        if seen.size() != button.size():
            found.append(f"button {button.text()!r} partly out of sight")
    for grid in window.findChildren(TileGrid):
        for tile in grid.findChildren(TileButton):
            if tile.isVisible() and tile not in grid.buttons:
                found.append(f"ghost tile {tile.tile.title!r} behind the current page")
    found += overlapping_pictures(window)
    for label in window.findChildren(QLabel):
        if not label.isVisible() or not label.text():
            continue
        if label.wordWrap():
            needed = label.heightForWidth(label.width())
            if needed > label.height() + 2:
                found.append(f"cut text {label.text()[:40]!r}: {needed} > {label.height()}")
        elif label.sizeHint().width() > label.width() + 2:
            found.append(f"cut text {label.text()[:40]!r}: too wide")
        elif label.minimumHeight() > label.height() + 2:
            found.append(f"squeezed {label.text()[:40]!r}: {label.height()} px")
    return found


def overlapping_pictures(window: KioskWindow) -> list[str]:
    """A picture (the QR code) with text or a button drawn over it, or squeezed."""
    found = []
    widgets = [*window.findChildren(QLabel), *window.findChildren(QPushButton)]
    shown: list[QLabel | QPushButton] = [w for w in widgets if w.isVisible()]

    def box(widget: QWidget) -> QRect:
        return QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())

    for picture in (w for w in shown if isinstance(w, QLabel) and not w.pixmap().isNull()):
        pixmap = picture.pixmap()
        if min(picture.width(), picture.height()) < max(pixmap.width(), pixmap.height()):
            found.append(f"picture squeezed into {picture.width()}x{picture.height()}")
        for other in shown:
            if other is picture or other.isAncestorOf(picture) or picture.isAncestorOf(other):
                continue
            if box(other).intersects(box(picture)):
                said = other.text()[:30]
                found.append(f"{type(other).__name__} {said!r} drawn over a picture")
    return found


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("orientation", list(Orientation))
def test_every_screen_renders_cleanly(
    qtbot, make_vm, live_server, printer, tmp_path, orientation, language
):
    load_fonts()
    out = Path(os.environ.get("QMS_KIOSK_SCREENSHOTS", tmp_path))
    out.mkdir(parents=True, exist_ok=True)
    others = kiosk_client(live_server)
    for service in ("tp-hotich", "tp-hotich", "tp-hotich", "tp-chungthuc", "ca-cutru"):
        others.issue(IssueRequest(TicketIn(service=service)))
    others.close()
    transport = SwitchTransport()
    vm = make_vm(transport=transport)
    vm.refresh()
    vm.poll_printer()
    vm.apply_queue(closures(vm))
    vm.scanner_attached = True
    vm.set_language(language)
    window = KioskWindow(vm, orientation)
    qtbot.addWidget(window)
    window.show()
    saved: dict[str, list[str]] = {}

    def shot(name: str) -> None:
        window.refresh()
        qtbot.waitExposed(window)
        qtbot.wait(1)  # let new children show (queued by Qt)
        path = out / f"kiosk-{name}-{orientation.value}-{language}.png"
        image = window.grab()
        assert image.save(str(path))
        assert (image.width(), image.height()) == METRICS[orientation].size
        if "QMS_KIOSK_SCREENSHOTS" in os.environ:
            shrink(path)
        saved[name] = problems(window)
        # The screen that asks to scan a code shows one a phone reads; no other has one.
        wanted = [vm.ticket.track_url] if vm.screen is Screen.TICKET and vm.ticket else []
        if decode(from_pixmap(image)) != wanted:
            saved[name].append(f"QR codes on screen: {decode(from_pixmap(image))} != {wanted}")
        with Image.open(path) as stored:  # and so does the picture in the docs
            if decode(stored) != wanted:
                saved[name].append("the saved picture's QR code does not decode")
        if vm.screen is Screen.WELCOME and window.welcome.grid.pages != 1:
            saved[name].append(f"{len(vm.departments())} departments over several pages")

    shot("welcome")
    vm.on_scan(parse_cccd(ID_TEXT))
    shot("scan")
    vm.forget_citizen()
    vm.select_department("tu-phap")
    shot("fields")
    vm.open_search()
    vm.set_query("ho tich")
    shot("search")
    vm.back()
    vm.select_service("tp-hotich")
    assert vm.screen is Screen.PRIORITY
    shot("priority")
    vm.choose_priority("elderly")
    assert vm.screen is Screen.TICKET
    shot("ticket")
    assert vm.ticket is not None
    printed_url = vm.ticket.track_url
    vm.finish()
    vm.select_department("cong-an")
    printer.set_fault(PrinterStatus.COVER_OPEN)
    vm.select_service("ca-cutru")
    vm.choose_priority(None)
    shot("ticket-failed")
    vm.finish()
    vm.poll_printer()
    shot("printer")
    printer.set_fault(PrinterStatus.OK)
    vm.poll_printer()
    transport.down = True
    vm.refresh()
    assert vm.screen is Screen.UNAVAILABLE
    shot("unavailable")
    assert {name: found for name, found in saved.items() if found} == {}
    assert len(printer.printed) == 1  # the elderly citizen's ticket; the cover was open after
    with Image.open(printer.printed[0]) as paper:
        assert decode(paper) == [printed_url]
