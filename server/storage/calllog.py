"""The append-only event log and the calls, written with Core statements.

A command's events and calls are kept until it ends (``Repository.end_command``, just
before the commit; ``write_events`` for other transactions): nothing in a command reads
them back, so they go in as few statements as the database allows.
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.engine.model import Event
from server.storage import call_statements as calls_sql
from server.storage import statements as st
from server.storage.models import CallRow
from server.storage.records import CALL_COLUMNS, CallRecord
from server.storage.session_bound import SessionBound

EVENT_KEYS = ("site_id", "ticket_id", "kind", "at", "actor", "counter_id", "data")


class CallLog(SessionBound):
    """The log and calls part of the repository."""

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._events: list[dict[str, Any]] = []
        self._calls: list[dict[str, Any]] = []

    def append_events(self, site_id: str, events: Iterable[Event]) -> None:
        """Append to the log: kept until ``write_events``, which the command runner
        calls before it commits, so the events of one command go in one INSERT."""
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

    def write_events(self) -> None:
        """Write the events and calls kept so far, each kind with one Core statement."""
        rows, self._events = self._events, []
        if rows:
            self.write_many(st.INSERT_EVENTS, rows, EVENT_KEYS)
        calls, self._calls = self._calls, []
        if calls:
            self.write_many(st.INSERT_CALL, calls, CALL_COLUMNS)

    def add_call(self, call: CallRecord) -> None:
        """Kept until the command ends, like its events."""
        self._calls.append(call.values())

    def recent_calls(self, site_id: str, area: str, limit: int) -> list[CallRow]:
        params = {"site": site_id, "area": area, "limit": limit}
        return list(self.s.scalars(calls_sql.RECENT_CALLS, params))

    def recent_calls_light(self, site_id: str, area: str, limit: int) -> list[Any]:
        """The newest calls of an area joined with their tickets' number, service,
        priority and status (Core rows, newest first)."""
        params = {"site": site_id, "area": area, "limit": limit}
        return self.rows(calls_sql.RECENT_CALLS_LIGHT, params)

    def recent_calls_of_areas(
        self, site_id: str, areas: Sequence[str], limit: int
    ) -> dict[str, list[Any]]:
        """``recent_calls_light`` of each of these areas: one statement on PostgreSQL."""
        found: dict[str, list[Any]] = {area: [] for area in areas}
        if not self._postgresql:
            for area in areas:
                found[area] = self.recent_calls_light(site_id, area, limit)
            return found
        params = {"site": site_id, "areas": list(areas), "limit": limit}
        for row in self.rows(calls_sql.RECENT_CALLS_OF_AREAS, params):
            found[row.area].append(row)
        return found

    def call_by_id(self, call_id: str) -> CallRow | None:
        return self.s.scalars(select(CallRow).where(CallRow.call_id == call_id)).first()


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
