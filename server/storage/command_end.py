"""A command's last writes in one statement on PostgreSQL: the statements, and the part
of the repository that keeps the writes for them (``CommandEnd``).

Every command ends with the same few writes, none of which the command reads back:
its events, its calls, the site's ``seq`` bump and the idempotency answer; issuing
also inserts its ticket and counts the number taken (an upsert of ``day_counters``),
and a call-next's changes of tickets and counter after its last read are kept for it
too (``Repository.keep_updates``). Each would be a round trip to PostgreSQL (a wake-up
of the server's thread and of a database backend, dearer in CPU than the statement
itself). Here they are data-modifying CTEs of one ``SELECT 1``: PostgreSQL runs every
one of them to completion, in the command's transaction. No two of them touch the same
row (a statement may not change a row twice): the repository writes a kept update at
once when its row is already kept.

One statement per shape (how many events and calls; which of the others), built once
and kept, since a lean statement must be built once (``server.storage.lean``). SQLite
writes the same rows one statement at a time (``Repository.end_command``): it has no
data-modifying CTEs, and its statements are calls into the same process.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, literal, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from server.storage import statements as st
from server.storage.calllog import EVENT_KEYS, CallLog
from server.storage.idempotency import ANSWER_KEYS, IdempotencyRecords
from server.storage.records import CALL_COLUMNS, TICKET_COLUMNS

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


class CommandEnd(CallLog, IdempotencyRecords):
    """The repository's writes kept for a command's last statement (PostgreSQL): its
    events and calls (``CallLog``), an issued ticket and its number, the updates after
    a call-next's last read; then ``end_command``."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        # PostgreSQL: the ticket an issue inserts and the number it takes, kept until the
        # command ends (``end_command``) or something is read.
        self._new_ticket: dict[str, Any] | None = None
        self._number: dict[str, Any] | None = None
        # PostgreSQL, after ``keep_updates``: UPDATEs of tickets and counters kept for
        # the command's end, each with its parameters and its row.
        self._keeping = False
        self._updates: list[tuple[Update, dict[str, Any], tuple[str, ...]]] = []

    def keep_updates(self) -> None:
        """From here on (PostgreSQL), keep this command's changes of tickets and counters
        for its last statement (``end_command``). For a step that reads nothing the
        Session would have to see (ORM reads); a lean read still writes them first."""
        self._keeping = self._postgresql

    def _kept(self, part: Update, values: dict[str, Any], key: tuple[str, ...]) -> bool:
        """Keep an UPDATE if it may be: keeping on, room left, its row not kept already
        (then everything kept is written now, before it)."""
        if not self._keeping:
            return False
        if len(self._updates) < MAX_UPDATES and all(k != key for *_, k in self._updates):
            self._updates.append((part, values, key))
            return True
        self._write_kept()
        return False

    def _kept_ticket(self, values: dict[str, Any]) -> bool:
        """Keep an issued ticket's INSERT for the end (PostgreSQL; one per command)."""
        if self._postgresql and self._new_ticket is None:
            self._new_ticket = values
            return True
        return False

    def _kept_number(self, values: dict[str, Any]) -> bool:
        """Keep a number taken (an upsert of ``day_counters``) for the end (PostgreSQL)."""
        if self._postgresql and self._number is None:
            self._number = values
            return True
        return False

    def end_command(self, site_id: str, answer: dict[str, Any] | None, *, bump: bool) -> None:
        """A command's last writes: what it kept (its events and calls; an issued ticket
        and its number; kept updates), the site's ``seq`` bump when it changed something,
        and its idempotency ``answer``. One statement on PostgreSQL
        (see the module's docstring)."""
        self._keeping = False
        events, calls = self._events, self._calls
        if self._postgresql and len(events) <= MAX_EVENTS and len(calls) <= MAX_CALLS:
            self._events, self._calls = [], []
            self._write_kept(site_id, events, calls, answer, bump=bump)
            return
        self.write_events()
        if bump:
            self.write(st.BUMP_SEQ, {"site": site_id})
        if answer is not None:
            self.remember(answer)

    def write_events(self) -> None:
        """Everything kept so far, one statement per kind (the issued ticket first)."""
        self._write_kept()
        super().write_events()

    def rows(self, stmt: ClauseElement, params: Mapping[str, Any]) -> list[Any]:
        """A read sees what the command kept for its end."""
        if self._new_ticket is not None or self._number is not None or self._updates:
            self._write_kept()
        return super().rows(stmt, params)

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
        self.write(stmt, params)
