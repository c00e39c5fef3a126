"""Statements built once, with bound parameters, for the queries every command and
every snapshot build runs: building a SQLAlchemy statement costs more than running
it on a small index range."""

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    Float,
    Select,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    or_,
    select,
    tuple_,
    update,
)

from server.contract.vocab import TicketStatus
from server.storage.models import (
    BranchSiteRow,
    CallRow,
    CounterRow,
    CounterServiceRow,
    DayCounterRow,
    IdempotencyRow,
    NoticeRow,
    SiteRow,
    TicketEventRow,
    TicketRow,
)
from server.storage.records import TICKET_COLUMNS

T = TicketRow.__table__.c
# The tables for Core INSERTs (``__table__`` is typed as a FromClause).
TICKETS = cast(Table, TicketRow.__table__)
EVENTS = cast(Table, TicketEventRow.__table__)
CALLS = cast(Table, CallRow.__table__)
DAY_COUNTERS = cast(Table, DayCounterRow.__table__)
IDEMPOTENCY = cast(Table, IdempotencyRow.__table__)
WAITING = TicketStatus.WAITING.value
DONE = TicketStatus.DONE.value


def one_of(column: Any, values: Sequence[str]) -> Any:
    """``column IN ('a', 'b')`` with the (constant, our own) values written into the SQL:
    a fixed text with no expanding parameter, so it can run as a lean statement
    (``server.storage.lean``), and the planner sees the values."""
    for value in values:
        if not value.replace("-", "").replace("_", "").isalnum():
            raise ValueError(f"not a plain constant: {value!r}")
    return column.in_([literal_column(f"'{value}'") for value in values])


def site_param() -> Any:
    return bindparam("site")


def day_param() -> Any:
    return bindparam("day")


# Table columns, not ORM attributes: a statement of ORM attributes goes through the
# ORM's compile and result machinery on every execution.
_CT = CounterRow.__table__.c
COUNTER_STATES = select(_CT.id, _CT.state, _CT.clerk, _CT.priority_streak).where(
    _CT.site_id == site_param()
)

_CS = CounterServiceRow.__table__.c
# How many counters serving a field are open: one row, not every counter's id.
COUNT_OPEN_FOR_SERVICE = (
    select(func.count())
    .select_from(
        CounterRow.__table__.join(
            CounterServiceRow.__table__,
            (_CS.site_id == _CT.site_id) & (_CS.counter_id == _CT.id),
        )
    )
    .where(_CT.site_id == site_param(), _CT.state == "open", _CS.service == bindparam("service"))
)

TARGETED = select(TicketRow.__table__).where(
    T.site_id == site_param(),
    T.business_day == day_param(),
    T.status == WAITING,
    T.target_counter.is_not(None),
)

D = DayCounterRow.__table__.c
ISSUED_TODAY = select(D.issued).where(
    D.site_id == site_param(), D.business_day == day_param(), D.service == bindparam("service")
)
TAKE_NUMBER = (  # an UPDATE may not name a parameter after a column ("service")
    update(DAY_COUNTERS)
    .where(D.site_id == site_param(), D.business_day == day_param(), D.service == bindparam("svc"))
    .values(issued=D.issued + 1)
)
_TICKET_UPDATES: dict[tuple[tuple[str, ...], str], Any] = {}


def update_ticket(columns: tuple[str, ...], prefix: str = "p_") -> Any:
    """UPDATE tickets SET (these columns, a subset of ``records.TICKET_CHANGES``) for one
    ticket.
    (An UPDATE may not name a parameter after one of its columns, hence the prefixes;
    ``command_end`` gives each of its parts its own.)"""
    stmt = _TICKET_UPDATES.get((columns, prefix))
    if stmt is None:
        stmt = (
            update(TICKETS)
            .where(T.id == bindparam(f"{prefix}id"))
            .values({name: bindparam(f"{prefix}{name}") for name in columns})
        )
        _TICKET_UPDATES[(columns, prefix)] = stmt
    return stmt


_COUNTER_UPDATES: dict[tuple[tuple[str, ...], str], Any] = {}


