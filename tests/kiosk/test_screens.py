"""Every screen, both orientations, both languages: rendered, measured and saved.

Set ``QMS_KIOSK_SCREENSHOTS=docs/img`` to refresh the documentation's pictures;
otherwise they go to a temporary folder. Each picture is checked for what people
would notice: text cut off, buttons too small for a finger.
"""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from PySide6.QtWidgets import QLabel, QPushButton

from hardware.cccd import parse_cccd
from hardware.ports import PrinterStatus
from kiosk.client import IssueRequest
from kiosk.state import Screen
from kiosk.views.style import METRICS, MIN_TOUCH_PX, Orientation, load_fonts
from kiosk.views.window import KioskWindow
from server.contract.http import TicketIn
from server.contract.messages import QueueSnapshot, ServiceStatus
from tests.kiosk.conftest import SwitchTransport, kiosk_client
from tests.kiosk.fake_api import ID_TEXT

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
