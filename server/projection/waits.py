"""A site's state as the wait estimators read it, and the wait of a ticket taken now.

``SiteState`` is what a ``Line`` (``server.engine.estimate``) is made of, read from the
database: the waiting tickets by line, the counters and what they hold, the day's
history. The service keeps one per site for the tickets it issues and the tracking pages
(``server.service.estimates``); the projection reads one for the kiosks' field buttons
(``FieldWaits``), so the button, the printed ticket and the tracking page say the wait
the site's estimator says, from the same state.
"""

import bisect
import logging
import threading
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from server.contract.vocab import CounterState, Outcome, TicketStatus
from server.engine.estimate import (
    ARRIVAL_WINDOW_S,
    CounterNow,
    Estimator,
    Line,
    LineKey,
    WaitEstimate,
    by_line,
    estimate_wait_s,
    line_of,
    recent_rate,
    shape_estimate,
)
from server.engine.estimators import estimator_for
from server.engine.lookahead import sessions_today
from server.engine.model import SiteConfig, Ticket
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
# A site's field buttons show waits worked out about this long ago at most (``FieldWaits``:
# each is a look-ahead, and a busy site changes many times a second).
FIELD_WAITS_FOR = timedelta(seconds=10)
FIELDS_PER_BUILD = 6
# ... and a site's waits are looked at no more often than this (a burst of changes builds
# the queue snapshot many times a second; the boards' builds wait behind each).
FIELD_WAITS_GAP = timedelta(seconds=2)
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


class FieldWaits:
    """The wait of a ticket taken now in each field of a site, by the site's estimator:
    what a kiosk's field buttons show. One per projector.

    Each is a look-ahead, and a busy site changes many times a second: a field's wait is
    worked out again when it is ``FIELD_WAITS_FOR`` old, at most ``FIELDS_PER_BUILD``
    fields at a time (the oldest first), and a site is looked at no more often than
    every ``FIELD_WAITS_GAP``. A field whose first counter opens or last one closes goes
    first when the site is next looked at, so a button does not go on saying "no counter
    open" of an open field.

    ``later``: when set (the snapshot process, through ``WaitsThread``), ``of`` never
    works the waits out itself: it asks ``later(site)`` to, and answers with the waits
    kept meanwhile (None before the first), so a build of the boards' snapshots never
    waits behind a look-ahead; whoever runs ``refresh`` then sends the queue snapshot."""

    def __init__(self, estimator_of: Callable[[SiteConfig], Estimator] = estimator_for) -> None:
        """``estimator_of``: the site's estimator (the service's, so the button, the
        printed ticket and the tracking page say one wait)."""
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()
        self._estimator_of = estimator_of
        self.later: Callable[[str], None] | None = None

    def of(
        self,
        repo: Repository,
        bundle: SiteBundle,
        *,
        day: date,
        now: datetime,
        seq: int,
        counters: dict[str, Any],
        waiting: dict[str, int],
        recent_s: dict[str, list[float]],
    ) -> dict[str, WaitEstimate] | None:
        """``counters``, ``waiting``, ``recent_s``: the counters' state rows, the waiting
        counts and recent service times per field, as the view has read them. None: the
        waits are being worked out elsewhere (``later``), none kept yet."""
        site = bundle.site
        if site.wait_estimator == QUEUE_LENGTH:  # from counts: nothing to keep
            open_by: dict[str, int] = {}
            for row in counters.values():
                counter = bundle.counters.get(row.id)
                if counter is not None and row.state == CounterState.OPEN.value:
                    for code in counter.services:
                        open_by[code] = open_by.get(code, 0) + 1
            out = {}
            for code, service in bundle.services.items():
                ahead, open_now = waiting.get(code, 0), open_by.get(code, 0)
                point = estimate_wait_s(
                    ahead, recent_s.get(code, []), open_now, service.default_service_s
                )
                out[code] = shape_estimate(
                    point, ahead, counters_open=open_now > 0, site=site, now=now
                )
            return out
        with self._lock:
            kept = self._kept.get(site.id)
        if self.later is not None:
            if kept is None or kept.bundle is not bundle or kept.day != day:
                self.later(site.id)
                return None
            if now - kept.looked_at >= FIELD_WAITS_GAP:
                self.later(site.id)
            return kept.waits
        self.refresh(repo, bundle, day=day, now=now, seq=seq, counters=counters)
        with self._lock:
            return self._kept[site.id].waits

    def refresh(
        self,
        repo: Repository,
        bundle: SiteBundle,
        *,
        day: date,
        now: datetime,
        seq: int,
        counters: dict[str, Any],
    ) -> bool:
        """Work out the fields' waits that are due now; False when none was."""
        site = bundle.site
        with self._lock:
            kept = self._kept.get(site.id)
        if kept is None or kept.bundle is not bundle or kept.day != day:
            due = list(bundle.services)
            history = None
            waits: dict[str, WaitEstimate] = {}
            at: dict[str, datetime] = {}
        elif now - kept.looked_at < FIELD_WAITS_GAP:
            return False
        else:
            # A field whose first counter opened, or last one closed, since; then the
            # fields whose waits are oldest, if they are old enough.
            line = replace(kept.state, counters=counters).line(bundle, now)
            due = [
                code
                for code in bundle.services
                if _open_for(code, line) != kept.waits[code].counters_open
            ]
            old = sorted(
                (kept.at[code], code)
                for code in bundle.services
                if code not in due and now - kept.at[code] >= FIELD_WAITS_FOR
            )
            due = (due + [code for _, code in old])[:FIELDS_PER_BUILD]
            if not due:
                kept = replace(kept, looked_at=now)
                with self._lock:
                    self._kept[site.id] = kept
                return False
            fresh = now - kept.state.history_at < FIELD_WAITS_FOR
            history = (kept.state.history, kept.state.history_at) if fresh else None
            waits, at = dict(kept.waits), dict(kept.at)
        state = read_state(repo, site.id, seq=seq, day=day, now=now, history=history)
        line = state.line(bundle, now)
        estimator = self._estimator_of(site)
        for code in due:
            waits[code] = estimator(taken_now(bundle, code, day=day, now=now), line)
            at[code] = now
        kept = _Kept(bundle, day, state, waits, at, now)
        with self._lock:
            self._kept[site.id] = kept
        return True


