"""Enumerations that appear on the wire: ticket states, outcomes, counter states."""

from enum import StrEnum


class TicketStatus(StrEnum):
    """Where a ticket is in its life; terminal states end a visit."""

    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    PARKED = "parked"
    DONE = "done"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


ACTIVE_STATUSES = frozenset(
    {TicketStatus.WAITING, TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED}
)


class Outcome(StrEnum):
    """How one visit ended, so reports can count them."""

    SERVED = "served"
    NO_SHOW = "no_show"
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # still open when the business day ended


class CounterState(StrEnum):
    """A counter is open (a clerk is there), paused (on a break) or closed."""

    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"


class ClosedReason(StrEnum):
    """Why a service does not issue tickets right now (the kiosk shows it)."""

    QUOTA = "quota"  # Đã hết số hôm nay
    HOURS = "hours"  # Ngoài giờ tiếp nhận
    DISABLED = "disabled"  # Tạm ngưng tiếp nhận
    HOLIDAY = "holiday"  # Ngày nghỉ lễ
    CUTOFF = "cutoff"  # Đã ngừng cấp số (sắp hết giờ)


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"


class DeviceKind(StrEnum):
    KIOSK = "kiosk"
    DISPLAY = "display"
    COUNTER = "counter"
    LED = "led"  # an LED bridge driving one area's counter displays


# How often a device says it is alive (``POST /devices/status``) unless it says otherwise
# in its report; the server calls it silent once two of its heartbeats are missing.
HEARTBEAT_S = 30


class Rating(StrEnum):
    """The four levels of the satisfaction pad."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    NEUTRAL = "neutral"
    UNSATISFIED = "unsatisfied"


class Channel(StrEnum):
    """How a citizen came: took a number at the kiosk, or booked a slot and checked in."""

    WALK_IN = "walk_in"
    APPOINTMENT = "appointment"


# The priority an appointment's ticket carries inside its window: it waits in its field's
# priority line, and the call policy puts it first once its slot has begun.
APPOINTMENT_PRIORITY = "appointment"


class BookingStatus(StrEnum):
    """A booking's life: booked, then checked in, cancelled, or lapsed (no check-in before
    its window closed, so its place in the slot went back)."""

    BOOKED = "booked"
    CHECKED_IN = "checked_in"
    CANCELLED = "cancelled"
    LAPSED = "lapsed"
