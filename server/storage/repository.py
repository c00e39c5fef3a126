"""Queries and writes of the service layer, one method per need, on one Session.

Every command first takes ``lock_site`` (the site row ``FOR UPDATE``; on SQLite
the ``BEGIN IMMEDIATE`` of ``Database.write`` already holds the write lock), so
numbering, calling and the idempotency check run one at a time per site.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from server.contract.vocab import TicketStatus
from server.engine.model import Event, Ticket
from server.storage import heads as heads_sql
from server.storage import statements as st
from server.storage.calllog import CallLog
from server.storage.command_end import CommandEnd
from server.storage.idempotency import IdempotencyRecords
from server.storage.lean_session import LeanSession
from server.storage.line_counts import LineCounts
from server.storage.mapping import (
    stored_values,
    ticket_from_row,
    ticket_to_record,
    ticket_to_row,
)
from server.storage.models import (
    CallRow,
    CounterRow,
    SiteRow,
    TicketRow,
)
from server.storage.records import (
    COUNTER_COLUMNS,
    TICKET_COLUMNS,
    CallRecord,
    CounterRecord,
    StoredCounter,
    StoredTicket,
    TicketRecord,
)

ACTIVE = (
    TicketStatus.WAITING.value,
    TicketStatus.CALLED.value,
    TicketStatus.SERVING.value,
    TicketStatus.PARKED.value,
)
AT_COUNTER = (TicketStatus.CALLED.value, TicketStatus.SERVING.value)


def _follow(row: StoredTicket | StoredCounter, values: dict[str, Any]) -> None:
    """Set a row's attributes to what was just written: an ORM row's as committed (no
    flush of them follows), a record's plainly."""
    if isinstance(row, TicketRow | CounterRow):
        for name, value in values.items():
            set_committed_value(row, name, value)
    else:
        for name, value in values.items():
            setattr(row, name, value)


