"""The counts behind a ticket's place in line and its estimated wait, and the service
durations the estimates learn from: each one statement counted by the database, so a
long line is never read to answer a citizen's phone or a kiosk."""

from datetime import date

from server.engine.model import Ticket
from server.storage import statements as st
from server.storage.lean_session import LeanSession
from server.storage.records import StoredTicket


class LineCounts:
    """The counting part of the repository."""

    def __init__(self, sql: LeanSession) -> None:
        self._sql = sql

    def waiting_counts(self, site_id: str, day: date) -> dict[str, int]:
        rows = self._sql.rows(st.WAITING_COUNTS, {"site": site_id, "day": day})
        return {row[0]: row[1] for row in rows}

    def recent_service_times(
        self, site_id: str, day: date, limit: int = 400
    ) -> dict[str, list[float]]:
        """Durations (s, to the millisecond) of today's finished services per service,
        newest first."""
        stmt = st.RECENT_DURATIONS[self._sql.postgresql]
        rows = self._sql.rows(stmt, {"site": site_id, "day": day, "limit": limit})
        out: dict[str, list[float]] = {}
        for service, seconds in rows:
            if seconds is not None:
                out.setdefault(service, []).append(round(float(seconds), 3))
        return out

    def count_ahead_of_new(self, site_id: str, day: date, service: str, priority: bool) -> int:
        """People ahead of a ticket issued now: every waiting ticket of the service's
        general line came earlier, and priority ones go first (as in the engine)."""
        stmt = st.COUNT_AHEAD_PRIORITY if priority else st.COUNT_AHEAD_ANY
        params = {"site": site_id, "day": day, "service": service}
        return int(self._sql.scalar(stmt, params) or 0)

    def count_ahead_of(self, ticket: StoredTicket | Ticket) -> int:
        """People ahead of a waiting ticket in its line, counted by the database with the
        engine's rule (``server.engine.estimate.people_ahead``), without reading the line."""
        params = {
            "site": ticket.site if isinstance(ticket, Ticket) else ticket.site_id,
            "day": ticket.business_day,
            "service": ticket.service,
            "target": ticket.target_counter,
            "id": ticket.id,
            "rank": 0 if ticket.priority is not None else 1,
            "queue_at": ticket.queue_at,
            "seq": ticket.seq,
        }
        stmt = st.AHEAD_OF[ticket.target_counter is not None]
        return int(self._sql.scalar(stmt, params) or 0)

    def issue_counts(
        self, site_id: str, day: date, service: str, priority: bool
    ) -> tuple[int, int, int, int]:
        """In one statement: ``issued_today``, ``count_ahead_of_new``,
        ``count_normal_line`` and ``count_open_for`` of a service."""
        params = {"site": site_id, "day": day, "service": service}
        row = self._sql.rows(st.ISSUE_COUNTS[priority], params)[0]
        return int(row[0] or 0), int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)

    def count_normal_line(self, site_id: str, day: date, service: str) -> int:
        """Waiting tickets in a service's normal (not priority) line."""
        params = {"site": site_id, "day": day, "service": service}
        return int(self._sql.scalar(st.COUNT_NORMAL_LINE, params) or 0)

    def service_times_of(
        self, site_id: str, day: date, service: str, limit: int = 50
    ) -> list[float]:
        """Durations (s, to the millisecond) of today's latest finished services of one
        field, newest first."""
        params = {"site": site_id, "day": day, "service": service, "limit": limit}
        rows = self._sql.rows(st.DURATIONS_OF[self._sql.postgresql], params)
        return [round(float(seconds), 3) for (seconds,) in rows if seconds is not None]

    def count_open_for(self, site_id: str, service: str) -> int:
        """How many of the counters serving ``service`` are open."""
        params = {"site": site_id, "service": service}
        return int(self._sql.scalar(st.COUNT_OPEN_FOR_SERVICE, params) or 0)
