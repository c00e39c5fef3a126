"""Plain rows of the tables a command reads and writes by key, without the ORM.

A command reads the counter, the ticket it holds and the next ticket, changes them
and writes them back with one UPDATE each (``Repository.save_ticket``,
``update_counter``). Built as ORM instances, each such row cost more in attribute
instrumentation (~80 µs per call-next) than its query; these records have the same
attribute names as ``TicketRow`` and ``CounterRow`` and nothing else.
"""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeAlias

from server.storage.models import CounterRow, TicketRow


@dataclass(slots=True, eq=False)
class TicketRecord:
    """A ticket as stored (the ``tickets`` columns), not in any Session."""

    id: str
    site_id: str
    service: str
    number: str
    seq: int
    business_day: date
    status: str
    issued_at: datetime
    queue_at: datetime
    priority: str | None = None
    language: str = "vi"
    citizen_key: str | None = None
    counter_id: str | None = None
    target_counter: str | None = None
    transferred_from: str | None = None
    called_at: datetime | None = None
    call_count: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    outcome: str | None = None
    estimate_s: int | None = None
    note: str = ""
    track_token: str | None = None
    clerk: str | None = None


@dataclass(slots=True, eq=False)
class CounterRecord:
    """A counter as stored (the ``counters`` columns), not in any Session."""

    site_id: str
    id: str
    number: int
    name: str
    area: str
    priority_counter: bool = False
    state: str = "closed"
    clerk: str | None = None
    priority_streak: int = 0
    led_address: int | None = None


@dataclass(slots=True, eq=False)
class CallRecord:
    """A call as stored (the ``calls`` columns but the generated ``id``)."""

    call_id: str
    site_id: str
    area: str
    counter_id: str
    ticket_id: str
    at: datetime
    recall: bool
    call_count: int

    def values(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CALL_COLUMNS}


# What the service layer reads a ticket or counter from: a loaded ORM row or a record.
TicketData: TypeAlias = TicketRow | TicketRecord
CounterData: TypeAlias = CounterRow | CounterRecord

TICKET_COLUMNS: tuple[str, ...] = tuple(TicketRow.__table__.c.keys())
COUNTER_COLUMNS: tuple[str, ...] = tuple(CounterRow.__table__.c.keys())
CALL_COLUMNS: tuple[str, ...] = tuple(CallRecord.__dataclass_fields__)