class WaitsThread:
    """Runs ``work(site)`` for the sites asked for, one at a time, on a thread of its
    own: the snapshot process's field waits, off the boards' builds (``FieldWaits``).
    Asking again for a site already asked for is free."""

    def __init__(self, work: Callable[[str], None]) -> None:
        self._work = work
        self._asked: dict[str, None] = {}  # in the order asked
        self._busy = False
        self._closing = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="field-waits", daemon=True)
        self._thread.start()

    def request(self, site_id: str) -> None:
        with self._cond:
            if site_id not in self._asked:
                self._asked[site_id] = None
                self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._asked and not self._closing:
                    self._cond.wait()
                if self._closing:
                    return
                site_id = next(iter(self._asked))
                del self._asked[site_id]
                self._busy = True
            try:
                self._work(site_id)
            except Exception:
                log.exception("working out the field waits of site %s failed", site_id)
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until every site asked for so far was worked out."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._asked and not self._busy, timeout)

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)


@dataclass(frozen=True)
class _Kept:
    bundle: SiteBundle
    day: date
    state: SiteState  # the last read, for the counters' check
    waits: dict[str, WaitEstimate]
    at: dict[str, datetime]  # when each field's wait was worked out
    looked_at: datetime  # when the waits were last looked at (``FIELD_WAITS_GAP``)


def _open_for(code: str, line: Line) -> bool:
    """Whether a counter of the field is open or holds a ticket (as the estimators say)."""
    return any(
        code in c.config.services and (c.state is CounterState.OPEN or c.current is not None)
        for c in line.counters
    )
