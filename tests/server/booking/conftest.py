"""A world whose field "ht" takes appointments: 30-minute slots of two places, a week
ahead; check-in from 30 minutes before a slot to 15 minutes after its start."""

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime

import pytest

from server.booking.service import WEB, Bookings
from server.contract.booking import BookingIn, BookingOut, CheckInIn
from server.contract.http import TicketOut
from server.engine.model import SlotOffer
from server.service import Actor, Result
from tests.server.backends import SITE, World, db_url, make_world, tiny_site

SECRET = b"s" * 32


@dataclass
class BookingWorld:
    world: World
    bookings: Bookings

    def book(self, start: datetime, cccd: str | None = None, key: str | None = None) -> Result:
        body = BookingIn(service="ht", start=start, cccd=cccd)
        return self.bookings.book(SITE, body, WEB, key, body.model_dump_json())

    def booked(self, start: datetime, cccd: str | None = None) -> BookingOut:
        result = self.book(start, cccd)
        assert result.status == 201
        return BookingOut.model_validate(result.body)

    def check_in(self, key: str, actor: Actor | None = None, **how: str) -> tuple[int, TicketOut]:
        body = CheckInIn.model_validate(how)
        result = self.bookings.check_in(
            SITE, body, actor or self.world.kiosk, key, body.model_dump_json()
        )
        return result.status, TicketOut.model_validate(result.body)


def booking_world(url: str) -> BookingWorld:
    seed = tiny_site()
    services = tuple(
        replace(s, booking=SlotOffer(slot_min=30, capacity=2, days_ahead=7))
        if s.code == "ht"
        else s
        for s in seed.services
    )
    world = make_world(url, site=replace(seed, services=services))
    world.service.accounts.pin_key = SECRET
    bookings = Bookings(
        world.service.core,
        world.service.tickets,
        key=lambda: world.service.accounts.pin_key,
        public_url="https://q.example",
    )
    return BookingWorld(world, bookings)


@pytest.fixture
def bw(db_url: str) -> Iterator[BookingWorld]:
    w = booking_world(db_url)
    yield w
    w.world.db.dispose()


__all__ = ["SITE", "BookingWorld", "booking_world", "bw", "db_url"]
