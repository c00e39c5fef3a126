"""HTTP request and response models of ``/api/v1``, split by direction.

What the server receives (``Request``, the ``*In`` models) refuses unknown fields:
a client's typo gets a clear 422 instead of being silently dropped. What the server
sends (``Response``: the ``*Out`` models and ``ErrorOut``) ignores unknown fields
when an app parses it, so a newer server may add a field without breaking the
installed apps on older code (the tolerant-reader rule, as for the MQTT messages).
"""

import unicodedata
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from server.contract.messages import CounterView, TicketBrief
from server.contract.vocab import HEARTBEAT_S, CounterState, Rating, Role, TicketStatus

API_PREFIX = "/api/v1"
# The kiosk's keyed hash of an ID number (``hardware.cccd.CccdScan.citizen_key``), exactly:
# a raw ID number, or anything else a kiosk might send by mistake, is refused.
CITIZEN_KEY_PATTERN = r"^[0-9a-f]{64}$"
# Characters a notice may not carry to the boards: bidi embeddings, overrides and
# isolates (they reorder what the hall reads) and the marks; other controls and format
# characters (ESC sequences, zero-width ones) go by their Unicode category.
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def clean_notice(text: str) -> str:
    """A notice as the boards show it: line breaks and tabs become spaces; control,
    format and bidi characters are dropped; the text is NFC (Vietnamese typed with
    combining marks shows as typed with precomposed letters); ends trimmed."""
    out = []
    for ch in unicodedata.normalize("NFC", text):
        if ch in "\t\n\r":
            out.append(" ")
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co"):
            continue
        else:
            out.append(ch)
    return "".join(out).strip()


IDEMPOTENCY_HEADER = "Idempotency-Key"

Language = Literal["vi", "en"]


class Request(BaseModel):
    """A body the server receives: unknown fields are refused (422 ``invalid_request``)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Response(BaseModel):
    """A body the server sends: an app on older code ignores fields it does not know."""

    model_config = ConfigDict(frozen=True, extra="ignore")


# ---- errors -------------------------------------------------------------------


class ErrorOut(Response):
    """Every 4xx answer: a stable ``error`` code and a message in both languages.

    ``message`` is in the language the request asked for (``Accept-Language``).
    """

    error: str
    message: str
    message_vi: str
    message_en: str
    details: dict[str, object] = Field(default_factory=dict)


# ---- health and auth ----------------------------------------------------------


class HealthOut(Response):
    status: Literal["ok", "degraded"]
    version: str
    database: str
    mqtt: str
    time: datetime


class LoginIn(Request):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class PinLoginIn(Request):
    """``POST /auth/pin``: a clerk's 4-8 digit PIN at a counter of a site; answers ``LoginOut``."""

    site: str = Field(min_length=1, max_length=64)
    counter: str = Field(min_length=1, max_length=64)
    pin: str = Field(pattern=r"^[0-9]{4,8}$", description="4 to 8 digits.")


class LoginOut(Response):
    token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the scheme name, not a secret
    username: str
    display_name: str
    role: Role
    site: str | None
    expires_at: datetime


# ---- kiosk menu and tickets ---------------------------------------------------


class PriorityCategory(Response):
    code: str
    name_vi: str
    name_en: str


class ServiceOut(Response):
    code: str
    department: str
    name_vi: str
    name_en: str
    open: bool
    closed_reason: str | None = None
    closed_message_vi: str | None = None
    closed_message_en: str | None = None
    waiting: int
    estimated_wait_s: int
    counters: list[int]
    area: str | None = None
    # What citizens type to find the field ("khai sinh", "sổ đỏ"): the kiosk searches
    # them without asking again.
    keywords: list[str] = []
    # The rest of the wait of a ticket taken now (as ``ServiceStatus`` has it).
    estimated_wait_low_s: int | None = None
    estimated_wait_high_s: int | None = None
    wait_counters_open: bool = True
    first_call_after: datetime | None = None


class DepartmentOut(Response):
    code: str
    name_vi: str
    name_en: str
    services: list[ServiceOut]


class MenuOut(Response):
    site: str
    site_name: str
    site_name_en: str
    time_zone: str
    business_day: str
    priority_categories: list[PriorityCategory]
    departments: list[DepartmentOut]


class TicketIn(Request):
    service: str = Field(min_length=1, max_length=32)
    priority: str | None = Field(default=None, max_length=32)
    language: Language = "vi"
    citizen_key: str | None = Field(
        default=None,
        pattern=CITIZEN_KEY_PATTERN,
        description="Keyed hash of the scanned ID number (HMAC-SHA256, 64 lowercase hex "
        "digits); never the number itself.",
    )


