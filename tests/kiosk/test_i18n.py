from datetime import datetime

import pytest

from kiosk.i18n import (
    LANGUAGES,
    TEXTS,
    check_language,
    format_date,
    format_wait,
    placeholders,
    text,
)


def test_both_languages_have_the_same_keys():
    assert set(TEXTS) == set(LANGUAGES)
    assert set(TEXTS["vi"]) == set(TEXTS["en"])


@pytest.mark.parametrize("key", sorted(TEXTS["vi"]))
def test_every_text_is_filled_and_uses_the_same_placeholders(key):
    vi, en = TEXTS["vi"][key], TEXTS["en"][key]
    assert vi.strip()
    assert en.strip()
    assert placeholders(vi) == placeholders(en)


def test_the_required_vietnamese_wording():
    assert text("back", "vi") == "Quay lại"
    assert text("start_over", "vi") == "Làm lại từ đầu"
    assert text("closed_quota", "vi") == "Đã hết số hôm nay"
    assert text("closed_hours", "vi") == "Ngoài giờ tiếp nhận"
    assert text("unavailable_title", "vi") == "Tạm thời gián đoạn"


def test_language_switch_button_names_the_other_language():
    assert text("switch_language", "vi") == "English"
    assert text("switch_language", "en") == "Tiếng Việt"


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown language 'fr'"):
        check_language("fr")


def test_dates_and_waits():
    monday = datetime(2026, 11, 23, 8, 5)
    assert format_date(monday, "vi") == "Thứ Hai, 23/11/2026"
    assert format_date(monday, "en") == "Monday 23 November 2026"
    assert format_wait(30, "vi") == "khoảng 1 phút"
    assert format_wait(15 * 60, "vi") == "khoảng 15 phút"
    assert format_wait(80 * 60, "vi") == "khoảng 1 giờ 20 phút"
    assert format_wait(120 * 60, "en") == "about 2 h"


def test_every_text_is_used_somewhere():
    from pathlib import Path

    import kiosk

    root = Path(kiosk.__file__).parent
    source = "".join(
        p.read_text(encoding="utf-8") for p in root.rglob("*.py") if p.name != "i18n.py"
    )
    unused = [key for key in TEXTS["vi"] if f'"{key}"' not in source]
    assert unused == []


def _citizen_texts() -> dict[str, str]:
    """Every Vietnamese sentence a citizen reads from the kiosk: its screens, the printed
    ticket's labels and footer, the printer's states and the wait in words."""
    from hardware.ports import PrinterStatus, status_text
    from hardware.printer.layout import DEFAULT_FOOTER, LABELS
    from server.contract.waits import WORDS

    found = {f"kiosk {key}": value for key, value in TEXTS["vi"].items()}
    found |= {f"ticket {key}": value for key, value in LABELS["vi"].items()}
    found |= {f"ticket footer {n}": line for n, line in enumerate(DEFAULT_FOOTER)}
    found |= {f"printer {s.value}": status_text(s, "vi") for s in PrinterStatus}
    found |= {f"wait {key}": value for key, value in WORDS["vi"].items()}
    return found


def test_one_form_of_address_and_one_spelling_everywhere():
    """The citizen is "quý khách" on every screen and ticket, never "bạn"; "Xóa" as the
    counter writes it."""
    import re

    texts = _citizen_texts()
    assert not {k: v for k, v in texts.items() if re.search(r"\bbạn\b", v, re.IGNORECASE)}
    assert not {k: v for k, v in texts.items() if "Xoá" in v or "xoá" in v}
    assert text("search_clear", "vi") == "Xóa"


def test_the_ticket_says_where_and_to_wait_for_the_call():
    from hardware.printer.layout import LABELS

    assert text("ticket_area", "vi", area="A", counters="1–6") == "Khu vực A · quầy phục vụ: 1–6"
    assert "chờ" in text("ticket_call", "vi") and "gọi số" in text("ticket_call", "vi")
    assert LABELS["vi"]["counters"] == "Quầy phục vụ"
    assert "mời đến" not in " ".join(_citizen_texts().values()).lower()
