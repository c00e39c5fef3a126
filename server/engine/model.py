"""The queue engine's values: configuration and tickets as frozen dataclasses.

No I/O here and no clock: every function of the engine takes ``now`` from its
caller. Storage maps its rows to and from these values.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Literal

from server.alerts.rules import AlertRules
from server.contract.vocab import Outcome, TicketStatus


@dataclass(frozen=True)
class NumberFormat:
    """How a service's ticket numbers look.

    ``prefix``: a letter and zero padding (``A001``); ``block``: a numeric block
    (``1001``..``1999``), the common Vietnamese style. ``seq`` starts at 1 each
    business day.
    """

    kind: Literal["prefix", "block"] = "prefix"
    prefix: str = "A"
    width: int = 3
    start: int = 1001
    end: int = 1999


@dataclass(frozen=True)
class OpeningHours:
    """Local-time windows on given weekdays (0 = Monday)."""

    windows: tuple[tuple[time, time], ...] = (
        (time(7, 30), time(11, 30)),
        (time(13, 0), time(17, 0)),
    )
    weekdays: frozenset[int] = frozenset({0, 1, 2, 3, 4, 5})
    # Weekdays whose sessions differ from ``windows`` (a Saturday morning only): weekday ->
    # its windows. A weekday listed here is open in these windows whatever ``weekdays`` says.
    day_windows: Mapping[int, tuple[tuple[time, time], ...]] = field(default_factory=dict)

    def windows_on(self, weekday: int) -> tuple[tuple[time, time], ...]:
        """The sessions of a weekday (0 = Monday); empty when closed all day."""
        own = self.day_windows.get(weekday)
        if own is not None:
            return own
        return self.windows if weekday in self.weekdays else ()


@dataclass(frozen=True)
class Holiday:
    """A day the site is closed (Tết, 30/4, 2/9, ...), lunar dates given as solar ones."""

    day: date
    name_vi: str
    name_en: str = ""


@dataclass(frozen=True)
class SpecialDay:
    """A day with its own sessions (a Saturday worked in lieu, a shortened day)."""

    day: date
    windows: tuple[tuple[time, time], ...]
    name_vi: str
    name_en: str = ""


@dataclass(frozen=True)
class PriorityCategory:
    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Area:
    """A part of a hall with its own display board (a zone: A, A1, B2, ...)."""

    id: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class Department:
    """A sở/ban/ngành whose reception desk sits in the hall."""

    code: str
    name_vi: str
    name_en: str


@dataclass(frozen=True)
class SlotOffer:
    """A field's bookable slots: ``slot_min`` long inside its sessions, ``capacity``
    bookings each, up to ``days_ahead`` days from today (docs/booking.md)."""

    slot_min: int = 30
    capacity: int = 2
    days_ahead: int = 14


@dataclass(frozen=True)
class ServiceConfig:
    code: str
    department: str
    name_vi: str
    name_en: str
    number_format: NumberFormat = NumberFormat()
    daily_quota: int | None = None
    hours: OpeningHours | None = None  # None: the site's hours
    default_service_s: int = 600
    enabled: bool = True
    # What a citizen would type to find the field ("khai sinh", "hộ chiếu").
    keywords: tuple[str, ...] = ()
    # The longest wait the centre promises (the SLA); None: no promise.
    wait_target_s: int | None = None
    # Tickets one citizen may take for this field in a day (None: only the site's limit).
    citizen_day_limit: int | None = None
    # Appointments: None when the field takes none.
    booking: SlotOffer | None = None


@dataclass(frozen=True)
class CounterConfig:
    """A counter and the services it serves, in order of preference or with weights."""

    id: str
    number: int
    name: str
    area: str
    services: tuple[str, ...]
    weights: Mapping[str, int] = field(default_factory=dict)  # code -> weight; empty: strict order
    priority_counter: bool = False  # serves priority tickets of its services first, always
    led_address: int | None = None  # the LED display's address on its serial bus


@dataclass(frozen=True)
class SiteConfig:
    id: str
    name: str
    name_en: str
    time_zone: str = "Asia/Ho_Chi_Minh"
    hours: OpeningHours = OpeningHours()
    priority_categories: tuple[PriorityCategory, ...] = ()
    # After this many priority tickets in a row a counter takes a normal one (no starvation).
    priority_ratio: int = 3
    # A service whose oldest waiting ticket waited longer than this goes first (None: off).
    aging_after_s: int | None = None
    transfer_keeps_place: bool = True
    max_tickets_per_citizen_day: int = 5
    require_start_before_finish: bool = True
    # A counter must close its current ticket before calling the next one.
    require_close_before_call: bool = False
    # Which ticket a counter calls next: a name in ``server.engine.policy.POLICIES``.
    call_policy: str = "default"
    holidays: tuple[Holiday, ...] = ()
    special_days: tuple[SpecialDay, ...] = ()
    # Kiosks stop issuing this many minutes before a session closes (0: until it closes).
    stop_issuing_before_close_min: int = 0
    # The boards' running text when no notice is set.
    ticker: str = ""
    # The region whose voice the boards call with: "north", "central" or "south" (a board's
    # own ``--dialect`` overrides it).
    voice: str = "north"
    # How the wait promised on tickets is estimated: a name in
    # ``server.engine.estimators.ESTIMATORS`` (docs/estimates.md compares them).
    wait_estimator: str = "look-ahead"
    # After a session ends, counters keep calling the tickets already issued for this long
    # (the look-ahead estimate counts on it; nothing else changes).
    serve_after_close_s: int = 0
    # When the live hall raises an alert (the site file's ``[alerts]``).
    alerts: AlertRules = field(default_factory=AlertRules)
    # An appointment checks in from this many minutes before its slot to this many after
    # its start; a booking not checked in by then lapses and its place goes back.
    booking_early_min: int = 30
    booking_late_min: int = 15
    # A citizen who asked (tracking page) is told "Sắp đến lượt" when this few people are
    # ahead, or the estimated wait is this few minutes (docs/tracking.md).
    near_people: int = 3
    near_minutes: int = 10


@dataclass(frozen=True)
class Ticket:
    """One ticket, and the one definition of a ticket's fields: storage derives its
    columns and copies from these (``server.storage.records``)."""

    id: str
    site: str
    service: str
    number: str
    seq: int
    business_day: date
    status: TicketStatus
    issued_at: datetime
    # Place in line: the issue time, kept or reset by a transfer; smaller goes first.
    queue_at: datetime
    priority: str | None = None
    language: str = "vi"
    citizen_key: str | None = None
    counter_id: str | None = None  # the counter holding it (called/serving) or that parked it
    target_counter: str | None = None  # transferred to this counter: it comes first there
    # A transfer closes a ticket (status/outcome TRANSFERRED) and opens a new one with the
    # same number in the target service; the new one points back at the old one's id.
    transferred_from: str | None = None
    called_at: datetime | None = None
    call_count: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: Outcome | None = None
    estimate_s: int | None = None  # the estimated wait given at issue, kept for accuracy
    note: str = ""
    channel: str = "walk_in"  # a ``Channel``: a kiosk walk-in or a checked-in appointment


@dataclass(frozen=True)
class Event:
    """One change of a ticket, appended to the log, never rewritten."""

    ticket_id: str
    kind: str  # issued, called, recalled, started, finished, no_show, transferred, parked, ...
    at: datetime
    actor: str | None = None
    counter_id: str | None = None
    data: Mapping[str, object] = field(default_factory=dict)
