"""Everything the clerk reads, in Vietnamese (default) and English, and its formatting."""

from server.contract.vocab import CounterState, Rating, TicketStatus

_TEXT: dict[str, tuple[str, str]] = {
    "app_title": ("Quầy giao dịch", "Counter terminal"),
    "login_title": ("Đăng nhập quầy", "Counter login"),
    "username": ("Tên đăng nhập", "Username"),
    "password": ("Mật khẩu", "Password"),
    "counter": ("Quầy", "Counter"),
    "login": ("Đăng nhập", "Log in"),
    "logout": ("Đăng xuất", "Log out"),
    "pick_counter": ("Chọn quầy làm việc", "Choose your counter"),
    "start_work": ("Bắt đầu làm việc", "Start work"),
    "call_next": ("Gọi số tiếp theo", "Call next"),
    "recall": ("Gọi lại", "Recall"),
    "start": ("Bắt đầu phục vụ", "Start service"),
    "finish": ("Hoàn thành", "Finish"),
    "no-show": ("Vắng mặt", "No-show"),
    "transfer": ("Chuyển", "Transfer"),
    "park": ("Tạm hoãn", "Park"),
    "pause": ("Tạm nghỉ", "Pause"),
    "resume": ("Mở lại quầy", "Resume"),
    "call": ("Gọi số cụ thể", "Call a number"),
    "resume_parked": ("Phục vụ tiếp", "Resume"),
    "resume_parked_reason": ("Phục vụ tiếp số tạm hoãn", "Resume a parked ticket"),
    "rate": ("Đánh giá", "Rating"),
    "retry": ("Thử lại", "Retry"),
    "current": ("Số hiện tại", "Current ticket"),
    "no_current": ("Chưa có số nào. Bấm “Gọi số tiếp theo”.", "No ticket. Press “Call next”."),
    "waited": ("Đã chờ", "Waited"),
    "times_called": ("Lần gọi", "Times called"),
    "priority": ("Ưu tiên", "Priority"),
    "appointment": ("Lịch hẹn", "Appointment"),
    "queue": ("Hàng chờ", "Queue"),
    "waiting_per_field": ("Đang chờ theo lĩnh vực", "Waiting per field"),
    "longest_wait": ("Chờ lâu nhất", "Longest wait"),
    "next_up": ("Số kế tiếp", "Next up"),
    "parked": ("Số tạm hoãn", "Parked"),
    "queue_empty": ("Không có ai đang chờ", "Nobody is waiting"),
    "none": ("Không có", "None"),
    "my_day": ("Kết quả làm việc hôm nay", "Today's work"),
    "served": ("Đã phục vụ", "Served"),
    "no_shows": ("Vắng mặt", "No-shows"),
    "avg_service": ("Phục vụ TB", "Avg service"),
    "avg_rating": ("Hài lòng TB", "Avg rating"),
    "ratings_count": ("lượt", "ratings"),
    "unreachable": (
        "Không kết nối được máy chủ. Số đang phục vụ vẫn giữ nguyên; "
        "thao tác sẽ được gửi lại an toàn.",
        "Server unreachable. The current ticket stays; actions are retried safely.",
    ),
    "live_lost": (
        "Mất cập nhật trực tiếp hàng chờ (MQTT); đang kết nối lại…",
        "Live queue updates lost (MQTT); reconnecting…",
    ),
    "live_connecting": (
        "Đang kết nối cập nhật trực tiếp hàng chờ (MQTT)…",
        "Connecting to live queue updates (MQTT)…",
    ),
    "closed_banner": (
        "Quầy đang đóng: màn hình sảnh hiện “Quầy đóng”. Bấm “Mở lại quầy” (F9) để bắt đầu gọi số.",
        "Counter closed: the hall display shows “Quầy đóng” (closed). Press “Resume” (F9) to "
        "start calling.",
    ),
    "paused_banner": (
        "Quầy đang tạm nghỉ: màn hình sảnh hiện “Tạm nghỉ” và không có số mới được gọi đến "
        "quầy. Bấm “Mở lại quầy” (F9) để tiếp tục.",
        "Counter paused: the hall display shows “Tạm nghỉ” (paused) and calls no new number "
        "here. Press “Resume” (F9) to carry on.",
    ),
    "sending": ("Đang gửi…", "Sending…"),
    "pending": (
        "Lần bấm “{action}” chưa được máy chủ xác nhận. Thử lại (an toàn, không gọi trùng) "
        "hoặc bỏ qua.",
        "The press “{action}” was never confirmed by the server. Retry (safe, never "
        "doubled) or dismiss.",
    ),
    "dismiss": ("Bỏ qua", "Dismiss"),
    "logout_unreachable": (
        "Không báo được máy chủ khi đăng xuất: quầy có thể vẫn hiện đang mở.",
        "The server did not hear the logout: the counter may still show as open.",
    ),
    "session_expired": (
        "Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.",
        "Your session has expired. Please log in again.",
    ),
    "transfer_title": ("Chuyển số thứ tự", "Transfer ticket"),
    "to_field": ("Sang lĩnh vực", "To field"),
    "to_counter": ("Sang quầy", "To counter"),
    "note": ("Ghi chú", "Note"),
    "ok": ("Đồng ý", "OK"),
    "cancel": ("Hủy", "Cancel"),
    "call_title": ("Gọi số cụ thể", "Call a specific number"),
    "ticket_number": ("Số thứ tự", "Ticket number"),
    "reason": ("Lý do", "Reason"),
    "need_reason": ("Vui lòng nhập lý do.", "Please give a reason."),
    "need_number": ("Vui lòng nhập số thứ tự.", "Please enter a ticket number."),
    "need_target": ("Chọn lĩnh vực hoặc quầy nhận.", "Choose a field or a counter."),
    "rating_title": ("Mời quý khách đánh giá", "Please rate our service"),
    "rating_thanks": ("Cảm ơn quý khách!", "Thank you!"),
    "rating_sent": ("Đã ghi nhận đánh giá", "Rating recorded"),
    "pin": ("Mã PIN", "PIN"),
    "pin_at": ("Nhập mã PIN tại {counter}", "Enter your PIN at {counter}"),
    "use_password": ("Đăng nhập bằng tên và mật khẩu", "Log in with username and password"),
    "use_pin": ("Đăng nhập bằng mã PIN", "Log in with a PIN"),
    "erase": ("Xóa", "Erase"),
    "need_pin": ("Mã PIN gồm 4 đến 8 chữ số.", "A PIN is 4 to 8 digits."),
    "need_counter": (
        "Máy này chưa biết quầy của mình: đăng nhập bằng tên và mật khẩu.",
        "This terminal does not know its counter yet: log in with username and password.",
    ),
    "need_terminal": (
        "Máy này chưa được đăng ký là máy quầy (không có mã thiết bị): đăng nhập bằng tên và "
        "mật khẩu.",
        "This PC is not registered as a counter terminal (no device token): log in with "
        "username and password.",
    ),
    "keep_place": ("Giữ thứ tự cũ", "Keep original place"),
    "to_front": ("Lên đầu hàng", "To the front"),
    "place_in_line": ("Vị trí trong hàng", "Place in line"),
    "login_failed": ("Đăng nhập không thành công", "Login failed"),
    "need_login": ("Nhập tên đăng nhập và mật khẩu.", "Enter username and password."),
    "shortcuts": (
        "F1/Space: gọi số tiếp theo · F2: gọi lại · F3: bắt đầu · F4: hoàn thành · F5: vắng mặt · "
        "F6: chuyển · F7: tạm hoãn · F8: gọi số cụ thể · F9: tạm nghỉ",
        "F1/Space: call next · F2: recall · F3: start · F4: finish · F5: no-show · "
        "F6: transfer · F7: park · F8: call a number · F9: pause",
    ),
}