def update_counter(columns: tuple[str, ...], prefix: str = "p_") -> Any:
    """UPDATE counters SET (these columns) for one counter of a site."""
    stmt = _COUNTER_UPDATES.get((columns, prefix))
    if stmt is None:
        k = CounterRow.__table__.c
        stmt = (
            update(cast(Table, CounterRow.__table__))
            .where(k.site_id == bindparam(f"{prefix}site"), k.id == bindparam(f"{prefix}id"))
            .values({name: bindparam(f"{prefix}{name}") for name in columns})
        )
        _COUNTER_UPDATES[(columns, prefix)] = stmt
    return stmt


BUMP_SEQ = (
    update(cast(Table, SiteRow.__table__))
    .where(SiteRow.__table__.c.id == site_param())
    .values(seq=SiteRow.__table__.c.seq + 1)
)
# The lock every command takes first (as ``Repository.lock_site``: the site row FOR
# UPDATE), reading only what a command needs of the site.
_B = BranchSiteRow.__table__.c
# The branch that owns the site (None: served here), read with the lock in the same round
# trip: a scalar subquery in the select list, so ``FOR UPDATE`` still locks only the site.
LOCK_SITE_VERSION = (
    select(
        SiteRow.__table__.c.id,
        SiteRow.__table__.c.seq,
        SiteRow.__table__.c.config_version,
        select(_B.branch_id)
        .where(_B.site_id == SiteRow.__table__.c.id)
        .scalar_subquery()
        .label("branch"),
    )
    .where(SiteRow.__table__.c.id == site_param())
    .with_for_update()
)
_I = IdempotencyRow.__table__.c
IDEMPOTENT = select(_I.request_hash, _I.status_code, _I.response).where(
    _I.scope == bindparam("scope"), _I.key == bindparam("key")
)

ISSUED_BY_SERVICE = select(D.service, D.issued).where(
    D.site_id == site_param(), D.business_day == day_param()
)

WAITING_COUNTS = (
    select(T.service, func.count())
    .where(T.site_id == site_param(), T.business_day == day_param(), T.status == WAITING)
    .group_by(T.service)
)


def _service_seconds(postgresql: bool) -> Any:
    """A finished service's length in seconds, computed by the database: reading the two
    times back as datetimes cost more than the query (SQLite keeps them as text)."""
    if postgresql:
        return func.extract("epoch", T.finished_at - T.started_at)
    return ((func.julianday(T.finished_at) - func.julianday(T.started_at)) * 86400.0).cast(Float)


def _recent_durations(postgresql: bool) -> Select[Any]:
    return (
        select(T.service, _service_seconds(postgresql))
        .where(
            T.site_id == site_param(),
            T.business_day == day_param(),
            T.status == DONE,
            T.started_at.is_not(None),
            T.finished_at.is_not(None),
        )
        .order_by(T.finished_at.desc())
        .limit(bindparam("limit"))
    )


def _durations_of(postgresql: bool) -> Select[Any]:
    return (
        select(_service_seconds(postgresql))
        .where(
            T.site_id == site_param(),
            T.business_day == day_param(),
            T.service == bindparam("service"),
            T.status == DONE,
            T.started_at.is_not(None),
            T.finished_at.is_not(None),
        )
        .order_by(T.finished_at.desc())
        .limit(bindparam("limit"))
    )


# By backend (True: PostgreSQL): (service, seconds) of today's latest finished
# services, and the seconds of one field's.
RECENT_DURATIONS = {pg: _recent_durations(pg) for pg in (False, True)}
DURATIONS_OF = {pg: _durations_of(pg) for pg in (False, True)}


def _count_ahead(priority: bool) -> Select[Any]:
    stmt = select(func.count()).where(
        T.site_id == site_param(),
        T.business_day == day_param(),
        T.status == WAITING,
        T.service == bindparam("service"),
        T.target_counter.is_(None),
    )
    return stmt.where(T.priority.is_not(None)) if priority else stmt


