"""The pure rules of appointments: a field's slots, the check-in window, the ticket a
check-in makes, and an appointment's turn in the default call policy."""

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from server.contract.vocab import BookingStatus, Channel, TicketStatus
from server.engine.appointments import Appointment, bookable, check_in, slots_on, window
from server.engine.errors import Refusal
from server.engine.model import (
    CounterConfig,
    Holiday,
    NumberFormat,
    OpeningHours,
    ServiceConfig,
    SiteConfig,
    SlotOffer,
    Ticket,
)
from server.engine.policy import DefaultPolicy, FirstComeFirstServedPolicy

HOURS = OpeningHours(windows=((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))))
SITE = SiteConfig(id="s", name="S", name_en="S", hours=HOURS)
FIELD = ServiceConfig(
    "ht", "tp", "Hộ tịch", "Civil status", NumberFormat("block", start=1001, end=1999),
    booking=SlotOffer(slot_min=60, capacity=2, days_ahead=3),
)  # fmt: skip
MONDAY = date(2026, 3, 2)


def utc(hour: int, minute: int = 0, day: date = MONDAY) -> datetime:
    """A local time in Ho Chi Minh City (UTC+7), as UTC."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=7)


def test_slots_fill_each_session_and_skip_holidays_and_sundays() -> None:
    slots = slots_on(SITE, FIELD, MONDAY)
    assert [s.start for s in slots] == [
        utc(7, 30),
        utc(8, 30),
        utc(9, 30),
        utc(10, 30),
        utc(13),
        utc(14),
        utc(15),
        utc(16),
    ]
    assert slots_on(SITE, FIELD, date(2026, 3, 8)) == []  # a Sunday
    holiday = replace(SITE, holidays=(Holiday(MONDAY, "Nghỉ"),))
    assert slots_on(holiday, FIELD, MONDAY) == []
    assert slots_on(SITE, replace(FIELD, booking=None), MONDAY) == []


def test_a_slot_is_bookable_until_its_window_closes_and_within_the_days_ahead() -> None:
    assert bookable(SITE, FIELD, utc(9, 30), utc(9, 40))  # under way, window open
    assert not bookable(SITE, FIELD, utc(9, 30), utc(9, 45))  # window closed
    assert bookable(SITE, FIELD, utc(9, 30, date(2026, 3, 5)), utc(9))  # three days ahead
    assert not bookable(SITE, FIELD, utc(9, 30, date(2026, 3, 6)), utc(9))  # four
    assert not bookable(SITE, FIELD, utc(9, 45), utc(9))  # not a slot's start
    assert window(SITE, utc(10)) == (utc(9, 30), utc(10, 15))


def booking(status: BookingStatus = BookingStatus.BOOKED) -> Appointment:
    return Appointment("12345678", "s", "ht", utc(9, 30), utc(10, 30), status, "en")


@pytest.mark.parametrize(
    ("now", "status", "code"),
    [
        (utc(8, 59), BookingStatus.BOOKED, "booking_too_early"),
        (utc(9, 45), BookingStatus.BOOKED, "booking_lapsed"),
        (utc(9, 30), BookingStatus.CANCELLED, "booking_cancelled"),
        (utc(9, 30), BookingStatus.LAPSED, "booking_lapsed"),
    ],
)
def test_check_in_refusals(now: datetime, status: BookingStatus, code: str) -> None:
    with pytest.raises(Refusal) as refused:
        check_in(SITE, FIELD, booking(status), ticket_id="t", seq=1, now=now, actor="k")
    assert refused.value.code == code


def test_a_check_in_makes_a_waiting_ticket_placed_at_its_slot() -> None:
    ticket, event = check_in(SITE, FIELD, booking(), ticket_id="t", seq=4, now=utc(9), actor="k")
    assert (ticket.number, ticket.status, ticket.language) == ("1004", TicketStatus.WAITING, "en")
    assert ticket.queue_at == utc(9, 30) and ticket.issued_at == utc(9)
    assert ticket.priority == "appointment" and ticket.channel == Channel.APPOINTMENT.value
    assert event.kind == "issued" and event.data["channel"] == "appointment"
    assert event.data["booking"] == "12345678"


COUNTER = CounterConfig("1", 1, "Quầy 1", "A", ("ht",))


def waiting(tid: str, at: datetime, priority: str | None = None) -> Ticket:
    return Ticket(
        id=tid, site="s", service="ht", number=tid, seq=int(tid[1:]), business_day=MONDAY,
        status=TicketStatus.WAITING, issued_at=at, queue_at=at, priority=priority,
    )  # fmt: skip


def test_the_default_policy_calls_a_due_appointment_first_and_an_early_one_in_line() -> None:
    walk_in = waiting("w1", utc(9))
    elderly = waiting("w2", utc(9, 5), "elderly")
    appointment = waiting("a3", utc(9, 30), "appointment")  # its slot's start
    line = [walk_in, elderly, appointment]
    policy = DefaultPolicy()

    def order(now: datetime) -> list[str]:
        ranked = policy.order(SITE, COUNTER, line, priority_streak=0, now=now)
        chosen = policy.choose(SITE, COUNTER, line, priority_streak=0, now=now)
        assert chosen is not None and chosen.id == ranked[0].id
        return [t.id for t in ranked]

    # Before its slot: a normal ticket placed at 09:30, after the walk-in of 09:00.
    assert order(utc(9, 20)) == ["w2", "w1", "a3"]
    # Its slot began: before everyone else, the priority ticket too.
    assert order(utc(9, 30)) == ["a3", "w2", "w1"]
    fcfs = FirstComeFirstServedPolicy().order(
        SITE, COUNTER, line, priority_streak=0, now=utc(9, 31)
    )
    assert [t.id for t in fcfs] == ["w1", "w2", "a3"]