class TicketOut(Response):
    id: str
    site: str
    number: str
    service: str
    service_name_vi: str
    service_name_en: str
    department: str
    department_name_vi: str
    department_name_en: str
    priority: str | None
    language: Language
    people_ahead: int
    estimated_wait_s: int
    issued_at: datetime
    status: TicketStatus
    track_url: str
    # The likely range of the wait (``server.contract.waits.wait_text`` words it).
    estimated_wait_low_s: int | None = None
    estimated_wait_high_s: int | None = None
    # False: no counter of the field is open yet; calls begin after ``first_call_after``
    # when the site's hours say when (the next session), else the time is unknown.
    counters_open: bool = True
    first_call_after: datetime | None = None
    area: str | None = None
    counters: list[int] = Field(default_factory=list)
    counter_number: int | None = None
    called_at: datetime | None = None
    call_count: int = 0


# ---- queue and counters -------------------------------------------------------


class QueueServiceOut(Response):
    code: str
    name_vi: str
    name_en: str
    waiting: list[TicketBrief]
    parked: list[TicketBrief]


class QueueOut(Response):
    site: str
    business_day: str
    services: list[QueueServiceOut]


class CounterOut(Response):
    counter: CounterView
    clerk: str | None = None
    current: TicketBrief | None = None


class CountersOut(Response):
    site: str
    counters: list[CounterOut]
    transfer_keeps_place: bool = Field(
        default=True,
        description="The site's rule for a transfer that does not say: keep the ticket's "
        "place in the new line (true) or send it to the front (false), as in CounterSnapshot.",
    )


class CallIn(Request):
    """Call a specific waiting or parked ticket (by number or id), with a reason for the log."""

    ticket: str = Field(min_length=1, max_length=64)
    reason: str = Field(default="", max_length=200)


class TransferIn(Request):
    to_service: str | None = Field(default=None, max_length=32)
    to_counter: str | None = Field(default=None, max_length=64)
    note: str = Field(default="", max_length=200)
    keep_place: bool | None = Field(
        default=None, description="Keep the original place in line; None = the site's rule."
    )


class RateIn(Request):
    rating: Rating
    ticket: str | None = Field(default=None, description="Ticket id; default the last finished.")


class ActionOut(Response):
    """The answer to every counter action: what happened and the counter afterwards."""

    action: str
    counter: CounterOut
    ticket: TicketBrief | None = None
    call_id: str | None = None


class ClerkDayOut(Response):
    site: str
    counter: str | None
    clerk: str
    business_day: str
    served: int
    no_shows: int
    transferred: int
    average_service_s: int | None
    average_rating: float | None
    ratings: int


# ---- devices and notices ------------------------------------------------------


class DeviceStatusIn(Request):
    """A device's status, sent when it changes and as its heartbeat every ``heartbeat_s``."""

    online: bool = True
    printer: Literal["ok", "paper_low", "paper_out", "cover_open", "offline", "none"] | None = None
    detail: str = Field(default="", max_length=200)
    heartbeat_s: int = Field(
        default=HEARTBEAT_S,
        ge=1,
        le=3600,
        description="The device reports at least this often; two missed reports and the "
        "server shows it as silent.",
    )


class NoticeIn(Request):
    """The notice on a site's hall boards, cleaned as it arrives (``clean_notice``)."""

    text: str = Field(max_length=500)

    @field_validator("text")
    @classmethod
    def _clean(cls, text: str) -> str:
        return clean_notice(text)


class NoticeOut(Response):
    """The answer to ``PUT .../notice``: the notice now shown (a reply, so tolerant)."""

    text: str


# ---- supervisors ------------------------------------------------------------------


class CounterStateIn(Request):
    """A supervisor opens, pauses or closes a counter; the clerk on it stays (closing
    clears it). Closing a counter that holds a called or serving ticket is refused."""

    state: CounterState


class DayServicesIn(Request):
    """The fields a counter serves today besides its configured ones (replaces the
    day's list; empty: none). They end with the business day."""

    services: list[Annotated[str, Field(min_length=1, max_length=32)]] = Field(
        default_factory=list, max_length=100
    )


class DayServicesOut(Response):
    site: str
    counter: str
    business_day: str
    configured: list[str]
    today: list[str] = Field(description="The fields served today only, after the configured.")


class MoveIn(Request):
    """Move a waiting ticket to another field's line, or to one counter (of its field,
    or of ``to_service`` when both are given). The ticket keeps its number, issue time
    and place in line."""

    to_service: str | None = Field(default=None, min_length=1, max_length=32)
    to_counter: str | None = Field(default=None, min_length=1, max_length=64)


class MoveOut(Response):
    ticket: TicketBrief
    target_counter: str | None = None


class ServerKeyOut(Response):
    """The server's public key for the signed MQTT messages (``server.contract.signing``)."""

    key: str = Field(description="ed25519:<base64 of the 32-byte public key>")
    fingerprint: str = Field(description="a short hash of the key, for a person to compare")
    device: str | None = Field(
        default=None,
        description="the calling device's id (its MQTT user name, with its token as password)",
    )
