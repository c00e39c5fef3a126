"""The wait promised to a citizen, by the site's estimator, from what storage holds.

The engine's estimators (``server.engine.estimators``) answer from a ``Line``: the
counters, the waiting tickets, the day's history. This part builds that ``Line`` from
the database: today's active tickets, the counters' states, and the recent calls of the
fields near the ticket's (their hold times, their waits, how fast citizens come). A
ticket's tracking page asks again and again, so the ``Line`` of a site is kept while
the site's sequence number (which every command bumps) stays the same, and a ticket's
estimate for a short while too.
"""

from collections import defaultdict, deque
from dataclasses import replace
from datetime import date, datetime, timedelta
from threading import Lock

from sqlalchemy import or_, select

from server.contract.vocab import CounterState, Outcome, TicketStatus
from server.engine.estimate import (
    ARRIVAL_WINDOW_S,
    CounterNow,
    Line,
    WaitEstimate,
    recent_rate,
)
from server.engine.estimators import estimator_for
from server.engine.lookahead import sessions_today
from server.engine.model import Ticket
from server.storage.mapping import SiteBundle
from server.storage.models import TicketRow
from server.storage.repository import Repository

# Recent durations per field an estimate learns from (as ``service_times_of`` reads).
HISTORY = 50
HELD = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
# How many sites' lines, and tickets' estimates, are kept for the tracking pages.
KEPT_SITES = 64
KEPT_RESULTS = 20_000
# A tracking page asking again this soon, with nothing changed in the hall, gets the same
# estimate: the look-ahead costs more than a page, and minutes are what it shows.
REUSE_FOR = timedelta(seconds=30)


class WaitEstimates:
    """Estimates for issued tickets and tracking pages (``Tickets`` holds one)."""

    def __init__(self) -> None:
        self._kept: dict[str, tuple[int, Line]] = {}
        self._results: dict[tuple[str, str], tuple[int, datetime, WaitEstimate]] = {}
        self._lock = Lock()

    def estimate(
        self,
        repo: Repository,
        bundle: SiteBundle,
        ticket: Ticket,
        *,
        day: date,
        now: datetime,
        seq: int | None,
    ) -> WaitEstimate:
        """The site's estimator on the site as stored. ``seq``: the site's sequence number
        when reading outside a command (the line may be reused while it holds); None
        inside a command, which is about to change it."""
        key = (bundle.site.id, ticket.id)
        if seq is not None:
            with self._lock:
                kept = self._results.get(key)
            if kept is not None and kept[0] == seq and now - kept[1] < REUSE_FOR:
                return kept[2]
        line = self._line(repo, bundle, day=day, now=now, seq=seq)
        estimate = estimator_for(bundle.site)(ticket, line)
        if seq is not None:
            with self._lock:
                if len(self._results) >= KEPT_RESULTS:
                    self._results.clear()
                self._results[key] = (seq, now, estimate)
        return estimate

    def _line(
        self, repo: Repository, bundle: SiteBundle, *, day: date, now: datetime, seq: int | None
    ) -> Line:
        site_id = bundle.site.id
        if seq is not None:
            with self._lock:
                kept = self._kept.get(site_id)
            if kept is not None and kept[0] == seq and kept[1].now.date() == now.date():
                return replace(kept[1], now=now)
        line = read_line(repo, bundle, day=day, now=now)
        if seq is not None:
            with self._lock:
                if len(self._kept) >= KEPT_SITES:
                    self._kept.clear()
                self._kept[site_id] = (seq, line)
        return line


def read_line(repo: Repository, bundle: SiteBundle, *, day: date, now: datetime) -> Line:
    """A site's ``Line`` now: counters, active tickets and today's history."""
    site = bundle.site
    live = repo.live_tickets(site.id, day)
    held: dict[str, Ticket] = {}
    for ticket in sorted(live, key=lambda t: t.called_at or t.issued_at):
        if ticket.status in HELD and ticket.counter_id:
            held[ticket.counter_id] = ticket
    states = repo.counter_states(site.id)
    counters = []
    for counter_id, config in bundle.counters.items():
        row = states.get(counter_id)
        state = CounterState(row.state) if row is not None else CounterState.CLOSED
        streak = int(getattr(row, "priority_streak", 0) or 0) if row is not None else 0
        counters.append(CounterNow(config, state, held.get(counter_id), streak))
    history = _history(repo, site.id, day, now)
    sessions = sessions_today(site, now)
    opened = max((begin for begin, _ in sessions if begin <= now), default=None)
    return Line(
        now=now,
        site=site,
        services=bundle.services,
        counters=counters,
        waiting=[t for t in live if t.status is TicketStatus.WAITING],
        service_s=history.service_s,
        hold_s=history.hold_s,
        last_waits=history.last_waits,
        arrivals_per_h={
            key: recent_rate(times, now, opened) for key, times in history.issued.items()
        },
    )


class _History:
    def __init__(self) -> None:
        self.service_s: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=HISTORY))
        self.hold_s: dict[str, deque[float]] = defaultdict(lambda: deque(maxlen=HISTORY))
        self.last_waits: dict[tuple[str, bool], float] = {}
        self.issued: dict[tuple[str, bool], list[datetime]] = defaultdict(list)


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
    return out


def open_day_counters(repo: Repository, bundle: SiteBundle, site_id: str, service: str) -> int:
    """Open counters serving ``service`` today only: the database's count of a field's
    open counters (``count_open_for``, ``issue_counts``) knows the configured ones alone.
    No query unless a counter serves the field today only."""
    extra = [c for c, codes in bundle.day_services.items() if service in codes]
    if not extra:
        return 0
    states = repo.counter_states(site_id)
    return sum(1 for c in extra if c in states and states[c].state == CounterState.OPEN.value)
