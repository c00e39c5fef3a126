"""Ticket layout: ``PrintedTicket`` in, a 1-bit PIL image at the printer's width out. Pure.

Rendering to an image (not printer text) is what makes Vietnamese print right on any
ESC/POS printer; the same image is what the virtual printer saves as PNG.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import qrcode
import qrcode.constants
from PIL import Image, ImageDraw

from hardware.errors import DeviceConfigError
from hardware.printer.canvas import Canvas, load_font
from hardware.printer.fonts import find_fonts
from server.contract.places import counter_list
from server.contract.waits import wait_text

if TYPE_CHECKING:
    from server.contract.http import TicketOut

PAPER_80MM = 576
PAPER_58MM = 384
LANGUAGES = ("vi", "en")

LABELS: dict[str, dict[str, str]] = {
    "vi": {
        "number": "SỐ THỨ TỰ",
        "priority": "ƯU TIÊN",
        "area": "Khu vực",
        "counters": "Quầy phục vụ",
        "call": "Quý khách vui lòng chờ gọi số",
        "ahead": "Số người chờ trước",
        "wait": "Thời gian chờ dự kiến",
        "issued": "Giờ lấy số",
        "qr": "Quét mã QR để theo dõi lượt của quý khách",
        "about": "khoảng",
        "min": "phút",
        "hour": "giờ",
        "now": "không phải chờ",
    },
    "en": {
        "number": "YOUR NUMBER",
        "priority": "PRIORITY",
        "area": "Area",
        "counters": "Served at counters",
        "call": "Please wait for your number to be called",
        "ahead": "People ahead",
        "wait": "Estimated wait",
        "issued": "Issued at",
        "qr": "Scan the QR code to follow your turn",
        "about": "about",
        "min": "min",
        "hour": "h",
        "now": "no wait",
    },
}

DEFAULT_FOOTER = (
    "Quý khách vui lòng chú ý bảng hiển thị và loa gọi số.",
    "Số thứ tự chỉ có giá trị trong ngày.",
)


@dataclass(frozen=True, slots=True)
class PrintedTicket:
    """Everything printed on one ticket. ``issued_at`` must carry its time zone."""

    number: str
    site_name: str
    department: str
    service: str
    track_url: str
    issued_at: datetime
    people_ahead: int = 0
    estimated_wait_s: int | None = None
    area: str | None = None
    counters: tuple[int, ...] = ()
    priority: str | None = None
    department_en: str | None = None
    service_en: str | None = None
    language: str = "vi"  # the citizen's choice at the kiosk: printed first
    # The range of the wait and whether a counter is open (``TicketOut``'s fields).
    wait_low_s: int | None = None
    wait_high_s: int | None = None
    counters_open: bool = True
    first_call_after: datetime | None = None

    def __post_init__(self) -> None:
        if not self.number.strip() or len(self.number) > 16:
            raise ValueError(f"ticket number must be 1..16 characters, got {self.number!r}")
        if self.issued_at.tzinfo is None:
            raise ValueError("issued_at must be timezone-aware (the server sends UTC)")
        if self.people_ahead < 0:
            raise ValueError(f"people_ahead must be >= 0, got {self.people_ahead}")
        if self.estimated_wait_s is not None and self.estimated_wait_s < 0:
            raise ValueError(f"estimated_wait_s must be >= 0, got {self.estimated_wait_s}")
        if not self.track_url or len(self.track_url) > 1000:
            raise ValueError("track_url must be 1..1000 characters (it goes in the QR code)")

    @classmethod
    def from_ticket_out(
        cls, ticket: TicketOut | Any, site_name: str, priority_label: str | None = None
    ) -> PrintedTicket:
        """Build from the server's ``TicketOut`` answer (the kiosk's usual path)."""
        return cls(
            number=ticket.number,
            site_name=site_name,
            department=ticket.department_name_vi,
            service=ticket.service_name_vi,
            department_en=ticket.department_name_en,
            service_en=ticket.service_name_en,
            track_url=ticket.track_url,
            issued_at=ticket.issued_at,
            people_ahead=ticket.people_ahead,
            estimated_wait_s=ticket.estimated_wait_s,
            area=ticket.area,
            counters=tuple(ticket.counters),
            priority=priority_label or ticket.priority,
            language=ticket.language,
            wait_low_s=getattr(ticket, "estimated_wait_low_s", None),
            wait_high_s=getattr(ticket, "estimated_wait_high_s", None),
            counters_open=getattr(ticket, "counters_open", True),
            first_call_after=getattr(ticket, "first_call_after", None),
        )


@dataclass(frozen=True, slots=True)
class TicketLayout:
    """Per-site look of the ticket. ``languages[0]`` is printed large, the rest small."""

    width: int = PAPER_80MM
    time_zone: str = "Asia/Ho_Chi_Minh"
    languages: tuple[str, ...] = ("vi", "en")
    header: tuple[str, ...] = ()
    footer: tuple[str, ...] = DEFAULT_FOOTER
    logo: Path | None = None
    font_regular: str | None = None
    font_bold: str | None = None
    labels: dict[str, dict[str, str]] = field(default_factory=lambda: LABELS)

    def __post_init__(self) -> None:
        if self.width % 8 or not 256 <= self.width <= 832:
            raise DeviceConfigError(
                f"ticket width must be a multiple of 8 between 256 and 832 dots "
                f"(576 for 80 mm, 384 for 58 mm paper), got {self.width}"
            )
        try:
            ZoneInfo(self.time_zone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise DeviceConfigError(f"unknown time zone {self.time_zone!r}") from exc
        if not self.languages or any(lang not in self.labels for lang in self.languages):
            raise DeviceConfigError(f"languages must be among {sorted(self.labels)}")
        if self.logo is not None and not Path(self.logo).is_file():
            raise DeviceConfigError(f"logo file not found: {self.logo}")

    @property
    def scale(self) -> float:
        return self.width / PAPER_80MM


def format_wait(seconds: int, language: str, labels: dict[str, dict[str, str]] = LABELS) -> str:
    """Round up to whole minutes: people prefer a pleasant surprise to a late one."""
    words = labels[language]
    minutes = math.ceil(seconds / 60)
    if minutes == 0:
        return words["now"]
    if minutes < 60:
        return f"{words['about']} {minutes} {words['min']}"
    hours, rest = divmod(minutes, 60)
    return f"{words['about']} {hours} {words['hour']} {rest:02d} {words['min']}"


def qr_image(data: str, target: int) -> Image.Image:
    """A crisp QR code about ``target`` pixels wide: whole pixels per module, 4-module margin."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(data)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    modules = len(matrix)
    box = max(2, target // (modules + 8))
    size = (modules + 8) * box
    picture = Image.new("L", (size, size), 255)
    draw = ImageDraw.Draw(picture)
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x, y = (c + 4) * box, (r + 4) * box
                draw.rectangle((x, y, x + box - 1, y + box - 1), fill=0)
    return picture


def _logo(path: Path, max_w: int, max_h: int) -> Image.Image:
    try:
        with Image.open(path) as raw:
            picture = raw.convert("L")
    except OSError as exc:
        raise DeviceConfigError(f"cannot read logo {path}: {exc}") from exc
    picture.thumbnail((max_w, max_h))
    return picture


class _Pen:
    """The ticket's fonts, scaled from their 80 mm sizes to the paper width."""

    def __init__(self, layout: TicketLayout) -> None:
        self.fonts = find_fonts(layout.font_regular, layout.font_bold)
        self.scale = layout.scale

    def reg(self, size: int) -> Any:
        return load_font(self.fonts.regular, max(14, round(size * self.scale)))

    def bold(self, size: int) -> Any:
        return load_font(self.fonts.bold, max(14, round(size * self.scale)))

    def fit(self, text: str, max_width: int, size: int) -> Any:
        """The largest bold font (up to ``size``) in which ``text`` fits on one line."""
        px = round(size * self.scale)
        font = load_font(self.fonts.bold, px)
        while px > 20 and font.getlength(text) > max_width:
            px -= 4
            font = load_font(self.fonts.bold, px)
        return font


@dataclass(frozen=True, slots=True)
class RenderedTicket:
    """The image plus the rows (top, bottom) of each named block, for layout checks."""

    image: Image.Image
    regions: dict[str, tuple[int, int]]


def render_ticket(ticket: PrintedTicket, layout: TicketLayout | None = None) -> Image.Image:
    """Draw the ticket; the result is mode "1", ``layout.width`` wide."""
    return render_ticket_regions(ticket, layout).image


def render_ticket_regions(
    ticket: PrintedTicket, layout: TicketLayout | None = None
) -> RenderedTicket:
    """Draw the ticket and say where each block went."""
    layout = layout or TicketLayout()
    if ticket.language != layout.languages[0] and ticket.language in layout.labels:
        # The citizen's language first, then the site's others.
        rest = tuple(lang for lang in layout.languages if lang != ticket.language)
        layout = dataclasses.replace(layout, languages=(ticket.language, *rest))
    pen = _Pen(layout)
    canvas = Canvas(layout.width, margin=max(12, round(20 * layout.scale)))
    _head(canvas, pen, ticket, layout)
    _number(canvas, pen, ticket, layout)
    _details(canvas, pen, ticket, layout)
    _tail(canvas, pen, ticket, layout)
    return RenderedTicket(canvas.finish(), dict(canvas.regions))


def _gap(layout: TicketLayout) -> int:
    return round(10 * layout.scale)


def _head(canvas: Canvas, pen: _Pen, ticket: PrintedTicket, layout: TicketLayout) -> None:
    """Logo, header lines, site name, department and field."""
    gap = _gap(layout)
    others = layout.languages[1:]
    if layout.logo is not None:
        canvas.paste(_logo(layout.logo, canvas.inner_width, round(110 * layout.scale)))
        canvas.space(gap)
    with canvas.section("header"):
        for line in layout.header:
            canvas.text(line, pen.reg(21))
    with canvas.section("site"):
        canvas.text(ticket.site_name.upper(), pen.bold(25))
    canvas.space(gap // 2)
    canvas.rule(thickness=max(2, round(3 * layout.scale)))
    canvas.space(gap)
    departments = {"vi": ticket.department, "en": ticket.department_en}
    services = {"vi": ticket.service, "en": ticket.service_en}
    main = layout.languages[0]
    with canvas.section("department"):
        canvas.text(departments.get(main) or ticket.department, pen.bold(25))
        for other in others:
            if departments.get(other) and departments.get(main):
                canvas.text(departments[other] or "", pen.reg(18))
    canvas.space(gap // 2)
    with canvas.section("service"):
        canvas.text(services.get(main) or ticket.service, pen.reg(24))
        for other in others:
            if services.get(other) and services.get(main):
                canvas.text(services[other] or "", pen.reg(18))
    canvas.space(gap)


def _number(canvas: Canvas, pen: _Pen, ticket: PrintedTicket, layout: TicketLayout) -> None:
    """The big number, and the priority band under it."""
    gap = _gap(layout)
    main, *others = layout.languages
    label = " / ".join(layout.labels[lang]["number"] for lang in (main, *others))
    canvas.text(label, pen.reg(20))
    canvas.space(gap * 2)
    with canvas.section("number"):
        canvas.text(ticket.number, pen.fit(ticket.number, canvas.inner_width, 170), tight=True)
    canvas.space(gap * 2)
    if ticket.priority:
        with canvas.section("priority"):
            canvas.banner(f"{layout.labels[main]['priority']}: {ticket.priority}", pen.bold(26))
        canvas.space(gap)


def _details(canvas: Canvas, pen: _Pen, ticket: PrintedTicket, layout: TicketLayout) -> None:
    """Where to go, how many ahead, how long, when: label left, value right."""
    main, *others = layout.languages
    label_font, value_font, small = pen.reg(22), pen.bold(24), pen.reg(17)

    def row(key: str, value: str) -> None:
        with canvas.section(key):
            canvas.row(layout.labels[main][key], value, label_font, value_font, spacing=0)
            for other in others:
                spacing = round(6 * layout.scale)
                canvas.text(layout.labels[other][key], small, align="left", spacing=spacing)

    if ticket.area:
        row("area", ticket.area)
    if ticket.counters:
        row("counters", counter_list(ticket.counters))
    row("ahead", str(ticket.people_ahead))
    if ticket.estimated_wait_s is not None:
        if ticket.counters_open and ticket.wait_low_s is None:
            row("wait", format_wait(ticket.estimated_wait_s, main, layout.labels))
        else:  # a range, or no counter open yet: the words the kiosk and tracking page use
            text = wait_text(
                ticket.estimated_wait_s,
                low_s=ticket.wait_low_s,
                high_s=ticket.wait_high_s,
                counters_open=ticket.counters_open,
                first_call_after=ticket.first_call_after,
                language=main,
                time_zone=layout.time_zone,
            )
            row("wait", text)
    local = ticket.issued_at.astimezone(ZoneInfo(layout.time_zone))
    row("issued", local.strftime("%H:%M  %d/%m/%Y"))
    # The counters say where, not "go now": the citizen waits for the call.
    canvas.space(_gap(layout))
    with canvas.section("call"):
        canvas.text(layout.labels[main]["call"], pen.bold(23))
        for other in others:
            canvas.text(layout.labels[other]["call"], small)


def _tail(canvas: Canvas, pen: _Pen, ticket: PrintedTicket, layout: TicketLayout) -> None:
    """The tracking QR code with its caption, then the footer."""
    gap = _gap(layout)
    main, *others = layout.languages
    canvas.space(gap)
    canvas.rule(thickness=2, dashed=True)
    canvas.space(gap)
    captions = [(layout.labels[main]["qr"], pen.bold(21))]
    captions += [(layout.labels[other]["qr"], pen.reg(18)) for other in others]
    with canvas.section("qr"):
        code = qr_image(ticket.track_url, round(230 * layout.scale))
        canvas.beside(code, captions, gap=round(8 * layout.scale), spacing=round(8 * layout.scale))
    canvas.space(gap)
    with canvas.section("footer"):
        for line in layout.footer:
            canvas.text(line, pen.reg(18))
