"""The ticket layout: size, every block present and inked, QR back to the link, diacritics."""

import dataclasses
from datetime import UTC, datetime

import pytest
import zxingcpp
from PIL import Image, ImageDraw

from hardware.ports import DeviceConfigError
from hardware.printer import fonts as fonts_module
from hardware.printer.canvas import line_extent, load_font
from hardware.printer.fonts import FontError, find_fonts, missing_glyphs
from hardware.printer.layout import (
    PAPER_58MM,
    PAPER_80MM,
    PrintedTicket,
    TicketLayout,
    format_wait,
    render_ticket,
    render_ticket_regions,
)

BLOCKS = [
    "site",
    "department",
    "service",
    "number",
    "priority",
    "area",
    "counters",
    "ahead",
    "wait",
    "issued",
    "call",
    "qr",
    "footer",
]


def ink_rows(image: Image.Image, top: int, bottom: int) -> int:
    """How many pixel rows between top and bottom have at least one black dot."""
    crop = image.convert("L").crop((0, top, image.width, bottom))
    return sum(
        1 for y in range(crop.height) if crop.crop((0, y, crop.width, y + 1)).getextrema()[0] < 128
    )


@pytest.mark.parametrize("width", [PAPER_80MM, PAPER_58MM])
def test_every_block_is_drawn_in_order_without_overlap(ticket, width):
    rendered = render_ticket_regions(ticket, TicketLayout(width=width))
    image = rendered.image
    assert image.mode == "1"
    assert image.width == width
    assert 600 < image.height < 2200
    previous_bottom = 0
    for name in BLOCKS:
        top, bottom = rendered.regions[name]
        assert top >= previous_bottom, f"{name} overlaps the block above"
        assert ink_rows(image, top, bottom) > 0, f"{name} is empty"
        previous_bottom = bottom
    assert previous_bottom <= image.height


def ink_box(image: Image.Image, top: int, bottom: int) -> tuple[int, int, int, int] | None:
    """The box around the black dots between two rows."""
    rows = image.convert("L").crop((0, top, image.width, bottom))
    return rows.point(lambda v: 255 - v).getbbox()


def test_big_number_is_big(ticket):
    rendered = render_ticket_regions(ticket)
    top, bottom = rendered.regions["number"]
    assert bottom - top > 100  # about 15 mm of paper at 203 dpi
    box = ink_box(rendered.image, top, bottom)
    assert box is not None
    assert box[2] - box[0] > PAPER_80MM // 2


def test_long_number_shrinks_to_fit(ticket):
    long = dataclasses.replace(ticket, number="B-12345678")
    rendered = render_ticket_regions(long)
    top, bottom = rendered.regions["number"]
    box = ink_box(rendered.image, top, bottom)
    assert box is not None and box[0] > 0 and box[2] < PAPER_80MM


@pytest.mark.parametrize("width", [PAPER_80MM, PAPER_58MM])
def test_qr_code_decodes_back_to_the_tracking_link(ticket, width):
    image = render_ticket(ticket, TicketLayout(width=width))
    results = zxingcpp.read_barcodes(image.convert("L"))
    assert [r.text for r in results] == [ticket.track_url]


def test_optional_blocks_are_left_out(ticket):
    plain = dataclasses.replace(
        ticket, priority=None, area=None, counters=(), estimated_wait_s=None
    )
    regions = render_ticket_regions(plain).regions
    for name in ("priority", "area", "counters", "wait"):
        assert name not in regions
    assert {"number", "ahead", "issued", "qr"} <= regions.keys()


def test_vietnamese_only_layout_is_shorter(ticket):
    both = render_ticket(ticket)
    vi = render_ticket(ticket, TicketLayout(languages=("vi",)))
    assert vi.height < both.height


