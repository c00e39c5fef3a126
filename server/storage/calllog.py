"""The calls the boards show: the newest calls of an area, with their tickets.

A command's calls and events are written at its end (``CommandEnd``); these are the
reads, run as lean statements (the display snapshot is built after every call).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from server.storage import call_statements as calls_sql
from server.storage.lean_session import LeanSession
from server.storage.models import CallRow


class CallLog:
    """The repository's reads of calls."""

    def __init__(self, sql: LeanSession) -> None:
        self._sql = sql

    def recent_calls_light(self, site_id: str, area: str, limit: int) -> list[Any]:
        """The newest calls of an area joined with their tickets' number, service,
        priority and status (Core rows, newest first)."""
        params = {"site": site_id, "area": area, "limit": limit}
        return self._sql.rows(calls_sql.RECENT_CALLS_LIGHT, params)

    def recent_calls_of_areas(
        self, site_id: str, areas: Sequence[str], limit: int
    ) -> dict[str, list[Any]]:
        """``recent_calls_light`` of each of these areas: one statement on PostgreSQL."""
        found: dict[str, list[Any]] = {area: [] for area in areas}
        if not self._sql.postgresql:
            for area in areas:
                found[area] = self.recent_calls_light(site_id, area, limit)
            return found
        params = {"site": site_id, "areas": list(areas), "limit": limit}
        for row in self._sql.rows(calls_sql.RECENT_CALLS_OF_AREAS, params):
            found[row.area].append(row)
        return found

    def call_by_id(self, call_id: str) -> CallRow | None:
        return self._sql.s.scalars(select(CallRow).where(CallRow.call_id == call_id)).first()
