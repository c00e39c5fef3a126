"""A command's last writes in one statement on PostgreSQL.

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

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table, bindparam, insert, literal, literal_column, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import ClauseElement

from server.storage import statements as st
from server.storage.idempotency import ANSWER_KEYS
from server.storage.records import CALL_COLUMNS, TICKET_COLUMNS

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
