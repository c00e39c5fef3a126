"""Every text of the booking pages, Vietnamese first (the one text table of ``/book/``)."""

TEXTS: dict[str, tuple[str, str]] = {
    "title": ("Đặt lịch hẹn", "Book an appointment"),
    "choose_site": ("Chọn nơi quý khách muốn đến", "Choose where you want to go"),
    "choose_field": ("Chọn lĩnh vực cần giải quyết", "Choose the service you need"),
    "choose_day": ("Chọn ngày", "Choose a day"),
    "choose_slot": ("Chọn giờ", "Choose a time"),
    "no_sites": ("Hiện chưa có điểm nào nhận đặt lịch.", "No centre takes appointments yet."),
    "no_slots": (
        "Ngày này không còn khung giờ nhận đặt lịch. Quý khách vui lòng chọn ngày khác.",
        "No time left to book on this day. Please choose another day.",
    ),
    "free": ("còn {n} chỗ", "{n} left"),
    "full": ("đã đủ", "full"),
    "cccd": ("Số CCCD (không bắt buộc)", "ID card number (optional)"),
    "cccd_help": (
        "Nếu nhập, quý khách có thể quét thẻ CCCD tại máy lấy số thay cho mã đặt lịch. "
        "Số CCCD không được lưu, chỉ lưu một mã băm.",
        "If given, you can scan your ID card at the kiosk instead of the booking code. "
        "The number itself is not stored, only a keyed hash of it.",
    ),
    "cccd_invalid": ("Số CCCD phải có đúng 12 chữ số.", "The ID number must have 12 digits."),
    "pick_slot": ("Quý khách vui lòng chọn một khung giờ.", "Please choose a time."),
    "form_used": (
        "Biểu mẫu này đã được dùng để đặt một lịch hẹn khác. Nếu quý khách muốn đặt thêm, "
        "vui lòng chọn lại khung giờ và bấm “Đặt lịch”.",
        "This form already booked another appointment. To book one more, please choose "
        "the time again and press “Book”.",
    ),
    "submit": ("Đặt lịch", "Book"),
    "back": ("Quay lại", "Back"),
    "booked_title": ("Lịch hẹn của quý khách", "Your appointment"),
    "code": ("Mã đặt lịch", "Booking code"),
    "site": ("Nơi tiếp nhận", "Centre"),
    "field": ("Lĩnh vực", "Service"),
    "day": ("Ngày", "Day"),
    "time": ("Giờ hẹn", "Time"),
    "status": ("Trạng thái", "Status"),
    "check_in_help": (
        "Khi đến, quý khách quét mã QR này (hoặc nhập mã đặt lịch, hoặc quét thẻ CCCD) tại "
        "máy lấy số, từ {opens} đến {closes}. Quá {closes} lịch hẹn hết hiệu lực.",
        "When you arrive, scan this QR code (or type the booking code, or scan your ID card) "
        "at the kiosk, from {opens} to {closes}. After {closes} the appointment lapses.",
    ),
    "keep": (
        "Quý khách vui lòng lưu lại trang này (hoặc chụp màn hình).",
        "Please keep this page (or take a screenshot).",
    ),
    "cancel": ("Hủy lịch hẹn", "Cancel the appointment"),
    "cancel_confirm": (
        "Hủy lịch hẹn này? Khung giờ sẽ được nhường cho người khác.",
        "Cancel this appointment? The time will be given to someone else.",
    ),
    "cancelled_note": ("Lịch hẹn đã được hủy.", "The appointment was cancelled."),
    "unknown_title": ("Không tìm thấy lịch hẹn", "Appointment not found"),
    "unknown": (
        "Liên kết này không đúng. Quý khách vui lòng kiểm tra lại.",
        "This link is not valid. Please check it.",
    ),
    "other": ("English", "Tiếng Việt"),
    "booked": ("Đã đặt", "Booked"),
    "checked_in": ("Đã nhận số", "Checked in"),
    "cancelled": ("Đã hủy", "Cancelled"),
    "lapsed": ("Đã hết hiệu lực (không đến nhận số)", "Lapsed (not checked in)"),
}

WEEKDAYS = (
    ("Thứ Hai", "Mon"),
    ("Thứ Ba", "Tue"),
    ("Thứ Tư", "Wed"),
    ("Thứ Năm", "Thu"),
    ("Thứ Sáu", "Fri"),
    ("Thứ Bảy", "Sat"),
    ("Chủ Nhật", "Sun"),
)


def text(key: str, lang: str, **values: object) -> str:
    vi, en = TEXTS[key]
    chosen = en if lang == "en" else vi
    return chosen.format(**values) if values else chosen
