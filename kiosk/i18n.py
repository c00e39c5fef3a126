"""Every sentence the kiosk shows, in Vietnamese (the default) and English.

One table per language with the same keys, so a test can prove nothing is missing
and a switch of language is a lookup, never a re-translation in a widget.
"""

from __future__ import annotations

import string
from datetime import datetime
from typing import Final

LANGUAGES: Final = ("vi", "en")
DEFAULT_LANGUAGE: Final = "vi"

TEXTS: Final[dict[str, dict[str, str]]] = {
    "vi": {
        "site_unknown": "Trung tâm Phục vụ hành chính công",
        "welcome_title": "Kính chào quý khách",
        "welcome_prompt": "Mời quý khách chọn cơ quan cần giải quyết thủ tục",
        "fields_prompt": "Mời quý khách chọn lĩnh vực cần giải quyết",
        "search_button": "Tìm lĩnh vực",
        "search_prompt": "Nhập tên lĩnh vực, không cần gõ dấu",
        "search_placeholder": "Ví dụ: ho tich",
        "search_empty": "Không tìm thấy lĩnh vực phù hợp",
        "search_clear": "Xóa",
        "search_space": "Dấu cách",
        "back": "Quay lại",
        "page_previous": "Trang trước",
        "page_next": "Trang sau",
        "start_over": "Làm lại từ đầu",
        "switch_language": "English",
        "waiting": "Đang chờ: {count}",
        "estimate": "Chờ {wait}",
        "no_wait": "Không phải chờ",
        "closed_quota": "Đã hết số hôm nay",
        "closed_hours": "Ngoài giờ tiếp nhận",
        "closed_disabled": "Tạm ngừng tiếp nhận",
        "services_count": "{count} lĩnh vực",
        "priority_title": "Quý khách có thuộc đối tượng ưu tiên không?",
        "priority_hint": "Đối tượng ưu tiên được phục vụ trước. "
        "Cán bộ có thể đề nghị quý khách xuất trình giấy tờ.",
        "priority_none": "Không, lấy số thường",
        "issuing": "Đang lấy số, quý khách vui lòng chờ...",
        "ticket_title": "Số thứ tự của quý khách",
        "ticket_priority": "Ưu tiên: {category}",
        "ticket_ahead": "Số người chờ trước: {count}",
        "ticket_wait": "Thời gian chờ dự kiến: {wait}",
        "ticket_counters": "Quầy phục vụ: {counters}",
        "ticket_area": "Khu vực {area} · quầy phục vụ: {counters}",
        "ticket_call": "Quý khách vui lòng chờ gọi số trên bảng hiển thị và loa.",
        "ticket_qr": "Quét mã QR để theo dõi lượt trên điện thoại",
        "ticket_printing": "Đang in vé...",
        "ticket_printed": "Mời quý khách nhận vé bên dưới.",
        "ticket_print_failed": "Không in được vé: {reason}. Số thứ tự của quý khách "
        "vẫn được giữ, quý khách vui lòng ghi lại số hoặc chụp mã QR.",
        "ticket_screen_only": "Vé không được in. Số thứ tự của quý khách "
        "vẫn được giữ, quý khách vui lòng ghi lại số hoặc chụp mã QR.",
        "reprint": "In lại vé",
        "reprint_none": "Chưa có vé nào để in lại",
        "reprint_inactive": "Vé {number} đã được phục vụ xong, không in lại",
        "done": "Hoàn tất",
        "unavailable_title": "Tạm thời gián đoạn",
        "unavailable_body": "Máy lấy số đang kết nối lại với hệ thống. "
        "Quý khách vui lòng chờ trong giây lát hoặc liên hệ cán bộ hướng dẫn.",
        "unavailable_retrying": "Tự động thử lại sau {seconds} giây",
        "unavailable_detail": "Chi tiết cho cán bộ kỹ thuật: {detail}",
        "unavailable_pending": "Yêu cầu lấy số của quý khách sẽ được hoàn tất khi có kết nối.",
        "printer_blocking": "{status}. Tạm ngừng cấp số tại máy này, "
        "quý khách vui lòng liên hệ cán bộ hướng dẫn.",
        "printer_screen_only": "{status}. Số thứ tự sẽ hiện trên màn hình, không in vé.",
        "printer_none": "Máy này không có máy in: số thứ tự hiện trên màn hình.",
        "greeting": "Xin chào {name} ·\u00a0CCCD\u00a0{masked}",
        "scan_unconfigured": "Máy này chưa được cài đặt để đọc thẻ căn cước, "
        "quý khách vui lòng chọn lĩnh vực.",
        "scan_hint": "Quý khách có thể quét mã QR trên thẻ căn cước",
        "scan_forget": "Không phải tôi",
        "active_ticket": "Quý khách đã có số {number} cho lĩnh vực này và đang chờ phục vụ. "
        "Quý khách vui lòng sử dụng số đó.",
        "service_closed": "{service}: {reason}",
        "checkin_button": "Đã đặt lịch hẹn",
        "appointment_band": "Có lịch hẹn",
        "checkin_title": "Nhận số theo lịch hẹn",
        "checkin_prompt": "Quét mã QR của lịch hẹn, hoặc thẻ CCCD đã dùng khi đặt lịch, "
        "hoặc nhập mã đặt lịch (8 chữ số)",
        "checkin_submit": "Nhận số",
        "checkin_clear": "Xóa hết",
        "checkin_busy": "Đang kiểm tra lịch hẹn…",
        "checkin_refused": "Không nhận được lịch hẹn: {message}",
        "issue_refused": "Không lấy được số: {message}",
    },
    "en": {
        "site_unknown": "Public Administrative Service Centre",
        "welcome_title": "Welcome",
        "welcome_prompt": "Please choose the agency that handles your request",
        "fields_prompt": "Please choose the service you need",
        "search_button": "Search services",
        "search_prompt": "Type the name of a service",
        "search_placeholder": "For example: civil status",
        "search_empty": "No matching service found",
        "search_clear": "Clear",
        "search_space": "Space",
        "back": "Back",
        "page_previous": "Previous page",
        "page_next": "Next page",
        "start_over": "Start over",
        "switch_language": "Tiếng Việt",
        "waiting": "Waiting: {count}",
        "estimate": "Wait {wait}",
        "no_wait": "No wait",
        "closed_quota": "No more numbers today",
        "closed_hours": "Outside opening hours",
        "closed_disabled": "Not accepting requests now",
        "services_count": "{count} services",
        "priority_title": "Do you qualify for priority service?",
        "priority_hint": "Priority visitors are served first. Staff may ask for a document.",
        "priority_none": "No, a regular number",
        "issuing": "Getting your number, please wait...",
        "ticket_title": "Your number",
        "ticket_priority": "Priority: {category}",
        "ticket_ahead": "People ahead of you: {count}",
        "ticket_wait": "Estimated wait: {wait}",
        "ticket_counters": "Served at counters: {counters}",
        "ticket_area": "Zone {area} · served at counters: {counters}",
        "ticket_call": "Please wait until your number is called on the display board.",
        "ticket_qr": "Scan the QR code to follow your turn on your phone",
        "ticket_printing": "Printing your ticket...",
        "ticket_printed": "Please take your ticket below.",
        "ticket_print_failed": "The ticket could not be printed: {reason}. "
        "Your number is kept: note it down or photograph the QR code.",
        "ticket_screen_only": "No ticket is printed. "
        "Your number is kept: note it down or photograph the QR code.",
        "reprint": "Print again",
        "reprint_none": "No ticket to print again yet",
        "reprint_inactive": "Ticket {number} has been served; not printing it again",
        "done": "Done",
        "unavailable_title": "Temporarily unavailable",
        "unavailable_body": "This kiosk is reconnecting to the system. "
        "Please wait a moment or ask the staff for help.",
        "unavailable_retrying": "Trying again in {seconds} seconds",
        "unavailable_detail": "For the technician: {detail}",
        "unavailable_pending": "Your request for a number will complete once we reconnect.",
        "printer_blocking": "{status}. This kiosk cannot issue numbers now, "
        "please ask the staff for help.",
        "printer_screen_only": "{status}. Your number will be shown on screen, not printed.",
        "printer_none": "This kiosk has no printer: your number is shown on screen.",
        "greeting": "Hello {name} ·\u00a0ID\u00a0{masked}",
        "scan_unconfigured": "This kiosk is not set up to read ID cards; please choose a service.",
        "scan_hint": "You may scan the QR code on your citizen ID card",
        "scan_forget": "Not me",
        "active_ticket": "You already have number {number} for this service, still waiting. "
        "Please use that number.",
        "service_closed": "{service}: {reason}",
        "checkin_button": "Appointment",
        "appointment_band": "Appointment",
        "checkin_title": "Check in for your appointment",
        "checkin_prompt": "Scan your appointment's QR code, or the ID card you booked with, "
        "or type your 8-digit booking code",
        "checkin_submit": "Get my number",
        "checkin_clear": "Clear",
        "checkin_busy": "Checking your appointment…",
        "checkin_refused": "Could not check in: {message}",
        "issue_refused": "Could not get a number: {message}",
    },
}

