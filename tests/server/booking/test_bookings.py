"""Appointments on the real service and database (SQLite and PostgreSQL): slots and their
places, a full slot, check-in at the kiosk (once, by code, QR or ID card), the window,
a lapsed booking's place, and an appointment's turn in the call order."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from server.contract.booking import SlotsOut
from server.contract.http import ActionOut, TicketIn
from server.contract.vocab import BookingStatus, Channel, TicketStatus
from server.engine.errors import Refusal
from server.service.errors import ServiceError
from server.storage.models import BookingRow, TicketRow
from tests.server.booking.conftest import SITE, BookingWorld

# The world's clock starts at 2026-03-02 02:00 UTC: 09:00 in Ho Chi Minh City.
NINE_THIRTY = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
TEN = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def slot_at(slots: SlotsOut, start: datetime) -> int:
    return next(s.free for s in slots.slots if s.start == start)


def test_slots_fill_up_and_a_full_slot_says_so(bw: BookingWorld) -> None:
    slots = bw.bookings.slots(SITE, "ht")
    assert slots.days[0].isoformat() == "2026-03-02" and len(slots.days) == 8
    assert slots.slots[0].local == "09:00"  # 08:30 closed at 08:45; 09:00 takes one till 09:15
    assert slot_at(slots, TEN) == 2
    first = bw.booked(TEN)
    assert first.local_time == "10:00 - 10:30" and first.status is BookingStatus.BOOKED
    assert len(first.code) == 8 and first.page_url.startswith("https://q.example/book/b/")
    assert (first.check_in_opens_local, first.check_in_closes_local) == ("09:30", "10:15")
    bw.booked(TEN)
    assert slot_at(bw.bookings.slots(SITE, "ht"), TEN) == 0
    with pytest.raises(ServiceError) as full:
        bw.book(TEN)
    assert full.value.status == 409 and full.value.code == "slot_full"
    assert "đủ người đặt" in full.value.message_vi and "fully booked" in full.value.message_en


def test_a_slot_out_of_reach_is_refused(bw: BookingWorld) -> None:
    for start in (
        datetime(2026, 3, 2, 1, 0, tzinfo=UTC),  # 08:00: its window closed at 08:15
        datetime(2026, 3, 20, 3, 0, tzinfo=UTC),  # more than a week ahead
        datetime(2026, 3, 2, 3, 10, tzinfo=UTC),  # not the start of a slot
    ):
        with pytest.raises(ServiceError) as refused:
            bw.book(start)
        assert refused.value.code == "slot_unavailable"


def test_check_in_by_code_gives_one_ticket_however_often(bw: BookingWorld) -> None:
    booking = bw.booked(NINE_THIRTY)
    status, ticket = bw.check_in("scan-1", code=booking.code)
    assert status == 201 and ticket.status is TicketStatus.WAITING
    assert ticket.priority == "appointment" and ticket.number == "1001"
    # A second tap, a second scan (another key), the QR this time: the same ticket.
    again_status, again = bw.check_in("scan-2", qr=booking.page_url)
    assert (again_status, again.id, again.number) == (200, ticket.id, ticket.number)
    with bw.world.db.read() as session:
        row = session.scalars(select(TicketRow).where(TicketRow.id == ticket.id)).one()
        assert row.channel == Channel.APPOINTMENT.value
        assert row.queue_at == NINE_THIRTY  # its place in line is its slot
        stored = session.scalars(select(BookingRow)).one()
        assert stored.status == BookingStatus.CHECKED_IN.value and stored.ticket_id == ticket.id
        assert session.scalar(select(TicketRow.id).where(TicketRow.id != ticket.id)) is None


def test_the_window_too_early_and_too_late(bw: BookingWorld) -> None:
    later = bw.booked(TEN + timedelta(hours=1))  # 11:00: check-in from 10:30
    with pytest.raises(Refusal) as early:
        bw.check_in("k1", code=later.code)
    assert early.value.code == "booking_too_early" and "10:30" in early.value.message_vi
    soon = bw.booked(NINE_THIRTY)
    bw.world.clock.advance(46 * 60)  # 09:46: its window closed at 09:45
    with pytest.raises(Refusal) as late:
        bw.check_in("k2", code=soon.code)
    assert late.value.code == "booking_lapsed" and "09:45" in late.value.message_vi
    assert bw.bookings.by_token(soon.page_url.rsplit("/", 1)[1]).status is BookingStatus.LAPSED  # type: ignore[union-attr]


def test_a_lapsed_booking_gives_its_place_back(bw: BookingWorld) -> None:
    start = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
    bw.booked(start)
    bw.booked(start)
    with pytest.raises(ServiceError):
        bw.book(start)
    # Its window closed: it no longer holds a place (the slot itself has passed too).
    bw.world.clock.advance(46 * 60)
    with bw.world.db.read() as session:
        from server.booking import store

        site = bw.bookings._site(SITE).site
        assert store.taken(session, (site, "ht"), [start], bw.world.clock()) == {}


def test_an_id_card_books_as_a_keyed_hash_and_checks_in(bw: BookingWorld) -> None:
    cccd = "079203004567"
    booking = bw.booked(NINE_THIRTY, cccd=cccd)
    assert booking.with_cccd
    with bw.world.db.read() as session:
        stored = session.scalars(select(BookingRow)).one()
        assert stored.citizen_hash is not None and cccd not in stored.citizen_hash
        assert len(stored.citizen_hash) == 64
    with pytest.raises(ServiceError) as twice:
        bw.book(TEN, cccd=cccd)
    assert twice.value.code == "citizen_already_booked"
    status, ticket = bw.check_in("card", cccd=cccd)
    assert status == 201 and ticket.priority == "appointment"
    with pytest.raises(ServiceError) as stranger:
        bw.check_in("card-2", cccd="079203009999")
    assert stranger.value.code == "unknown_booking"


def test_cancel_frees_the_place_and_a_cancelled_booking_does_not_check_in(
    bw: BookingWorld,
) -> None:
    booking = bw.booked(TEN)
    token = booking.page_url.rsplit("/", 1)[1]
    cancelled = bw.bookings.cancel_by_token(token)
    assert cancelled.status is BookingStatus.CANCELLED
    assert slot_at(bw.bookings.slots(SITE, "ht"), TEN) == 2
    bw.world.clock.advance(40 * 60)
    with pytest.raises(Refusal) as refused:
        bw.check_in("k", code=booking.code)
    assert refused.value.code == "booking_cancelled"


def test_an_appointment_is_called_before_walk_ins_once_its_slot_began(bw: BookingWorld) -> None:
    world = bw.world

    def walk_in(key: str) -> str:
        body = TicketIn(service="ht")
        return str(world.service.tickets.issue(SITE, body, world.kiosk, key, key).body["number"])

    first = walk_in("w1")  # 09:00
    booking = bw.booked(NINE_THIRTY)
    world.clock.advance(20 * 60)  # 09:20: checked in ten minutes early
    _, appointment = bw.check_in("a", code=booking.code)
    clerk = world.actor("c2", "pw-c2")

    def call(key: str) -> str:
        result = world.service.counters.act(
            SITE, "2", "call-next", clerk, key=key, request_hash=key
        )
        ticket = ActionOut.model_validate(result.body).ticket
        assert ticket is not None
        return ticket.number

    # Before its slot the appointment waits as any ticket: the walk-in came first.
    assert call("c1") == first
    second = walk_in("w2")  # 09:20
    world.clock.advance(11 * 60)  # 09:31: the slot has begun
    assert call("c2") == appointment.number
    assert call("c3") == second
