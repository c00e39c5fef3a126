"""HTTP models of appointments: a field's slots, a booking, a check-in at the kiosk.

The booking code is what a citizen types at the kiosk (eight digits); the booking's
token is in its QR code and its link (``/book/b/{token}``), and is what cancels it.
An ID number (CCCD) may come in a request (the portal books for a citizen, the kiosk
checks in a scanned card); the server keeps only its keyed hash.
"""

from datetime import date, datetime
from typing import Literal

from pydantic import Field, model_validator

from server.contract.http import Request, Response
from server.contract.vocab import BookingStatus

CODE_PATTERN = r"^[0-9]{8}$"
CCCD_PATTERN = r"^[0-9]{12}$"
# The path of a booking's own page; its QR code holds the whole link, so a phone opens
# the page and the kiosk's scanner reads the token from the same text.
BOOKING_PAGE = "/book/b/"


class SlotOut(Response):
    start: datetime
    end: datetime
    local: str  # "08:30", the site's local time
    capacity: int
    free: int


class SlotsOut(Response):
    site: str
    service: str
    day: date
    days: list[date]  # the days a booking may be made for
    slots: list[SlotOut]


class BookingIn(Request):
    """A booking made by a portal for a citizen (the booking page posts a form)."""

    service: str = Field(min_length=1, max_length=32)
    start: datetime
    language: Literal["vi", "en"] = "vi"
    cccd: str | None = Field(default=None, pattern=CCCD_PATTERN)


class BookingOut(Response):
    code: str
    site: str
    site_name_vi: str
    site_name_en: str
    service: str
    service_name_vi: str
    service_name_en: str
    slot_start: datetime
    slot_end: datetime
    local_day: date
    local_time: str  # "08:30 - 09:00"
    check_in_from: datetime
    check_in_until: datetime
    check_in_opens_local: str  # "08:00", the site's local time
    check_in_closes_local: str
    status: BookingStatus
    page_url: str  # also the text of its QR code
    ticket_id: str | None = None
    with_cccd: bool = False


class CheckInIn(Request):
    """One of: the code typed, the QR text scanned (the booking's link), the ID card's
    number scanned (12 digits; hashed at once, never kept)."""

    code: str | None = Field(default=None, pattern=CODE_PATTERN)
    qr: str | None = Field(default=None, max_length=300)
    cccd: str | None = Field(default=None, pattern=CCCD_PATTERN)

    @model_validator(mode="after")
    def _exactly_one(self) -> "CheckInIn":
        if sum(v is not None for v in (self.code, self.qr, self.cccd)) != 1:
            raise ValueError("give exactly one of code, qr, cccd")
        return self


def token_of(qr: str) -> str | None:
    """The booking token in a scanned QR text (its page link), or None."""
    _, found, tail = qr.partition(BOOKING_PAGE)
    if not found:
        return None
    token = tail.split("?", 1)[0].split("/", 1)[0].strip()
    return token or None
