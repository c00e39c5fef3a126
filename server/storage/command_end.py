"""A command's last writes in one statement on PostgreSQL: the statements, and the part
of the repository that keeps the writes for them (``CommandEnd``).

Every command ends with the same few writes, none of which the command reads back:
its events, its calls, the site's ``seq`` bump and the idempotency answer; issuing
also inserts its ticket and counts the number taken (an upsert of ``day_counters``),
and a call-next's changes of tickets and counter after its last read are kept for it
too (``CommandEnd.keep_updates``). Each would be a round trip to PostgreSQL (a wake-up
of the server's thread and of a database backend, dearer in CPU than the statement
itself). Here they are data-modifying CTEs of one ``SELECT 1``: PostgreSQL runs every
one of them to completion, in the command's transaction, each seeing the tables as
they were before the statement. So no two of them touch the same row: an update of a
row already kept (changed again, or the ticket just issued) first writes what was kept.

One statement per shape (how many events and calls; which of the others), built once
and kept, since a lean statement must be built once (``server.storage.lean``). SQLite
writes the same rows one statement at a time (``CommandEnd.end_command``): it has no
data-modifying CTEs, and its statements are calls into the same process.

Kept writes are never out of sight: before any other statement of the Session that
touches a table with kept rows (a lean one, ``LeanSession``; an ORM or Core one through
``Session.execute``, a ``do_orm_execute`` hook), everything kept is written first. So a
read in a command always sees the command's own writes, whoever adds it later.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import Table, bindparam, event, insert, literal, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import ORMExecuteState, Session
from sqlalchemy.sql import ClauseElement

from server.engine.model import Event
from server.storage import statements as st
from server.storage.idempotency import ANSWER_KEYS
from server.storage.lean import tables_of
from server.storage.lean_session import KEPT_WRITES, LeanSession
from server.storage.records import CALL_COLUMNS, TICKET_COLUMNS, CallRecord

EVENT_KEYS = ("site_id", "ticket_id", "kind", "at", "actor", "counter_id", "data")
CALL_KEYS = CALL_COLUMNS
NUMBER_KEYS = ("site_id", "business_day", "service")
# Beyond these, the rows go in with one statement per table (a rare, long command):
# every shape is a statement kept for good.
MAX_EVENTS = 8
MAX_CALLS = 2
MAX_UPDATES = 4

# A kept UPDATE: ("ticket" or "counter", the columns it sets).
Update = tuple[str, tuple[str, ...]]
Shape = tuple[int, int, bool, bool, bool, bool, tuple[Update, ...]]
_BUILT: dict[Shape, ClauseElement] = {}


def _rows(table: Table, keys: tuple[str, ...], prefix: str, count: int) -> Any:
    """``INSERT INTO table`` of ``count`` rows, the parameters named ``{prefix}{i}_{key}``."""
    return insert(table).values(
        [
            {k: bindparam(f"{prefix}{i}_{k}", type_=table.c[k].type) for k in keys}
            for i in range(count)
        ]
    )


def _number_taken() -> Any:
    """One more number of a service today: the day's first, or the next."""
    d = st.DAY_COUNTERS
    values = {k: bindparam(f"n0_{k}", type_=d.c[k].type) for k in NUMBER_KEYS}
    return (
        postgresql.insert(d)
        .values(**values, issued=literal(1))
        .on_conflict_do_update(index_elements=list(NUMBER_KEYS), set_={"issued": d.c.issued + 1})
    )


def statement(
    events: int,
    calls: int,
    *,
    bump: bool,
    answer: bool,
    ticket: bool = False,
    number: bool = False,
    updates: tuple[Update, ...] = (),
) -> ClauseElement:
    """The one statement of these writes (at least one of them)."""
    shape = (events, calls, bump, answer, ticket, number, updates)
    built = _BUILT.get(shape)
    if built is not None:
        return built
    ctes = []
    if bump:
        ctes.append(st.BUMP_SEQ.cte("bump_seq"))
    if events:
        ctes.append(_rows(st.EVENTS, EVENT_KEYS, "e", events).cte("new_events"))
    if calls:
        ctes.append(_rows(st.CALLS, CALL_KEYS, "c", calls).cte("new_calls"))
    if answer:
        ctes.append(_rows(st.IDEMPOTENCY, ANSWER_KEYS, "a", 1).cte("new_answer"))
    if ticket:
        ctes.append(_rows(st.TICKETS, TICKET_COLUMNS, "t", 1).cte("new_ticket"))
    if number:
        ctes.append(_number_taken().cte("number_taken"))
    for i, (table, columns) in enumerate(updates):
        change = st.update_ticket if table == "ticket" else st.update_counter
        ctes.append(change(columns, prefix=f"u{i}_").cte(f"changed_{i}"))
    if not ctes:
        raise ValueError("no writes to end a command with")
    built = select(literal_column("1")).add_cte(*ctes)
    _BUILT[shape] = built
    return built


