"""Refusals: the engine's answer when a citizen or clerk asks for something not allowed.

A refusal is an expected outcome, not a bug, so it carries a stable ``code`` for
clients and a message in both languages that a kiosk or counter can show as is.
The constructors below are the only place these texts live.
"""

from server.contract.vocab import TicketStatus


class Refusal(Exception):
    """A command the rules do not allow; the API turns it into a 4xx ``ErrorOut``."""

    def __init__(self, code: str, message_vi: str, message_en: str, **details: object) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.details: dict[str, object] = dict(details)

    def message(self, language: str) -> str:
        """The text in the requested language (Vietnamese unless English was asked)."""
        return self.message_en if language == "en" else self.message_vi


# Vietnamese names of the states and actions, for the invalid_transition message.
STATUS_VI: dict[TicketStatus, str] = {
    TicketStatus.WAITING: "đang chờ",
    TicketStatus.CALLED: "đã được gọi",
    TicketStatus.SERVING: "đang được phục vụ",
    TicketStatus.PARKED: "đang tạm hoãn",
    TicketStatus.DONE: "đã hoàn thành",
    TicketStatus.NO_SHOW: "vắng mặt",
    TicketStatus.TRANSFERRED: "đã chuyển",
    TicketStatus.CANCELLED: "đã hủy",
    TicketStatus.EXPIRED: "đã hết hạn",
}

STATUS_EN: dict[TicketStatus, str] = {
    TicketStatus.WAITING: "waiting",
    TicketStatus.CALLED: "called",
    TicketStatus.SERVING: "being served",
    TicketStatus.PARKED: "parked",
    TicketStatus.DONE: "done",
    TicketStatus.NO_SHOW: "marked no-show",
    TicketStatus.TRANSFERRED: "transferred",
    TicketStatus.CANCELLED: "cancelled",
    TicketStatus.EXPIRED: "expired",
}

ACTION_VI: dict[str, str] = {
    "call": "gọi",
    "recall": "gọi lại",
    "start": "bắt đầu phục vụ",
    "finish": "hoàn thành",
    "no_show": "đánh dấu vắng mặt",
    "park": "tạm hoãn",
    "cancel": "hủy",
    "expire": "hết hạn",
    "transfer": "chuyển",
    "move": "chuyển chỗ chờ",
}

ACTION_EN: dict[str, str] = {
    "call": "call",
    "recall": "recall",
    "start": "start serving",
    "finish": "finish",
    "no_show": "mark as no-show",
    "park": "park",
    "cancel": "cancel",
    "expire": "expire",
    "transfer": "transfer",
    "move": "move",
}


def service_disabled(service: str) -> Refusal:
    return Refusal(
        "service_disabled",
        "Lĩnh vực này đang tạm ngưng tiếp nhận hồ sơ.",
        "This service is not taking tickets at the moment.",
        service=service,
    )


def outside_hours(service: str) -> Refusal:
    return Refusal(
        "outside_hours",
        "Ngoài giờ tiếp nhận hồ sơ. Kính mời quý khách quay lại trong giờ làm việc.",
        "Outside opening hours. Please come back during opening hours.",
        service=service,
    )


def holiday(service: str) -> Refusal:
    return Refusal(
        "holiday",
        "Hôm nay là ngày nghỉ, trung tâm không tiếp nhận hồ sơ. Kính mời quý khách quay lại.",
        "The centre is closed today (a holiday). Please come back on a working day.",
        service=service,
    )


def issuing_stopped(service: str) -> Refusal:
    return Refusal(
        "issuing_stopped",
        "Đã ngừng cấp số do sắp hết giờ tiếp nhận. Kính mời quý khách quay lại buổi sau.",
        "No more numbers: the session is about to close. Please come back next session.",
        service=service,
    )


def quota_reached(service: str) -> Refusal:
    return Refusal(
        "quota_reached",
        "Lĩnh vực này đã hết số thứ tự trong ngày hôm nay.",
        "No more numbers for this service today.",
        service=service,
    )


def unknown_priority(priority: str) -> Refusal:
    return Refusal(
        "unknown_priority",
        "Đối tượng ưu tiên không hợp lệ.",
        "Unknown priority category.",
        priority=priority,
    )


def citizen_active_ticket(number: str, service: str) -> Refusal:
    return Refusal(
        "citizen_active_ticket",
        f"Quý khách đang có số {number} của lĩnh vực này, chưa được giải quyết.",
        f"You already hold number {number} for this service.",
        number=number,
        service=service,
    )


def citizen_daily_limit(limit: int) -> Refusal:
    return Refusal(
        "citizen_daily_limit",
        f"Quý khách đã lấy đủ {limit} số thứ tự trong ngày hôm nay.",
        f"You have reached today's limit of {limit} tickets.",
        limit=limit,
    )


def invalid_transition(status: TicketStatus, action: str) -> Refusal:
    action_vi = ACTION_VI.get(action, action)
    action_en = ACTION_EN.get(action, action)
    return Refusal(
        "invalid_transition",
        f"Không thể {action_vi} số thứ tự đang ở trạng thái “{STATUS_VI[status]}”.",
        f"Cannot {action_en} a ticket that is {STATUS_EN[status]}.",
        status=status.value,
        action=action,
    )


def nothing_waiting() -> Refusal:
    return Refusal(
        "nothing_waiting",
        "Hiện không có công dân nào đang chờ ở quầy này.",
        "Nobody is waiting for this counter.",
    )


def counter_busy(number: str) -> Refusal:
    return Refusal(
        "counter_busy",
        f"Quầy đang giữ số {number}. Vui lòng xử lý xong số này (hoàn thành, vắng mặt, "
        "chuyển hoặc tạm hoãn) trước khi gọi số tiếp theo.",
        f"The counter still holds number {number}. Close it (finish, no-show, transfer or "
        "park) before calling the next one.",
        number=number,
    )


def transfer_target_invalid(reason_vi: str, reason_en: str, **details: object) -> Refusal:
    return Refusal(
        "transfer_target_invalid",
        f"Không thể chuyển số: {reason_vi}",
        f"Cannot transfer the ticket: {reason_en}",
        **details,
    )


def ticket_not_callable(number: str, counter_number: int) -> Refusal:
    return Refusal(
        "ticket_not_callable",
        f"Quầy số {counter_number} không thể gọi số {number}.",
        f"Counter {counter_number} cannot call number {number}.",
        number=number,
        counter=counter_number,
    )


def citizen_service_limit(limit: int, service: str) -> Refusal:
    return Refusal(
        "citizen_service_limit",
        f"Quý khách đã lấy đủ {limit} số thứ tự của lĩnh vực này trong ngày hôm nay.",
        f"You have reached today's limit of {limit} tickets for this service.",
        limit=limit,
        service=service,
    )


def move_target_invalid(reason_vi: str, reason_en: str, **details: object) -> Refusal:
    return Refusal(
        "move_target_invalid",
        f"Không thể chuyển số đang chờ: {reason_vi}",
        f"Cannot move the waiting ticket: {reason_en}",
        **details,
    )


def counter_holds_ticket(number: str) -> Refusal:
    return Refusal(
        "counter_holds_ticket",
        f"Quầy đang giữ số {number}. Vui lòng kết thúc hoặc tạm hoãn số này trước khi đóng quầy.",
        f"The counter still holds number {number}. Close or park it before closing the counter.",
        number=number,
    )