def test_logo_and_header_are_drawn(ticket, tmp_path):
    logo = tmp_path / "logo.png"
    Image.new("L", (300, 300), 0).save(logo)
    layout = TicketLayout(logo=logo, header=("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH"))
    rendered = render_ticket_regions(ticket, layout)
    site_top = rendered.regions["site"][0]
    assert ink_rows(rendered.image, 0, site_top) > 110  # a 110-dot logo plus two lines


def test_time_is_printed_in_the_site_time_zone():
    # 23:30 UTC is 06:30 the next day in Hồ Chí Minh City: a different business day.
    assert (
        datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
        .astimezone(__import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh"))
        .strftime("%H:%M %d/%m")
        == "06:30 22/11"
    )


@pytest.mark.parametrize(
    ("seconds", "language", "text"),
    [
        (0, "vi", "không phải chờ"),
        (1, "vi", "khoảng 1 phút"),
        (1500, "vi", "khoảng 25 phút"),
        (3900, "vi", "khoảng 1 giờ 05 phút"),
        (1500, "en", "about 25 min"),
    ],
)
def test_wait_is_rounded_up_to_minutes(seconds, language, text):
    assert format_wait(seconds, language) == text


@pytest.mark.parametrize("text", ["Ệ", "ỖỞ", "TRUNG TÂM PHỤC VỤ ỦY BAN", "Nguyễn Thị Ngọc Ẩn", "ỹ"])
def test_stacked_diacritics_are_never_clipped(text):
    """Draw one line the way the ticket does; the ink must stay inside its line box."""
    fonts = find_fonts()
    for path, size in ((fonts.bold, 25), (fonts.regular, 18), (fonts.bold, 170)):
        font = load_font(path, size)
        above, below = line_extent(font, text)
        page = Image.new("L", (int(font.getlength(text)) + 20, above + below), 255)
        ImageDraw.Draw(page).text((10, above), text, font=font, fill=0, anchor="ls")
        full = Image.new("L", (page.width, above + below + 200), 255)
        ImageDraw.Draw(full).text((10, above + 100), text, font=font, fill=0, anchor="ls")
        # Same ink whether or not there is room around the line: nothing was cut off.
        inside = full.crop((0, 100, page.width, 100 + page.height))
        assert inside.tobytes() == page.tobytes()
        assert full.point(lambda v: 255 - v).getbbox()[1] >= 100


def test_dejavu_covers_vietnamese_and_a_missing_letter_is_seen():
    fonts = find_fonts()
    assert missing_glyphs(fonts.regular) == ""
    assert missing_glyphs(fonts.regular, "aệ中") == "中"  # DejaVu has no Chinese


def test_a_font_without_vietnamese_is_refused(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts_module, "VIETNAMESE_PROBE", "Ệ中")
    regular = str(find_fonts().regular)
    find_fonts.cache_clear()
    with pytest.raises(FontError, match="lacks Vietnamese"):
        find_fonts(regular, regular)
    with pytest.raises(FontError, match="not found"):
        find_fonts(str(tmp_path / "nope.ttf"))


def test_no_font_at_all_gives_an_installable_hint(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts_module, "font_dirs", lambda: [tmp_path])
    find_fonts.cache_clear()
    try:
        with pytest.raises(FontError, match="fonts-dejavu-core"):
            find_fonts()
    finally:
        find_fonts.cache_clear()


@pytest.mark.parametrize(
    "kwargs",
    [
        {"width": 500},
        {"width": 100},
        {"time_zone": "Mars/Olympus"},
        {"languages": ("fr",)},
        {"languages": ()},
        {"logo": "/nonexistent/logo.png"},
    ],
)
def test_bad_layout_settings_are_refused(kwargs):
    with pytest.raises(DeviceConfigError):
        TicketLayout(**kwargs)


@pytest.mark.parametrize(
    "change",
    [
        {"number": ""},
        {"number": "x" * 17},
        {"issued_at": datetime(2026, 1, 1)},
        {"people_ahead": -1},
        {"estimated_wait_s": -5},
        {"track_url": ""},
    ],
)
def test_bad_ticket_data_is_refused(ticket, change):
    with pytest.raises(ValueError):
        dataclasses.replace(ticket, **change)


def test_from_ticket_out_maps_the_server_answer():
    from server.contract.http import TicketOut

    out = TicketOut(
        id="t1",
        site="hcm",
        number="2001",
        service="ho-tich",
        service_name_vi="Hộ tịch",
        service_name_en="Civil status",
        department="tp",
        department_name_vi="Sở Tư pháp",
        department_name_en="Department of Justice",
        priority=None,
        language="vi",
        people_ahead=3,
        estimated_wait_s=420,
        issued_at=datetime(2026, 11, 22, 2, 0, tzinfo=UTC),
        status="waiting",
        track_url="https://qms.example.vn/t/abc",
        area="A",
        counters=[1, 2],
    )
    data = PrintedTicket.from_ticket_out(out, "Trung tâm", priority_label="Phụ nữ mang thai")
    assert data.number == "2001"
    assert data.service == "Hộ tịch" and data.department_en == "Department of Justice"
    assert data.counters == (1, 2) and data.priority == "Phụ nữ mang thai"


def test_an_english_ticket_puts_english_first(ticket):
    english = dataclasses.replace(ticket, language="en")
    vi_first = render_ticket_regions(ticket)
    en_first = render_ticket_regions(english)
    top, bottom = vi_first.regions["department"]
    # same blocks, different words on top
    assert vi_first.regions.keys() == en_first.regions.keys()
    assert (
        vi_first.image.crop((0, top, 576, bottom)).tobytes()
        != en_first.image.crop((0, top, 576, bottom)).tobytes()
    )
    # a Vietnamese-only site still prints English first for an English speaker
    only_vi = render_ticket_regions(english, TicketLayout(languages=("vi",)))
    assert (
        only_vi.image.height
        >= render_ticket_regions(ticket, TicketLayout(languages=("vi",))).image.height
    )


def test_english_first_without_english_names_falls_back_to_vietnamese(ticket):
    bare = dataclasses.replace(ticket, language="en", department_en=None, service_en=None)
    assert render_ticket(bare).width == PAPER_80MM


@pytest.mark.parametrize("width", [PAPER_80MM, PAPER_58MM])
def test_a_long_value_goes_under_its_label_and_stays_on_paper(ticket, width):
    long_area = dataclasses.replace(ticket, area="Tầng 2 – Khu tiếp nhận hồ sơ đất đai và xây dựng")
    rendered = render_ticket_regions(long_area, TicketLayout(width=width))
    top, bottom = rendered.regions["area"]
    normal = render_ticket_regions(ticket, TicketLayout(width=width)).regions["area"]
    assert bottom - top > normal[1] - normal[0]  # took more lines
    box = ink_box(rendered.image, top, bottom)
    assert box is not None and box[0] >= 12 and box[2] <= width - 12


def test_a_closed_field_or_a_range_prints_the_same_words_as_the_tracking_page(ticket):
    closed = dataclasses.replace(
        ticket,
        counters_open=False,
        first_call_after=datetime(2026, 3, 2, 0, 30, tzinfo=UTC),
    )
    ranged = dataclasses.replace(ticket, wait_low_s=20 * 60, wait_high_s=30 * 60)
    plain = render_ticket_regions(ticket)
    for variant in (closed, ranged):
        rendered = render_ticket_regions(variant)
        top, bottom = rendered.regions["wait"]
        assert ink_rows(rendered.image, top, bottom) > 0
        # Other words, other ink: the wait row is not the plain estimate's.
        wait_of = plain.regions["wait"]
        assert rendered.image.crop((0, top, rendered.image.width, bottom)).tobytes() != (
            plain.image.crop((0, wait_of[0], plain.image.width, wait_of[1])).tobytes()
        )