def _ahead_of(targeted: bool) -> Select[Any]:
    """People ahead of a waiting ticket, by the engine's rule (``people_ahead``): the
    waiting tickets of its line (its field; the counter it was sent to, if any) whose
    (priority first, queue time, seq, id) comes before its own."""
    rank = case((T.priority.is_(None), 1), else_=0)
    mine: Any = bindparam("rank")
    place = tuple_(T.queue_at, T.seq, T.id)
    my_place = tuple_(
        bindparam("queue_at", type_=T.queue_at.type), bindparam("seq"), bindparam("id")
    )
    line = T.target_counter == bindparam("target") if targeted else T.target_counter.is_(None)
    return select(func.count()).where(
        T.site_id == site_param(),
        T.business_day == day_param(),
        T.status == WAITING,
        T.service == bindparam("service"),
        line,
        T.id != bindparam("id"),
        or_(rank < mine, and_(rank == mine, place < my_place)),
    )


# By whether the ticket was transferred to a counter (its own line there).
AHEAD_OF = {targeted: _ahead_of(targeted) for targeted in (False, True)}

COUNT_NORMAL_LINE = _count_ahead(priority=False).where(T.priority.is_(None))
COUNT_AHEAD_PRIORITY = _count_ahead(priority=True)
COUNT_AHEAD_ANY = _count_ahead(priority=False)
# What issuing a ticket counts, in one round trip: numbers given today, people ahead of
# a new priority / normal ticket, the normal line alone, and the field's open counters.
ISSUE_COUNTS = {
    priority: select(
        ISSUED_TODAY.scalar_subquery(),
        (COUNT_AHEAD_PRIORITY if priority else COUNT_AHEAD_ANY).scalar_subquery(),
        COUNT_NORMAL_LINE.scalar_subquery(),
        COUNT_OPEN_FOR_SERVICE.scalar_subquery(),
    )
    for priority in (True, False)
}

# What a counter view and a ticket brief show of the ticket held at each counter.
AT_COUNTERS = select(
    T.id,
    T.counter_id,
    T.number,
    T.service,
    T.priority,
    T.status,
    T.issued_at,
    T.called_at,
    T.call_count,
    T.transferred_from,
    T.note,
).where(
    T.site_id == site_param(),
    one_of(T.status, [TicketStatus.CALLED.value, TicketStatus.SERVING.value]),
)

_N = NoticeRow.__table__.c
NOTICE = select(_N.text).where(_N.site_id == site_param()).order_by(_N.id.desc()).limit(1)
# What a read of a site needs first: its seq and config_version, and the notice the
# boards show, in one round trip.
SITE_VERSION = select(
    SiteRow.__table__.c.seq,
    SiteRow.__table__.c.config_version,
    NOTICE.scalar_subquery().label("notice"),
).where(SiteRow.__table__.c.id == site_param())

_BY_STATUS: dict[tuple[str, ...], Select[Any]] = {}


def tickets_by_status(statuses: tuple[str, ...]) -> Select[Any]:
    stmt = _BY_STATUS.get(statuses)
    if stmt is None:
        stmt = select(TicketRow.__table__).where(
            T.site_id == site_param(), one_of(T.status, statuses)
        )
        _BY_STATUS[statuses] = stmt
    return stmt


_K = CounterRow.__table__.c
# A counter's row and the ticket it holds (called or serving; the latest call), in one
# round trip: every counter action reads both first. The ticket's columns are prefixed
# ``t_``; they are all None when the counter holds none.
COUNTER_AND_HELD = (
    select(*_K, *(T[name].label(f"t_{name}") for name in TICKET_COLUMNS))
    .select_from(CounterRow.__table__)
    .outerjoin(
        TicketRow.__table__,
        (T.site_id == _K.site_id)
        & (T.counter_id == _K.id)
        & one_of(T.status, [TicketStatus.CALLED.value, TicketStatus.SERVING.value]),
    )
    .where(_K.site_id == site_param(), _K.id == bindparam("counter"))
    .order_by(T.called_at.desc())
    .limit(1)
)


# The events of one command as one executemany: on PostgreSQL SQLAlchemy sends them as
# one multi-row INSERT ("insertmanyvalues") of a cached compilation. (A statement built
# with multi-row ``.values()`` of bind parameters has no cache key: it was compiled anew
# for every command.)
INSERT_EVENTS = insert(EVENTS)
INSERT_TICKET = insert(TICKETS)
INSERT_CALL = insert(CALLS)
INSERT_IDEMPOTENCY = insert(IDEMPOTENCY)
INSERT_DAY_COUNTER = insert(DAY_COUNTERS)
