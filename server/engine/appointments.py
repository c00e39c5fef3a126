"""Appointments: a field's bookable slots, and checking a booking in at the kiosk. Pure.

A slot is a stretch of ``SlotOffer.slot_min`` minutes inside one of the field's sessions
on a day it is open (holidays and special days as for walk-ins). A booking is checked in
from ``SiteConfig.booking_early_min`` minutes before its slot to ``booking_late_min``
minutes after the slot's start (its *window*); it then becomes a waiting ticket in the
field's priority line whose place in line is the slot's start, so the call policy
(``server.engine.policy``) calls it before walk-ins once the slot has begun. A booking not
checked in when its window closes has lapsed: its place in the slot goes back.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from server.contract.vocab import APPOINTMENT_PRIORITY, BookingStatus, Channel, TicketStatus
from server.engine import errors
from server.engine.errors import Refusal
from server.engine.events import EventKind
from server.engine.issuing import day_windows
from server.engine.model import Event, ServiceConfig, SiteConfig, SlotOffer, Ticket
from server.engine.numbering import business_day, capacity, format_number, local_time, zone


@dataclass(frozen=True)
class Slot:
    """One bookable stretch of a field's session, in UTC."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class Appointment:
    """What the engine needs of a booking to check it in."""

    code: str
    site: str
    service: str
    slot_start: datetime
    slot_end: datetime
    status: BookingStatus
    language: str = "vi"


def window(site: SiteConfig, slot_start: datetime) -> tuple[datetime, datetime]:
    """When a booking for a slot starting at ``slot_start`` may check in: [open, close)."""
    return (
        slot_start - timedelta(minutes=site.booking_early_min),
        slot_start + timedelta(minutes=site.booking_late_min),
    )


def slots_on(site: SiteConfig, service: ServiceConfig, day: date) -> list[Slot]:
    """The slots of a field on a local date (empty when it takes no bookings that day)."""
    offer = service.booking
    if offer is None or not service.enabled:
        return []
    hours = service.hours if service.hours is not None else site.hours
    windows = day_windows(site, hours, day)
    tz = zone(site.time_zone)
    length = timedelta(minutes=offer.slot_min)
    out: list[Slot] = []
    for start, end in windows or ():
        at = datetime.combine(day, start, tzinfo=tz)
        stop = datetime.combine(day, end, tzinfo=tz)
        while at + length <= stop:
            out.append(Slot(at.astimezone(UTC), (at + length).astimezone(UTC)))
            at += length
    return out


def bookable_days(site: SiteConfig, offer: SlotOffer, now: datetime) -> list[date]:
    """Today and the next ``days_ahead`` local dates."""
    today = business_day(now, site.time_zone)
    return [today + timedelta(days=i) for i in range(offer.days_ahead + 1)]


def bookable(site: SiteConfig, service: ServiceConfig, slot_start: datetime, now: datetime) -> bool:
    """Whether a slot may still take a booking: within the days offered, and its
    check-in window not closed yet (a slot under way still takes a citizen nearby)."""
    offer = service.booking
    if offer is None:
        return False
    day = business_day(slot_start, site.time_zone)
    if day not in bookable_days(site, offer, now):
        return False
    if now >= window(site, slot_start)[1]:
        return False
    return any(s.start == slot_start for s in slots_on(site, service, day))


def lapsed(site: SiteConfig, booking: Appointment, now: datetime) -> bool:
    """A booking still booked whose window has closed: its place in the slot is free."""
    return booking.status is BookingStatus.BOOKED and now >= window(site, booking.slot_start)[1]


def check_in(
    site: SiteConfig,
    service: ServiceConfig,
    booking: Appointment,
    *,
    ticket_id: str,
    seq: int,
    now: datetime,
    actor: str | None,
) -> tuple[Ticket, Event]:
    """The waiting ticket of a booking checked in now and its ``issued`` event, or a
    Refusal (cancelled, lapsed, too early). A booking already checked in is the
    caller's to answer with its ticket (the command is idempotent)."""
    if booking.status is BookingStatus.CANCELLED:
        raise booking_cancelled(booking.code)
    opens, closes = window(site, booking.slot_start)
    if booking.status is BookingStatus.LAPSED or now >= closes:
        raise booking_lapsed(booking.code, local_time(closes, site.time_zone))
    if now < opens:
        raise booking_too_early(booking.code, local_time(opens, site.time_zone))
    size = capacity(service.number_format)
    if size is not None and seq > size:
        raise errors.quota_reached(service.code)
    number = format_number(service.number_format, seq)
    ticket = Ticket(
        id=ticket_id,
        site=site.id,
        service=service.code,
        number=number,
        seq=seq,
        business_day=business_day(now, site.time_zone),
        status=TicketStatus.WAITING,
        issued_at=now,
        # Its place in line is its slot: before the walk-ins who came after the slot began.
        queue_at=booking.slot_start,
        priority=APPOINTMENT_PRIORITY,
        language=booking.language,
        channel=Channel.APPOINTMENT.value,
    )
    data: dict[str, object] = {
        "number": number,
        "service": service.code,
        "seq": seq,
        "priority": APPOINTMENT_PRIORITY,
        "channel": Channel.APPOINTMENT.value,
        "booking": booking.code,
    }
    return ticket, Event(ticket_id, EventKind.ISSUED, now, actor=actor, data=data)


def _hhmm(at: datetime) -> str:
    return f"{at:%H:%M}"


def booking_cancelled(code: str) -> Refusal:
    return Refusal(
        "booking_cancelled",
        "Lịch hẹn này đã được hủy. Quý khách vui lòng lấy số thứ tự thông thường.",
        "This appointment was cancelled. Please take a regular ticket.",
        booking=code,
    )


def booking_lapsed(code: str, closed_at: datetime) -> Refusal:
    return Refusal(
        "booking_lapsed",
        f"Lịch hẹn đã quá giờ nhận (đến {_hhmm(closed_at)}). "
        "Quý khách vui lòng lấy số thứ tự thông thường.",
        f"The appointment's check-in time is over (until {_hhmm(closed_at)}). "
        "Please take a regular ticket.",
        booking=code,
    )


def booking_too_early(code: str, opens_at: datetime) -> Refusal:
    return Refusal(
        "booking_too_early",
        f"Chưa đến giờ nhận lịch hẹn. Quý khách vui lòng quay lại từ {_hhmm(opens_at)}.",
        f"It is too early for this appointment. Please check in from {_hhmm(opens_at)}.",
        booking=code,
        opens_at=opens_at.isoformat(),
    )