class Repository:
    """Queries and writes of tickets, counters, numbering and sites, made of parts it
    owns: the hot statements on the Session's driver connection (``sql``), the writes a
    command keeps for its last statement (``end``, shared by every repository on the
    Session), the counts behind places in line and waits (``counts``), the boards'
    calls (``calls``) and the idempotency records (``keys``). The parts' methods the
    service uses are offered here too, at the end."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self.sql = LeanSession(session)
        self.end = CommandEnd.of(self.sql)
        self.counts = LineCounts(self.sql)
        self.calls = CallLog(self.sql)
        self.keys = IdempotencyRecords(self.sql)

    # ---- sites --------------------------------------------------------------

    def lock_site(self, site_id: str) -> SiteRow | None:
        stmt = select(SiteRow).where(SiteRow.id == site_id).with_for_update()
        return self.s.scalars(stmt).one_or_none()

    def lock_site_version(self, site_id: str) -> Any:
        """The same lock as ``lock_site`` (the site row ``FOR UPDATE``; on SQLite the
        transaction's write lock), returning only the site's id, ``seq``,
        ``config_version`` and ``branch`` (the branch that owns it, or None) as a light
        Core row, or None."""
        return self.sql.first(st.LOCK_SITE_VERSION, {"site": site_id})

    def site(self, site_id: str) -> SiteRow | None:
        return self.s.get(SiteRow, site_id)

    def site_version(self, site_id: str) -> Any:
        """The site's ``seq``, ``config_version`` and ``notice`` (a light row), or None."""
        return self.sql.first(st.SITE_VERSION, {"site": site_id})

    def site_ids(self) -> list[str]:
        return list(self.s.scalars(select(SiteRow.id).order_by(SiteRow.id)))

    def bump_seq(self, site: SiteRow | Any) -> None:
        """One statement, no ORM flush; a locked ORM row's ``seq`` follows."""
        self.sql.write(st.BUMP_SEQ, {"site": site.id})
        if isinstance(site, SiteRow):
            set_committed_value(site, "seq", site.seq + 1)

    # ---- counters' live state --------------------------------------------------

    def counter_rows(self, site_id: str) -> dict[str, CounterRow]:
        rows = self.s.scalars(select(CounterRow).where(CounterRow.site_id == site_id))
        return {r.id: r for r in rows}

    def counter_states(self, site_id: str) -> dict[str, Any]:
        """Each counter's live state as light rows (id, state, clerk, priority_streak)."""
        return {r.id: r for r in self.sql.rows(st.COUNTER_STATES, {"site": site_id})}

    def tickets_light(self, site_id: str, statuses: Sequence[str]) -> list[Ticket]:
        """Tickets in these states (any day) as engine values, without ORM objects."""
        stmt = st.tickets_by_status(tuple(statuses))
        return [ticket_from_row(r) for r in self.sql.rows(stmt, {"site": site_id})]

    def at_counters_light(self, site_id: str) -> list[Any]:
        """The called and serving tickets (any day) as light Core rows: the columns a
        counter view and a ticket brief show, and ``counter_id``."""
        return self.sql.rows(st.AT_COUNTERS, {"site": site_id})

    def live_tickets(self, site_id: str, day: date) -> list[Ticket]:
        """Today's active tickets as engine values."""
        return [t for t in self.tickets_light(site_id, ACTIVE) if t.business_day == day]

    def line_heads(
        self, site_id: str, day: date, services: Sequence[str], *, limit: int
    ) -> list[Ticket]:
        """The first ``limit`` tickets of both lines of each service (``heads_and_targeted``)."""
        return self.heads_and_targeted(site_id, day, services, limit=limit)[1]

    def heads_and_targeted(
        self,
        site_id: str,
        day: date,
        services: Sequence[str],
        *,
        limit: int,
        targeted: bool | None = None,
        counter: str | None = None,
    ) -> tuple[list[Ticket], list[Ticket]]:
        """In one statement: the waiting tickets transferred to ``counter`` (to any counter
        if None; none read unless ``targeted``), and the first ``limit`` tickets of both
        lines (priority, normal; not transferred to a counter) of each service. Every call
        policy picks within a line by place in line, so the heads are enough to know the
        next calls, however long the queue is. One fixed text per backend for any set of
        services (``heads_sql.PG_HEADS``, ``heads_sql.SQLITE_HEADS``), so it is compiled once."""
        want: bool | None = None
        if targeted:
            want = counter is not None
        if not services and want is None:
            return [], []
        params: dict[str, Any] = {"site": site_id, "day": day, "limit": limit, "counter": counter}
        stmt: Any
        if self.sql.postgresql:
            stmt = heads_sql.PG_HEADS[want]
            params["services"] = list(services)
        else:
            stmt = heads_sql.SQLITE_HEADS[want]
            params["services"] = json.dumps(list(services))
        to_counter: list[Ticket] = []
        heads: list[Ticket] = []
        for r in self.sql.rows(stmt, params):
            (heads if r.target_counter is None else to_counter).append(ticket_from_row(r))
        return to_counter, heads

    def targeted(self, site_id: str, day: date) -> list[Ticket]:
        """Waiting tickets transferred to a specific counter (few at any time)."""
        rows = self.sql.rows(st.TARGETED, {"site": site_id, "day": day})
        return [ticket_from_row(r) for r in rows]

    def counter_and_held(
        self, site_id: str, counter_id: str
    ) -> tuple[CounterRecord | None, TicketRecord | None]:
        """A counter's row and the ticket it holds (see ``at_counter``) in one Core
        statement. Both rows are transient (never in the session): read them, and write
        through ``update_counter`` and ``save_ticket``, which update by key."""
        r = self.sql.first(st.COUNTER_AND_HELD, {"site": site_id, "counter": counter_id})
        if r is None:
            return None, None
        n = len(COUNTER_COLUMNS)
        counter = CounterRecord(**dict(zip(COUNTER_COLUMNS, r[:n], strict=True)))
        if r.t_id is None:
            return counter, None
        return counter, TicketRecord(**dict(zip(TICKET_COLUMNS, r[n:], strict=True)))

    # ---- numbering ----------------------------------------------------------------

    def issued_today(self, site_id: str, day: date, service: str) -> int:
        params = {"site": site_id, "day": day, "service": service}
        return int(self.sql.scalar(st.ISSUED_TODAY, params) or 0)

    def issued_by_service(self, site_id: str, day: date) -> dict[str, int]:
        rows = self.sql.rows(st.ISSUED_BY_SERVICE, {"site": site_id, "day": day})
        return {row[0]: row[1] for row in rows}

    def take_number(self, site_id: str, day: date, service: str) -> None:
        """Count one more number of a service today (Core statements, under the site
        lock like every command)."""
        if self.end.keep_number({"site_id": site_id, "business_day": day, "service": service}):
            return
        params = {"site": site_id, "day": day, "svc": service}
        if self.sql.write(st.TAKE_NUMBER, params) == 0:
            first = {"site_id": site_id, "business_day": day, "service": service, "issued": 1}
            self.sql.write(st.INSERT_DAY_COUNTER, first, keys=tuple(first))

    # ---- tickets ------------------------------------------------------------------

    def ticket_row(self, ticket_id: str) -> TicketRow | None:
        return self.s.get(TicketRow, ticket_id)

    def tickets_by_ids(self, ids: Iterable[str]) -> dict[str, TicketRow]:
        wanted = list(ids)
        if not wanted:
            return {}
        rows = self.s.scalars(select(TicketRow).where(TicketRow.id.in_(wanted)))
        return {r.id: r for r in rows}

    def ticket_by_track_token(self, token: str) -> TicketRow | None:
        return self.s.scalars(select(TicketRow).where(TicketRow.track_token == token)).first()

    def ticket_by_number(self, site_id: str, day: date, number: str) -> TicketRow | None:
        stmt = (
            select(TicketRow)
            .where(
                TicketRow.site_id == site_id,
                TicketRow.business_day == day,
                TicketRow.number == number,
                TicketRow.status.in_(ACTIVE),
            )
            .order_by(TicketRow.issued_at.desc())
        )
        return self.s.scalars(stmt).first()

    def insert_ticket(self, ticket: Ticket, *, track_token: str | None) -> TicketRecord:
        """Insert a new ticket with one Core statement (no ORM unit of work; on
        PostgreSQL at the command's end, or before the next statement on the tickets:
        ``CommandEnd``); the returned row is a plain record, for reading only."""
        row = ticket_to_record(ticket)
        row.track_token = track_token
        values = {name: getattr(row, name) for name in TICKET_COLUMNS}
        if self.end.keep_ticket(values):
            return row
        self.sql.write(st.INSERT_TICKET, values, keys=TICKET_COLUMNS)
        return row

    def save_ticket(
        self, ticket: Ticket, row: StoredTicket | None = None, *, clerk: str | None = None
    ) -> StoredTicket:
        """Store a ticket's new state. A new one is added to the session; a loaded row
        or a record is written with one Core UPDATE and its attributes follow (an ORM
        row's as committed, so no ORM flush runs for it; other pending changes of the
        row still flush as usual). ``clerk``: also record who holds it."""
        if row is None:
            row = ticket_to_row(ticket)
            if clerk is not None:
                row.clerk = clerk
            self.s.add(row)
            return row
        values = stored_values(ticket)
        values["clerk"] = row.clerk if clerk is None else clerk
        # Only the columns that change: SQLite rewrites the entry of every index that
        # has a column in the SET list.
        changed = {name: value for name, value in values.items() if getattr(row, name) != value}
        if not changed:
            return row
        columns = tuple(sorted(changed))
        if self.end.keep_update(("ticket", columns), {**changed, "id": row.id}, ("ticket", row.id)):
            _follow(row, changed)
            return row
        params = {f"p_{name}": value for name, value in changed.items()}
        params["p_id"] = row.id
        self.sql.write(st.update_ticket(columns), params)
        _follow(row, changed)
        return row

    def update_counter(self, row: StoredCounter, **values: Any) -> None:
        """Change a counter's live state (state, clerk, priority_streak) with one Core
        UPDATE; the loaded row follows, as committed (no ORM flush)."""
        changed = {k: v for k, v in values.items() if getattr(row, k) != v}
        if not changed:
            return
        columns = tuple(sorted(changed))
        key = ("counter", row.site_id, row.id)
        if self.end.keep_update(
            ("counter", columns), {**changed, "site": row.site_id, "id": row.id}, key
        ):
            _follow(row, changed)
            return
        params = {f"p_{name}": value for name, value in changed.items()}
        params.update(p_site=row.site_id, p_id=row.id)
        self.sql.write(st.update_counter(columns), params)
        _follow(row, changed)

    def tickets(
        self,
        site_id: str,
        day: date,
        statuses: Sequence[str],
        services: Iterable[str] | None = None,
    ) -> list[TicketRow]:
        stmt = select(TicketRow).where(
            TicketRow.site_id == site_id,
            TicketRow.business_day == day,
            TicketRow.status.in_(statuses),
        )
        if services is not None:
            stmt = stmt.where(TicketRow.service.in_(list(services)))
        return list(self.s.scalars(stmt.order_by(TicketRow.queue_at, TicketRow.seq)))

    def at_counter(self, site_id: str, counter_id: str) -> TicketRow | None:
        stmt = select(TicketRow).where(
            TicketRow.site_id == site_id,
            TicketRow.counter_id == counter_id,
            TicketRow.status.in_(AT_COUNTER),
        )
        return self.s.scalars(stmt.order_by(TicketRow.called_at.desc())).first()

    def last_finished_at(self, site_id: str, counter_id: str) -> TicketRow | None:
        stmt = select(TicketRow).where(
            TicketRow.site_id == site_id,
            TicketRow.counter_id == counter_id,
            TicketRow.status == TicketStatus.DONE.value,
        )
        return self.s.scalars(stmt.order_by(TicketRow.finished_at.desc()).limit(1)).first()

    def citizen_tickets(self, site_id: str, day: date, citizen_key: str) -> list[Ticket]:
        stmt = select(TicketRow).where(
            TicketRow.site_id == site_id,
            TicketRow.business_day == day,
            TicketRow.citizen_key == citizen_key,
        )
        return [ticket_from_row(r) for r in self.s.scalars(stmt)]

    def past_active(self, site_id: str, day: date) -> list[TicketRow]:
        stmt = select(TicketRow).where(
            TicketRow.site_id == site_id,
            TicketRow.business_day < day,
            TicketRow.status.in_(ACTIVE),
        )
        return list(self.s.scalars(stmt))

    # ---- notices --------------------------------------------------------------------

    def notice(self, site_id: str) -> str:
        return self.sql.scalar(st.NOTICE, {"site": site_id}) or ""

    # ---- the parts' methods, by the names the service uses --------------------------

    def append_events(self, site_id: str, events: Iterable[Event]) -> None:
        self.end.append_events(site_id, events)

    def add_call(self, call: CallRecord) -> None:
        self.end.add_call(call)

    def keep_updates(self) -> None:
        self.end.keep_updates()

    def end_command(self, site_id: str, answer: dict[str, Any] | None, *, bump: bool) -> None:
        self.end.end_command(site_id, answer, bump=bump)

    def write_events(self) -> None:
        self.end.write_events()

    def idempotent(self, scope: str, key: str) -> Any:
        return self.keys.idempotent(scope, key)

    def remember(self, answer: dict[str, Any]) -> None:
        self.keys.remember(answer)

    def forget_keys_before(self, moment: datetime) -> None:
        self.keys.forget_keys_before(moment)

    def recent_calls_light(self, site_id: str, area: str, limit: int) -> list[Any]:
        return self.calls.recent_calls_light(site_id, area, limit)

    def recent_calls_of_areas(
        self, site_id: str, areas: Sequence[str], limit: int
    ) -> dict[str, list[Any]]:
        return self.calls.recent_calls_of_areas(site_id, areas, limit)

    def call_by_id(self, call_id: str) -> CallRow | None:
        return self.calls.call_by_id(call_id)

    def waiting_counts(self, site_id: str, day: date) -> dict[str, int]:
        return self.counts.waiting_counts(site_id, day)

    def recent_service_times(
        self, site_id: str, day: date, limit: int = 400
    ) -> dict[str, list[float]]:
        return self.counts.recent_service_times(site_id, day, limit)

    def service_times_of(
        self, site_id: str, day: date, service: str, limit: int = 50
    ) -> list[float]:
        return self.counts.service_times_of(site_id, day, service, limit)

    def issue_counts(
        self, site_id: str, day: date, service: str, priority: bool
    ) -> tuple[int, int, int, int]:
        return self.counts.issue_counts(site_id, day, service, priority)

    def count_ahead_of(self, ticket: StoredTicket | Ticket) -> int:
        return self.counts.count_ahead_of(ticket)

    def count_ahead_of_new(self, site_id: str, day: date, service: str, priority: bool) -> int:
        return self.counts.count_ahead_of_new(site_id, day, service, priority)

    def count_normal_line(self, site_id: str, day: date, service: str) -> int:
        return self.counts.count_normal_line(site_id, day, service)

    def count_open_for(self, site_id: str, service: str) -> int:
        return self.counts.count_open_for(site_id, service)
