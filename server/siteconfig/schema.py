"""The site file's shape (schema version 1): pydantic models that refuse unknown keys.

Times are "HH:MM" strings, dates TOML dates, weekdays "mon".."sun". A key left out takes
the default the engine has; TOML has no null, so "none" is a missing key.
"""

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from server.engine.estimators import ESTIMATORS
from server.engine.policy import POLICIES

SCHEMA_VERSION: Literal[1] = 1
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,31}$")]
Name = Annotated[str, StringConstraints(min_length=1, max_length=300, strip_whitespace=True)]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Session(Strict):
    """Open from ``start`` to ``end`` on each of ``days``."""

    days: list[Weekday] = Field(min_length=1)
    start: Clock
    end: Clock


class SiteSection(Strict):
    id: Code
    name_vi: Name
    name_en: Name
    time_zone: str = "Asia/Ho_Chi_Minh"
    ticker: str = ""
    call_policy: str = "default"
    voice: Literal["north", "central", "south"] = "north"

    @field_validator("call_policy")
    @classmethod
    def _known_policy(cls, value: str) -> str:
        if value not in POLICIES:
            raise ValueError(f"one of {', '.join(sorted(POLICIES))}")
        return value

    stop_issuing_before_close_min: int = Field(default=0, ge=0, le=240)
    max_tickets_per_citizen_day: int = Field(default=5, ge=1, le=100)
    # "Sắp đến lượt": a citizen who asked is told at this few people ahead, or this few
    # minutes of estimated wait (docs/tracking.md).
    near_people: int = Field(default=3, ge=0, le=100)
    near_minutes: int = Field(default=10, ge=0, le=240)


class Rules(Strict):
    """How the next ticket is chosen and what a clerk must do."""

    priority_ratio: int = Field(default=3, ge=1, le=100)
    aging_after_s: int | None = Field(default=None, ge=60)
    transfer_keeps_place: bool = True
    require_start_before_finish: bool = True
    require_close_before_call: bool = False
    # How the wait promised on a ticket is estimated (docs/estimates.md).
    wait_estimator: str = "look-ahead"
    # After a session ends, counters keep calling the tickets already issued this long.
    serve_after_close_s: int = Field(default=0, ge=0, le=4 * 3600)
    # An appointment checks in from this long before its slot to this long after its start.
    booking_early_min: int = Field(default=30, ge=0, le=240)
    booking_late_min: int = Field(default=15, ge=0, le=240)

    @field_validator("wait_estimator")
    @classmethod
    def _known_estimator(cls, value: str) -> str:
        if value not in ESTIMATORS:
            raise ValueError(f"one of {', '.join(sorted(ESTIMATORS))}")
        return value


class Alerts(Strict):
    """When the live hall raises an alert (``server.alerts``); each rule can be off."""

    wait_over_target: bool = True
    unattended: bool = True
    paper: Literal["low", "out", "off"] = "low"
    device_silent: bool = True
    paused_over_min: int = Field(default=15, ge=0, le=8 * 60)
    display_disconnected: bool = True


class Category(Strict):
    code: Code
    name_vi: Name
    name_en: Name


class HolidayItem(Strict):
    date: date
    name_vi: Name
    name_en: str = ""


class SpecialDayItem(Strict):
    date: date
    name_vi: Name
    name_en: str = ""
    sessions: list[tuple[Clock, Clock]] = Field(min_length=1)


Slug = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")]


class DisplayItem(Strict):
    id: Slug
    name: Name


class AreaItem(Strict):
    id: Slug
    name_vi: Name
    name_en: Name
    displays: list[DisplayItem] = []


class DepartmentItem(Strict):
    code: Code
    name_vi: Name
    name_en: Name


class BookingItem(Strict):
    """A field's bookable slots (docs/booking.md)."""

    slot_min: int = Field(default=30, ge=5, le=240)
    capacity: int = Field(default=2, ge=1, le=1000)
    days_ahead: int = Field(default=14, ge=0, le=90)


class FieldItem(Strict):
    """A field (lĩnh vực): its numbers are either a block (1001-1999) or a prefix (VB001)."""

    code: Code
    department: Code
    name_vi: Name
    name_en: Name
    numbers: Literal["block", "prefix"] = "block"
    start: int | None = Field(default=None, ge=0, le=999_999)
    end: int | None = Field(default=None, ge=0, le=999_999)
    prefix: Annotated[str, StringConstraints(pattern=r"^[A-Z]{1,4}$")] | None = None
    width: int | None = Field(default=None, ge=1, le=6)
    keywords: list[Annotated[str, StringConstraints(min_length=1, max_length=80)]] = []
    service_time_s: int = Field(default=600, ge=30, le=4 * 3600)
    wait_target_min: int | None = Field(default=None, ge=1, le=24 * 60)
    daily_quota: int | None = Field(default=None, ge=1)
    citizen_day_limit: int | None = Field(default=None, ge=1, le=100)
    enabled: bool = True
    sessions: list[Session] | None = None  # None: the site's sessions
    booking: BookingItem | None = None  # None: no appointments


class CounterItem(Strict):
    id: Slug
    number: int = Field(ge=1, le=9999)
    name: Name
    area: str
    fields: list[Code] = Field(min_length=1)
    weights: dict[str, Annotated[int, Field(ge=1, le=100)]] = {}
    priority_counter: bool = False
    led_address: int | None = Field(default=None, ge=0, le=255)


class SiteFile(Strict):
    """A whole site file."""

    schema_version: Literal[1]
    site: SiteSection
    rules: Rules = Rules()
    alerts: Alerts = Alerts()
    priority_categories: list[Category] = []
    sessions: list[Session] = []
    holidays: list[HolidayItem] = []
    special_days: list[SpecialDayItem] = []
    areas: list[AreaItem] = Field(min_length=1)
    departments: list[DepartmentItem] = Field(min_length=1)
    fields: list[FieldItem] = Field(min_length=1)
    counters: list[CounterItem] = []


# ---- to and from the engine's values -------------------------------------------------
