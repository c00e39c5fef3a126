"""What a branch and the central server say to each other over HTTP.

Server to server only (the apps never see it), so it lives here rather than in
``server.contract``. A ticket travels as its ``tickets`` row, column by column, so the
central database holds it exactly as the branch made it.
"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Date

from server.contract import paths
from server.contract.http import API_PREFIX
from server.storage.models import TicketRow, UtcDateTime

PUSH_PATH = API_PREFIX + paths.UPSTREAM_EVENTS
CONFIG_PATH = API_PREFIX + paths.UPSTREAM_CONFIG

# Columns a branch's ticket does not bring up: the tracking link is the branch's own
# (citizens' phones reach the branch), and a unique token kept twice could collide.
_LOCAL_ONLY = frozenset({"track_token"})
_COLUMNS = {c.name: c for c in TicketRow.__table__.columns if c.name not in _LOCAL_ONLY}


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class EventUp(_Strict):
    """One row of the branch's ``ticket_events``, with the id it has there."""

    id: int
    site: str
    ticket_id: str
    kind: str
    at: datetime
    actor: str | None = None
    counter_id: str | None = None
    data: dict[str, Any] = {}


class Push(_Strict):
    """Events in the branch's id order, and the present state of every ticket they name."""

    events: list[EventUp] = []
    tickets: list[dict[str, Any]] = []


class PushAck(_Strict):
    """``received_through``: the highest event id of the branch kept centrally (a branch
    whose mark is past it sends again from there); ``stored``: how many of this push
    were new."""

    received_through: int
    stored: int


class SiteDown(_Strict):
    id: str
    version: int
    # The site file (TOML) as ``qms site export`` writes it; None when the branch said
    # it has this version already.
    file: str | None


class UserDown(_Strict):
    username: str
    display_name: str
    role: str
    site: str
    password_hash: str
    active: bool


class DeviceDown(_Strict):
    id: str
    site: str
    kind: str
    name: str
    token_hash: str
    active: bool
    area: str | None


class ConfigDown(_Strict):
    """Everything of its sites a branch takes from the city."""

    branch: str
    sites: list[SiteDown]
    users: list[UserDown]
    devices: list[DeviceDown]


def ticket_out(row: TicketRow) -> dict[str, Any]:
    """A ``tickets`` row as JSON-ready values (dates and times as ISO text)."""
    out: dict[str, Any] = {}
    for name in _COLUMNS:
        value = getattr(row, name)
        out[name] = value.isoformat() if isinstance(value, (date, datetime)) else value
    return out


def ticket_in(values: dict[str, Any]) -> dict[str, Any]:
    """The column values of a ticket sent up; ``ValueError`` on an unknown or missing
    column, or a date or time that is not ISO text."""
    unknown = set(values) - set(_COLUMNS)
    missing = {"id", "site_id", "business_day", "status"} - set(values)
    if unknown or missing:
        raise ValueError(f"ticket columns: unknown {sorted(unknown)}, missing {sorted(missing)}")
    return {name: _column_value(name, value) for name, value in values.items()}


def _column_value(name: str, value: Any) -> Any:
    kind = _COLUMNS[name].type
    if value is not None and isinstance(kind, UtcDateTime):
        parsed = datetime.fromisoformat(value)
        if parsed.tzinfo is None:
            raise ValueError(f"ticket column {name}: a time without its zone")
        return parsed
    if value is not None and isinstance(kind, Date):
        return date.fromisoformat(value)
    return value
