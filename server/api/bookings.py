"""``/api/v1`` routes of appointments: a field's slots (public), booking and cancelling
for a portal (an account of supervisor or admin rank), checking in at a kiosk."""

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse

from server.api.deps import Command, CurrentActor, IdempotencyKey
from server.api.routes import _ERRORS, SiteId
from server.booking.service import Bookings
from server.contract import paths
from server.contract.booking import CODE_PATTERN, BookingIn, BookingOut, CheckInIn, SlotsOut
from server.contract.http import TicketOut

router = APIRouter(prefix="/api/v1", tags=["appointments"])

Code = Annotated[str, Path(pattern=CODE_PATTERN)]
ServiceCode = Annotated[str, Path(min_length=1, max_length=32)]


def bookings_of(request: Request) -> Bookings:
    bookings: Bookings = request.app.state.bookings
    return bookings


@router.get(paths.SLOTS, response_model=SlotsOut, responses=_ERRORS)
def slots(
    request: Request,
    site: SiteId,
    service: ServiceCode,
    day: Annotated[
        date | None, Query(description="The site's local date; today if left out.")
    ] = None,
) -> SlotsOut:
    """The slots of a field still open to booking on a day, with their free places."""
    return bookings_of(request).slots(site, service, day)


@router.post(paths.BOOKINGS, response_model=BookingOut, status_code=201, responses=_ERRORS)
def book(
    request: Request, site: SiteId, body: BookingIn, actor: CurrentActor, key: IdempotencyKey
) -> JSONResponse:
    """A portal books a slot for a citizen (409 ``slot_full`` when it has no place left)."""
    bookings = bookings_of(request)
    result = bookings.book(
        site, body, actor, key, bookings.fingerprint(request.method, request.url.path, body)
    )
    return JSONResponse(result.body, status_code=result.status)


@router.get(paths.BOOKING, response_model=BookingOut, responses=_ERRORS)
def booking(request: Request, site: SiteId, code: Code, actor: CurrentActor) -> BookingOut:
    return bookings_of(request).get(site, code, actor)


@router.post(paths.BOOKING_CANCEL, response_model=BookingOut, responses=_ERRORS)
def cancel(request: Request, site: SiteId, code: Code, actor: CurrentActor) -> BookingOut:
    """Cancelling again answers the cancelled booking; a used one cannot be (409)."""
    return bookings_of(request).cancel(site, code, actor)


@router.post(paths.CHECKINS, response_model=TicketOut, status_code=201, responses=_ERRORS)
async def check_in(
    request: Request, site: SiteId, body: CheckInIn, command: Command
) -> JSONResponse:
    """A kiosk checks a booking in by its code, its QR text or the ID card that booked:
    201 with the new ticket, or 200 with the same ticket when it was checked in before."""
    bookings = bookings_of(request)
    digest = bookings.fingerprint(request.method, request.url.path, body)
    result = await command.commands.run(
        site, lambda: bookings.check_in(site, body, command.actor, command.key, digest)
    )
    return JSONResponse(result.body, status_code=result.status)
