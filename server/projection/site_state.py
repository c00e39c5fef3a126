"""A site's state as the wait estimators read it, and a ticket taken now.

``SiteState`` is what a ``Line`` (``server.engine.estimate``) is made of, read from the
database: the waiting tickets by line, the counters and what they hold, the day's
history. The service keeps one per site for the tickets it issues and the tracking pages
(``server.service.estimates``); the projection reads one for the kiosks' field buttons
(``server.projection.waits``), so the button, the printed ticket and the tracking page
say the wait the site's estimator says, from the same state.
"""

import bisect
import logging
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from server.contract.vocab import CounterState, Outcome, TicketStatus
from server.engine.estimate import (
    ARRIVAL_WINDOW_S,
    CounterNow,
    Line,
    LineKey,
    by_line,
    line_of,
    recent_rate,
)
from server.engine.lookahead import sessions_today
from server.engine.model import Ticket
from server.engine.policy import line_key
from server.storage.mapping import SiteBundle
from server.storage.models import TicketRow
from server.storage.repository import Repository

log = logging.getLogger(__name__)

# Recent durations per field an estimate learns from (as ``service_times_of`` reads).
HISTORY = 50
HELD = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
# The estimator that needs only counts (``SiteConfig.wait_estimator``), read without a line.
QUEUE_LENGTH = "queue-length"
# The day's history (durations per field, the last waits, the last hour's issues) read
# this long ago is used again when the rest of a site's state is read anew: it moves
# slowly, and it is as large as the day. The issues of this process are added to it.
HISTORY_FOR = timedelta(seconds=60)


@dataclass(frozen=True)
class SiteState:
    """What a site's ``Line`` is made of, as committed at sequence number ``seq``.

    Never changed in place: tracking pages may be reading it on other threads."""

    seq: int
    day: date
    waiting: list[Ticket]
    lines: dict[LineKey, list[Ticket]]  # ``waiting`` by line, each in its order
    held: dict[str, Ticket]  # counter id -> the ticket it has called or serves
    counters: dict[str, Any]  # counter id -> its light state row
    history: "_History"
    history_at: datetime  # when ``history`` was read

    def line(self, bundle: SiteBundle, now: datetime) -> Line:
        """The ``Line`` at ``now`` (only the arrival rates move with the clock)."""
        site = bundle.site
        counters = []
        for counter_id, config in bundle.counters.items():
            row = self.counters.get(counter_id)
            state = CounterState(row.state) if row is not None else CounterState.CLOSED
            streak = int(getattr(row, "priority_streak", 0) or 0) if row is not None else 0
            counters.append(CounterNow(config, state, self.held.get(counter_id), streak))
        sessions = sessions_today(site, now)
        opened = max((begin for begin, _ in sessions if begin <= now), default=None)
        history = self.history
        return Line(
            now=now,
            site=site,
            services=bundle.services,
            counters=counters,
            waiting=self.waiting,
            lines=self.lines,
            service_s=history.service_s,
            hold_s=history.hold_s,
            last_waits=history.last_waits,
            arrivals_per_h={
                key: recent_rate(times, now, opened, oldest_first=True)
                for key, times in history.issued.items()
            },
        )

    def with_issued(self, ticket: Ticket, seq: int) -> "SiteState":
        """The state after an issue of ``ticket`` committed, at ``seq``."""
        key = (ticket.service, ticket.priority is not None)
        issued = dict(self.history.issued)
        issued[key] = times = list(issued.get(key, ()))
        bisect.insort(times, ticket.issued_at)
        history = replace(self.history, issued=issued)
        lines = dict(self.lines)
        place = line_of(ticket)
        lines[place] = mine = list(lines.get(place, ()))
        bisect.insort(mine, ticket, key=line_key)
        waiting = [*self.waiting, ticket]
        return replace(self, seq=seq, waiting=waiting, lines=lines, history=history)


def _held(tickets: list[Ticket]) -> dict[str, Ticket]:
    """The ticket each counter has called or serves (the latest call wins)."""
    held: dict[str, Ticket] = {}
    for ticket in sorted(tickets, key=lambda t: t.called_at or t.issued_at):
        if ticket.status in HELD and ticket.counter_id:
            held[ticket.counter_id] = ticket
    return held


def read_state(
    repo: Repository,
    site_id: str,
    *,
    seq: int,
    day: date,
    now: datetime,
    history: tuple["_History", datetime] | None = None,
) -> SiteState:
    """A site's state as stored: counters, active tickets and today's history (or the
    ``history`` given, with the time it was read)."""
    live = repo.live_tickets(site_id, day)
    waiting = [t for t in live if t.status is TicketStatus.WAITING]
    return SiteState(
        seq=seq,
        day=day,
        waiting=waiting,
        lines=by_line(waiting),
        held=_held(live),
        counters=repo.counter_states(site_id),
        history=history[0] if history else _history(repo, site_id, day, now),
        history_at=history[1] if history else now,
    )


def _durations() -> defaultdict[str, deque[float]]:
    return defaultdict(lambda: deque(maxlen=HISTORY))


@dataclass(frozen=True)
class _History:
    """Today's durations per field, the last waits per line, the last hour's issues."""

    service_s: dict[str, deque[float]] = field(default_factory=_durations)
    hold_s: dict[str, deque[float]] = field(default_factory=_durations)
    last_waits: dict[tuple[str, bool], float] = field(default_factory=dict)
    issued: dict[tuple[str, bool], list[datetime]] = field(
        default_factory=lambda: defaultdict(list)
    )


def _history(repo: Repository, site_id: str, day: date, now: datetime) -> _History:
    """Today's called tickets and the last hour's issued ones, oldest first."""
    t = TicketRow
    rows = repo.s.execute(
        select(
            t.service,
            t.priority,
            t.issued_at,
            t.called_at,
            t.started_at,
            t.finished_at,
            t.outcome,
            t.transferred_from,
        )
        .where(
            t.site_id == site_id,
            t.business_day == day,
            or_(
                t.called_at.is_not(None),
                t.issued_at >= now - timedelta(seconds=ARRIVAL_WINDOW_S),
            ),
        )
        .order_by(t.called_at, t.issued_at)
    ).all()
    out = _History()
    closing = {Outcome.SERVED.value, Outcome.NO_SHOW.value, Outcome.TRANSFERRED.value}
    for service, priority, issued, called, started, finished, outcome, moved in rows:
        key = (service, priority is not None)
        if moved is None:
            out.issued[key].append(issued)
        if called is None:
            continue
        if moved is None:
            out.last_waits[key] = (called - issued).total_seconds()
        if finished is not None and outcome in closing:
            out.hold_s[service].append((finished - called).total_seconds())
            if started is not None and outcome == Outcome.SERVED.value:
                out.service_s[service].append((finished - started).total_seconds())
    for times in out.issued.values():
        times.sort()  # oldest first, as ``recent_rate`` reads them
    return out


def taken_now(bundle: SiteBundle, service: str, *, day: date, now: datetime) -> Ticket:
    """A ticket of ``service`` taken now, behind everyone (what a field button promises)."""
    return Ticket(
        id="~now",
        site=bundle.site.id,
        service=service,
        number="",
        seq=10**9,
        business_day=day,
        status=TicketStatus.WAITING,
        issued_at=now,
        queue_at=now,
    )