_WEEKDAYS: Final = {
    "vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS_EN: Final = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def check_language(language: str) -> str:
    """Refuse a language the kiosk has no texts for (a typo in a config, say)."""
    if language not in TEXTS:
        raise ValueError(f"unknown language {language!r}; use one of {', '.join(LANGUAGES)}")
    return language


def text(key: str, language: str, **values: object) -> str:
    """The sentence ``key`` in ``language`` with its ``{placeholders}`` filled in."""
    template = TEXTS[check_language(language)][key]
    return template.format(**values) if values else template


def placeholders(template: str) -> set[str]:
    """Names of the ``{fields}`` in a template: both languages must use the same ones."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def format_date(moment: datetime, language: str) -> str:
    """A date the way people read it at the hall: "Thứ Hai, 23/11/2026"."""
    weekday = _WEEKDAYS[check_language(language)][moment.weekday()]
    if language == "vi":
        return f"{weekday}, {moment.day:02d}/{moment.month:02d}/{moment.year}"
    return f"{weekday} {moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}"


def format_time(moment: datetime) -> str:
    """24-hour clock, the same in both languages."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def format_wait(seconds: int, language: str) -> str:
    """A rounded, honest estimate: "khoảng 15 phút", "khoảng 1 giờ 20 phút"."""
    check_language(language)
    minutes = max(1, round(seconds / 60))
    about = "khoảng" if language == "vi" else "about"
    if minutes < 60:
        unit = "phút" if language == "vi" else "min"
        return f"{about} {minutes} {unit}"
    hours, rest = divmod(minutes, 60)
    if language == "vi":
        return f"{about} {hours} giờ" + (f" {rest} phút" if rest else "")
    return f"{about} {hours} h" + (f" {rest} min" if rest else "")