def parameters(
    site_id: str,
    events: Sequence[dict[str, Any]],
    calls: Sequence[dict[str, Any]],
    answer: dict[str, Any] | None,
    *,
    ticket: dict[str, Any] | None = None,
    number: dict[str, Any] | None = None,
    updates: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    """The parameters of ``statement`` for these rows."""
    params: dict[str, Any] = {"site": site_id}
    for i, row in enumerate(events):
        for k in EVENT_KEYS:
            params[f"e{i}_{k}"] = row[k]
    for i, row in enumerate(calls):
        for k in CALL_KEYS:
            params[f"c{i}_{k}"] = row[k]
    if answer is not None:
        for k in ANSWER_KEYS:
            params[f"a0_{k}"] = answer[k]
    if ticket is not None:
        for k in TICKET_COLUMNS:
            params[f"t0_{k}"] = ticket[k]
    if number is not None:
        for k in NUMBER_KEYS:
            params[f"n0_{k}"] = number[k]
    for i, values in enumerate(updates):  # by the names of ``update_ticket``/``_counter``
        for name, value in values.items():
            params[f"u{i}_{name}"] = value
    return params


class CommandEnd:
    """The writes a command keeps for its last statement: its events and calls (both
    backends), and on PostgreSQL an issued ticket and its number and the updates after
    a call-next's last read; then ``end_command``. One per Session (``of``), registered
    in ``session.info`` so that every statement of the Session finds it."""

    def __init__(self, sql: LeanSession) -> None:
        self._sql = sql
        self._postgresql = sql.postgresql
        self._events: list[dict[str, Any]] = []
        self._calls: list[dict[str, Any]] = []
        # PostgreSQL: the ticket an issue inserts and the number it takes.
        self._new_ticket: dict[str, Any] | None = None
        self._number: dict[str, Any] | None = None
        # PostgreSQL, after ``keep_updates``: UPDATEs of tickets and counters, each with
        # its parameters and its row.
        self._keeping = False
        self._updates: list[tuple[Update, dict[str, Any], tuple[str, ...]]] = []

    @classmethod
    def of(cls, sql: LeanSession) -> "CommandEnd":
        """The Session's kept writes (made and registered on first use): every
        repository on one Session shares them."""
        info = sql.s.info
        kept = info.get(KEPT_WRITES)
        if isinstance(kept, CommandEnd):
            return kept
        kept = cls(sql)
        info[KEPT_WRITES] = kept
        return kept

    # ---- keeping ------------------------------------------------------------------

    def append_events(self, site_id: str, events: Iterable[Event]) -> None:
        """Append to the log, at the command's end (``end_command``; ``write_events``
        in other transactions), so the events of one command go in one INSERT."""
        self._events.extend(
            {
                "site_id": site_id,
                "ticket_id": e.ticket_id,
                "kind": e.kind,
                "at": e.at,
                "actor": e.actor,
                "counter_id": e.counter_id,
                "data": _jsonable(dict(e.data)),
            }
            for e in events
        )

    def add_call(self, call: CallRecord) -> None:
        """Kept until the command ends, like its events."""
        self._calls.append(call.values())

    def keep_updates(self) -> None:
        """From here on (PostgreSQL), keep this command's changes of tickets and counters
        for its last statement (``end_command``): for the steps after a command's last
        read (a later read still sees them: they are written before it)."""
        self._keeping = self._postgresql

    def keep_update(self, part: Update, values: dict[str, Any], key: tuple[str, ...]) -> bool:
        """Keep an UPDATE if it may be: keeping on, room left, its row not kept already
        (else everything kept is written now, before it, and False: write it at once)."""
        if not self._keeping:
            return False
        fresh = all(k != key for *_, k in self._updates) and not (
            self._new_ticket is not None and key == ("ticket", self._new_ticket["id"])
        )
        if len(self._updates) < MAX_UPDATES and fresh:
            self._updates.append((part, values, key))
            return True
        self._write_kept()
        return False

    def keep_ticket(self, values: dict[str, Any]) -> bool:
        """Keep an issued ticket's INSERT for the end (PostgreSQL; one per command)."""
        if self._postgresql and self._new_ticket is None:
            self._new_ticket = values
            return True
        return False

    def keep_number(self, values: dict[str, Any]) -> bool:
        """Keep a number taken (an upsert of ``day_counters``) for the end (PostgreSQL)."""
        if self._postgresql and self._number is None:
            self._number = values
            return True
        return False

    # ---- writing ------------------------------------------------------------------

    def end_command(self, site_id: str, answer: dict[str, Any] | None, *, bump: bool) -> None:
        """A command's last writes: what it kept, the site's ``seq`` bump when it changed
        something, and its idempotency ``answer``. One statement on PostgreSQL
        (see the module's docstring)."""
        self._keeping = False
        self._write_all(site_id, answer, bump=bump)

    def write_events(self) -> None:
        """Everything kept so far, one statement per kind (the issued ticket first)."""
        self._write_kept()
        rows, self._events = self._events, []
        if rows:
            self._sql.write_many(st.INSERT_EVENTS, rows, EVENT_KEYS)
        calls, self._calls = self._calls, []
        if calls:
            self._sql.write_many(st.INSERT_CALL, calls, CALL_COLUMNS)

    def write_before(self, tables: frozenset[str]) -> None:
        """Before a statement on these tables (empty: not known), write everything kept
        if any of it is for one of them."""
        if not self.holds_any:
            return
        if tables and tables.isdisjoint(self._tables()):
            return
        self._write_all("", None, bump=False)

    @property
    def holds_any(self) -> bool:
        return bool(
            self._events or self._calls or self._new_ticket or self._number or self._updates
        )

    def _tables(self) -> set[str]:
        """The tables with kept rows."""
        found = {table for (table, _), _, _ in self._updates}
        names = {"ticket": "tickets", "counter": "counters"}
        tables = {names[table] for table in found}
        if self._new_ticket is not None:
            tables.add("tickets")
        if self._number is not None:
            tables.add("day_counters")
        if self._events:
            tables.add("ticket_events")
        if self._calls:
            tables.add("calls")
        return tables

    def _write_all(self, site_id: str, answer: dict[str, Any] | None, *, bump: bool) -> None:
        events, calls = self._events, self._calls
        if self._postgresql and len(events) <= MAX_EVENTS and len(calls) <= MAX_CALLS:
            self._events, self._calls = [], []
            self._write_kept(site_id, events, calls, answer, bump=bump)
            return
        self.write_events()
        if bump:
            self._sql.write(st.BUMP_SEQ, {"site": site_id})
        if answer is not None:
            self._sql.write(st.INSERT_IDEMPOTENCY, answer, keys=ANSWER_KEYS)

    def _write_kept(
        self,
        site_id: str = "",
        events: Sequence[dict[str, Any]] = (),
        calls: Sequence[dict[str, Any]] = (),
        answer: dict[str, Any] | None = None,
        *,
        bump: bool = False,
    ) -> None:
        """Write what was kept (PostgreSQL) and these rows, all in one statement."""
        ticket, number, updates = self._new_ticket, self._number, self._updates
        if not (events or calls or answer is not None or bump or ticket or number or updates):
            return
        self._new_ticket, self._number, self._updates = None, None, []
        stmt = statement(
            len(events),
            len(calls),
            bump=bump,
            answer=answer is not None,
            ticket=ticket is not None,
            number=number is not None,
            updates=tuple(part for part, _, _ in updates),
        )
        params = parameters(
            site_id,
            events,
            calls,
            answer,
            ticket=ticket,
            number=number,
            updates=[values for _, values, _ in updates],
        )
        self._sql.write(stmt, params)


@event.listens_for(Session, "do_orm_execute")
def _before_orm_statement(state: ORMExecuteState) -> None:
    """An ORM or Core statement through the Session sees the command's kept writes."""
    kept = state.session.info.get(KEPT_WRITES)
    if isinstance(kept, CommandEnd) and kept.holds_any:
        stmt = state.statement
        kept.write_before(tables_of(stmt) if isinstance(stmt, ClauseElement) else frozenset())


def _jsonable(data: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, datetime | date):
            out[k] = v.isoformat()
        elif isinstance(v, dict):
            out[k] = _jsonable(v)
        elif isinstance(v, list | tuple):
            out[k] = [x.isoformat() if isinstance(x, datetime | date) else x for x in v]
        else:
            out[k] = v
    return out
