"""The wait promised to a citizen, by the site's estimator, from what storage holds.

The engine's estimators (``server.engine.estimators``) answer from a ``Line``: the
counters, the waiting tickets, the day's history. This part builds that ``Line`` from
the database: today's active tickets, the counters' states, and the recent calls of the
fields near the ticket's (their hold times, their waits, how fast citizens come).

Reading a busy site's line costs far more than the estimate itself, and an issue reads
it under the site's lock. So what the line is made of (``SiteState``) is kept per site
with the site's sequence number, which every committed change bumps: while the number
holds, the kept state is what the database would say. An issue that committed knows
the one thing it added (a waiting ticket) and keeps the state of the number after it,
so a burst of issues reads the site once. Anything else (a call, another server process)
moves the number and the next estimate reads again. A ticket's estimate is kept a short
while too: the tracking page asks again and again.
"""

import bisect
from collections import defaultdict, deque
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from threading import Lock
from typing import Any

from sqlalchemy import or_, select

from server.contract.vocab import CounterState, Outcome, TicketStatus
from server.engine.estimate import (
    ARRIVAL_WINDOW_S,
    CounterNow,
    Line,
    LineKey,
    WaitEstimate,
    by_line,
    line_of,
    recent_rate,
)
from server.engine.estimators import estimator_for
from server.engine.lookahead import sessions_today
from server.engine.model import Ticket
from server.engine.policy import line_key
from server.storage.mapping import SiteBundle
from server.storage.models import TicketRow
from server.storage.repository import Repository

# Recent durations per field an estimate learns from (as ``service_times_of`` reads).
HISTORY = 50
HELD = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
# How many sites' states, and tickets' estimates, are kept.
KEPT_SITES = 64
KEPT_RESULTS = 20_000
# A tracking page asking again this soon, with nothing changed in the hall, gets the same
# estimate: the look-ahead costs more than a page, and minutes are what it shows.
REUSE_FOR = timedelta(seconds=30)
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
    held: dict[str, Ticket] = {}
    for ticket in sorted(live, key=lambda t: t.called_at or t.issued_at):
        if ticket.status in HELD and ticket.counter_id:
            held[ticket.counter_id] = ticket
    waiting = [t for t in live if t.status is TicketStatus.WAITING]
    return SiteState(
        seq=seq,
        day=day,
        waiting=waiting,
        lines=by_line(waiting),
        held=held,
        counters=repo.counter_states(site_id),
        history=history[0] if history else _history(repo, site_id, day, now),
        history_at=history[1] if history else now,
    )


class WaitEstimates:
    """Estimates for issued tickets and tracking pages (``Tickets`` holds one)."""

    def __init__(self) -> None:
        self._kept: dict[str, SiteState] = {}
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
        seq: int,
        locked: bool = False,
    ) -> WaitEstimate:
        """The site's estimator on the site as stored at sequence number ``seq``, read in
        this transaction. ``locked``: in a command, which holds the site's lock (no other
        change can commit meanwhile) and wants a fresh estimate; a read may be given a
        ticket's estimate of a moment ago again (tracking pages ask again and again)."""
        key = (bundle.site.id, ticket.id)
        if not locked:
            with self._lock:
                kept = self._results.get(key)
            if kept is not None and kept[0] == seq and now - kept[1] < REUSE_FOR:
                return kept[2]
        state = self.state(repo, bundle.site.id, seq=seq, day=day, now=now, locked=locked)
        line = state.line(bundle, now)
        estimate = estimator_for(bundle.site)(ticket, line)
        with self._lock:
            if len(self._results) >= KEPT_RESULTS:
                self._results.clear()
            self._results[key] = (seq, now, estimate)
        return estimate

    def state(
        self, repo: Repository, site_id: str, *, seq: int, day: date, now: datetime, locked: bool
    ) -> SiteState:
        """The site's state at ``seq``: kept, or read (and kept if it is that of ``seq``)."""
        with self._lock:
            kept = self._kept.get(site_id)
        if kept is not None and kept.seq == seq and kept.day == day:
            return kept
        history = None
        if kept is not None and kept.day == day and now - kept.history_at < HISTORY_FOR:
            history = (kept.history, kept.history_at)
        state = read_state(repo, site_id, seq=seq, day=day, now=now, history=history)
        # A read outside the lock on PostgreSQL (read committed) may have seen a change
        # that committed while it read; then the number has moved and it is not kept.
        if locked or repo.site_version(site_id).seq == seq:
            self._keep(site_id, state)
        return state

    def issued(self, site_id: str, ticket: Ticket, *, seq: int) -> None:
        """An issue of ``ticket`` committed and moved the site to ``seq``: keep the state
        after it, if the one before it (``seq - 1``) is kept."""
        with self._lock:
            kept = self._kept.get(site_id)
        if kept is not None and kept.seq == seq - 1 and kept.day == ticket.business_day:
            self._keep(site_id, kept.with_issued(ticket, seq))

    def _keep(self, site_id: str, state: SiteState) -> None:
        with self._lock:
            kept = self._kept.get(site_id)
            if kept is not None and (kept.day, kept.seq) > (state.day, state.seq):
                return  # a later state is kept already (threads finish out of order)
            self._kept.pop(site_id, None)
            if len(self._kept) >= KEPT_SITES:
                del self._kept[next(iter(self._kept))]  # the one least lately changed
            self._kept[site_id] = state


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
