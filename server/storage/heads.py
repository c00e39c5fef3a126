"""The heads of the waiting lines (the first tickets of each field's priority and normal
line) and the tickets transferred to a counter, in one statement of fixed text per
backend: every call-next and every counter snapshot reads them."""

from typing import Any

from sqlalchemy import (
    CompoundSelect,
    Select,
    String,
    bindparam,
    func,
    literal_column,
    select,
    true,
    union_all,
)
from sqlalchemy.dialects import postgresql

from server.storage.models import TicketRow
from server.storage.statements import WAITING, T, day_param, site_param


def _targeted_part(per_counter: bool) -> Select[Any]:
    """Waiting tickets transferred to the counter ``counter`` (or to any counter)."""
    target = (
        T.target_counter == bindparam("counter") if per_counter else T.target_counter.is_not(None)
    )
    part = (
        select(TicketRow.__table__)
        .where(
            T.site_id == site_param(), T.business_day == day_param(), T.status == WAITING, target
        )
        .subquery()
    )
    return select(part)


# Written into the SQL, not bound: the line-head indexes are partial (waiting tickets
# only), and a database uses one only when the query's own text implies its condition.
WAITING_IN_SQL: Any = literal_column(f"'{WAITING}'")


def _line_head(stmt: Select[Any], service: Any, priority: bool) -> Select[Any]:
    """The first ``limit`` waiting tickets of one line of ``service`` (its priority or its
    normal line; not those transferred to a counter), in call order: on PostgreSQL the
    first entries of ``ix_tickets_head_priority`` or ``ix_tickets_head_normal``, which
    hold the lines in that order."""
    return (
        stmt.where(
            T.site_id == site_param(),
            T.business_day == day_param(),
            T.status == WAITING_IN_SQL,
            T.service == service,
            T.target_counter.is_(None),
            T.priority.is_not(None) if priority else T.priority.is_(None),
        )
        .order_by(T.queue_at, T.seq)
        .limit(bindparam("limit"))
    )


def _pg_heads(targeted: bool | None) -> CompoundSelect[Any] | Select[Any]:
    services = (
        func.unnest(bindparam("services", type_=postgresql.ARRAY(String)))
        .table_valued("code")
        .render_derived(name="s")
    )
    lines = [
        _line_head(select(TicketRow.__table__), services.c.code, priority)
        for priority in (True, False)
    ]
    heads = union_all(*lines).lateral("h")
    stmt = select(heads).select_from(services).join(heads, true())
    return stmt if targeted is None else union_all(stmt, _targeted_part(targeted))


def _sqlite_heads(targeted: bool | None) -> CompoundSelect[Any]:
    """SQLite's form of ``PG_HEADS``: the services as a JSON array (``json_each``), each
    line the first ``limit`` ids of its index range, picked by a correlated ``IN``."""
    services = func.json_each(bindparam("services")).table_valued("value").alias("s")
    outer = TicketRow.__table__.alias("t")
    lines = []
    for priority in (True, False):
        ids = _line_head(select(T.id), services.c.value, priority)
        lines.append(select(outer).select_from(services).join(outer, outer.c.id.in_(ids)))
    if targeted is not None:
        lines.append(_targeted_part(targeted))
    return union_all(*lines)


# SQLite: one text for any set of services too. The portable union differs with the set
# of services, so the builds' varying sets of counters missed SQLAlchemy's compiled
# cache and recompiled a union of up to 86 parts every time.
SQLITE_HEADS: dict[bool | None, CompoundSelect[Any]] = {
    want: _sqlite_heads(want) for want in (None, True, False)
}


# PostgreSQL: one statement of the same text for any set of services (the services as an
# array parameter, each line a LATERAL index range), so psycopg caches and prepares it,
# where the portable union grows with the services and, past 4 KB or 50 parameters, is
# parsed by psycopg and planned by the server anew each time.
PG_HEADS: dict[bool | None, CompoundSelect[Any] | Select[Any]] = {
    want: _pg_heads(want) for want in (None, True, False)
}