_STATUS: dict[TicketStatus, tuple[str, str]] = {
    TicketStatus.WAITING: ("Đang chờ", "Waiting"),
    TicketStatus.CALLED: ("Đang mời", "Called"),
    TicketStatus.SERVING: ("Đang phục vụ", "Serving"),
    TicketStatus.PARKED: ("Tạm hoãn", "Parked"),
    TicketStatus.DONE: ("Hoàn thành", "Done"),
    TicketStatus.NO_SHOW: ("Vắng mặt", "No-show"),
    TicketStatus.TRANSFERRED: ("Đã chuyển", "Transferred"),
    TicketStatus.CANCELLED: ("Đã hủy", "Cancelled"),
    TicketStatus.EXPIRED: ("Hết hạn", "Expired"),
}

_COUNTER_STATE: dict[CounterState, tuple[str, str]] = {
    CounterState.OPEN: ("Đang mở", "Open"),
    CounterState.PAUSED: ("Tạm nghỉ", "Paused"),
    CounterState.CLOSED: ("Quầy đóng", "Closed"),
}

RATINGS: tuple[Rating, ...] = (
    Rating.VERY_SATISFIED,
    Rating.SATISFIED,
    Rating.NEUTRAL,
    Rating.UNSATISFIED,
)

_RATING: dict[Rating, tuple[str, str]] = {
    Rating.VERY_SATISFIED: ("Rất hài lòng", "Very satisfied"),
    Rating.SATISFIED: ("Hài lòng", "Satisfied"),
    Rating.NEUTRAL: ("Bình thường", "Neutral"),
    Rating.UNSATISFIED: ("Chưa hài lòng", "Unsatisfied"),
}


def counter_title(number: int, name: str, language: str = "vi") -> str:
    """A counter's heading: the site's own name in Vietnamese ("Quầy 1 - Ưu tiên"); in
    English "Counter 1", with the rest of the site's name kept as the site wrote it."""
    if language != "en":
        return name
    extra = name.removeprefix(f"{_TEXT['counter'][0]} {number}").strip(" -–·")
    return f"{_TEXT['counter'][1]} {number}" + (f" - {extra}" if extra else "")


def _pick(pair: tuple[str, str], language: str) -> str:
    return pair[1] if language == "en" else pair[0]


def every_text() -> list[str]:
    """Every sentence of the tables, both languages: what the wording checks read."""
    tables: tuple[dict, ...] = (_TEXT, _STATUS, _COUNTER_STATE, _RATING)
    return [s for table in tables for pair in table.values() for s in pair]


def text(key: str, language: str = "vi") -> str:
    return _pick(_TEXT[key], language)


def status_text(status: TicketStatus, language: str = "vi") -> str:
    return _pick(_STATUS[status], language)


def counter_state_text(state: CounterState, language: str = "vi") -> str:
    return _pick(_COUNTER_STATE[state], language)


def rating_text(rating: Rating, language: str = "vi") -> str:
    return _pick(_RATING[rating], language)


def duration(seconds: int | None, language: str = "vi") -> str:
    """A wait or service time as people say it: "45 giây", "12 phút", "1 giờ 05 phút"."""
    if seconds is None:
        return "—"
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} giây" if language != "en" else f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} phút" if language != "en" else f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} giờ {rest:02d} phút" if language != "en" else f"{hours} h {rest:02d} min"


def average_rating(value: float | None, language: str = "vi") -> str:
    """The day's mean rating on the pad's scale (4 = very satisfied)."""
    if value is None:
        return "—"
    text_value = f"{value:.1f}/4"
    return text_value.replace(".", ",") if language != "en" else text_value
