"""The ticket's shape in storage, and plain rows of the tables a command reads and
writes by key, without the ORM.

The engine's ``Ticket`` is the one definition of a ticket's fields. The ``tickets``
table stores each of them under the same name but ``site`` (``site_id``), its enums as
their values, and two columns of its own (``TICKET_STORAGE_ONLY``); the column lists
here are derived from ``Ticket``, and a test fails if the table, the record or the
engine's ticket drift apart (tests/server/storage/test_ticket_shape.py).

A command reads the counter, the ticket it holds and the next ticket, changes them
and writes them back with one UPDATE each (``Repository.save_ticket``,
``update_counter``). Built as ORM instances, each such row cost more in attribute
instrumentation than its query; these records have the same attribute names as
``TicketRow`` and ``CounterRow`` and nothing else.
"""

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, TypeAlias

from server.engine.model import Ticket
from server.storage.models import CounterRow, TicketRow

# The engine's ticket fields, in order, and the column each is stored in.
TICKET_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Ticket))
_COLUMN_OF = {"site": "site_id"}
TICKET_FIELD_COLUMNS: tuple[tuple[str, str], ...] = tuple(
    (name, _COLUMN_OF.get(name, name)) for name in TICKET_FIELDS
)
# Columns the engine knows nothing of: the citizen's tracking link and the clerk who
# holds the ticket.
TICKET_STORAGE_ONLY = ("track_token", "clerk")
TICKET_COLUMNS: tuple[str, ...] = (
    *(column for _, column in TICKET_FIELD_COLUMNS),
    *TICKET_STORAGE_ONLY,
)
# What a change of a ticket may set: every field the engine changes (all but its key
# and site), and the clerk who holds it.
TICKET_CHANGES: tuple[str, ...] = (
    *(column for _, column in TICKET_FIELD_COLUMNS if column not in ("id", "site_id")),
    "clerk",
)


@dataclass(slots=True, eq=False)
class TicketRecord:
    """A ticket as stored (``TICKET_COLUMNS``: the engine's fields as stored, then the
    storage-only columns), not in any Session. Declared for the type checker; the
    shape test holds it to ``Ticket`` and the table."""

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
    channel: str = "walk_in"
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


# What the service layer reads a stored ticket or counter from: a loaded ORM row or a
# record.
StoredTicket: TypeAlias = TicketRow | TicketRecord
StoredCounter: TypeAlias = CounterRow | CounterRecord

COUNTER_COLUMNS: tuple[str, ...] = tuple(CounterRow.__table__.c.keys())
CALL_COLUMNS: tuple[str, ...] = tuple(CallRecord.__dataclass_fields__)
