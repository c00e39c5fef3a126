"""The statements the boards read the recent calls with (the display snapshot is built
after every call), as ``statements`` holds the rest: built once, with bound
parameters."""

from typing import Any

from sqlalchemy import Select, String, bindparam, func, select, true
from sqlalchemy.dialects import postgresql

from server.storage.models import CallRow, TicketRow
from server.storage.statements import T, site_param

C = CallRow.__table__.c

# The newest calls of an area with what a board shows of their tickets, in one round
# trip and without ORM objects (the display snapshot is built after every call).
_CALLS_SHOWN = select(
    C.call_id,
    C.counter_id,
    C.ticket_id,
    C.area,
    C.at,
    C.recall,
    C.call_count,
    T.number.label("ticket_number"),
    T.service.label("ticket_service"),
    T.priority.label("ticket_priority"),
    T.status.label("ticket_status"),
).join_from(CallRow.__table__, TicketRow.__table__, C.ticket_id == T.id)
RECENT_CALLS_LIGHT = (
    _CALLS_SHOWN.where(C.site_id == site_param(), C.area == bindparam("area"))
    .order_by(C.id.desc())
    .limit(bindparam("limit"))
)


def _recent_calls_of_areas() -> Select[Any]:
    """PostgreSQL: ``RECENT_CALLS_LIGHT`` of several areas (``areas``, an array) in one
    statement, each area's newest first: a build after a burst of calls shows many
    boards, and each statement is a round trip."""
    areas = (
        func.unnest(bindparam("areas", type_=postgresql.ARRAY(String)))
        .table_valued("code")
        .render_derived(name="a")
    )
    newest = (
        _CALLS_SHOWN.add_columns(C.id.label("call_seq"))
        .where(C.site_id == site_param(), C.area == areas.c.code)
        .order_by(C.id.desc())
        .limit(bindparam("limit"))
        .lateral("r")
    )
    return (
        select(newest)
        .select_from(areas)
        .join(newest, true())
        .order_by(newest.c.area, newest.c.call_seq.desc())
    )


RECENT_CALLS_OF_AREAS = _recent_calls_of_areas()
