"""The look-ahead wait estimate: the real call policy played forward from the present.

Every counter that may compete for the ticket's line is taken from where it is now (the
ticket it holds and how long it has held it, a pause, a closed session) and calls, one
after the other, exactly what the site's policy would call: transfers to it, aged
tickets, priority with the ratio, its fields' order or weights. Each call holds the
counter for the field's typical hold time (call to close: walk, service, no-shows). The
ticket's wait is the moment the pass calls it. It is one deterministic pass with typical
times, not a Monte Carlo: fast enough for every issued ticket and every tracking-page
refresh, and its error is measured in docs/estimates.md.

Tickets that arrive later are left out (a priority citizen arriving meanwhile will go
first; the bias that leaves is measured). A counter stops calling at the end of the
site's window (or as long after it as ``SiteConfig.serve_after_close_s`` says) and
starts again at the next one; a counter with nothing left to call drops out.
"""

import bisect
import heapq
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from server.contract.vocab import CounterState
from server.engine.estimate import (
    PAUSE_GUESS_S,
    CounterNow,
    Line,
    WaitEstimate,
    finish_estimate,
    line_of,
    lines_of,
    queue_length,
    serves,
    typical_service_s,
)
from server.engine.model import SiteConfig, Ticket
from server.engine.numbering import local_time
from server.engine.policy import POLICIES, DefaultPolicy, line_key

# A ticket held longer than its typical time still needs at least this share of it:
# long services are the ones that run longer still.
MIN_REMAINING_SHARE = 0.3
# A field the site no longer lists (renamed today) is held this long.
DEFAULT_HOLD_S = 600
# How far ahead expected arrivals are played in.
HORIZON_S = 3600.0
# Expected priority arrivals carry a category only the look-ahead uses.
PHANTOM_PRIORITY = "~expected"


def sessions_today(site: SiteConfig, now: datetime) -> list[tuple[datetime, datetime]]:
    """The site's opening windows of ``now``'s local day, as aware datetimes."""
    local = local_time(now, site.time_zone)
    if local.weekday() not in site.hours.weekdays:
        return []
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    out = []
    for start, end in sorted(site.hours.windows):
        begin = midnight.replace(hour=start.hour, minute=start.minute, second=start.second)
        close = midnight.replace(hour=end.hour, minute=end.minute, second=end.second)
        out.append((begin, close))
    return out


def _in_session(t: datetime, sessions: list[tuple[datetime, datetime]]) -> datetime | None:
    """``t`` if a session is on then, else the next session's start, else None."""
    for begin, close in sessions:
        if t < begin:
            return begin
        if t < close:
            return t
    return None


class _Holds:
    """Each field's typical hold time (call to close), worked out once per pass."""

    def __init__(self, line: Line) -> None:
        self._line = line
        self._known: dict[str, float] = {}

    def of(self, code: str) -> float:
        known = self._known.get(code)
        if known is None:
            config = self._line.services.get(code)
            default = config.default_service_s if config is not None else DEFAULT_HOLD_S
            known = typical_service_s(self._line.hold_s.get(code, ()), default)
            self._known[code] = known
        return known


def _free_at(counter: CounterNow, line: Line, hold: _Holds) -> datetime | None:
    """When the counter can next call, as far as one can tell now; None: not today."""
    now = line.now
    if counter.current is not None:
        typical = hold.of(counter.current.service)
        called = counter.current.called_at or now
        held = (now - called).total_seconds()
        remaining = max(typical - held, MIN_REMAINING_SHARE * typical)
        return now + timedelta(seconds=remaining)
    if counter.state is CounterState.OPEN:
        return now
    if counter.state is CounterState.PAUSED:
        since = counter.since or now
        return max(now, since + timedelta(seconds=PAUSE_GUESS_S))
    # Closed: it opens with the next session, if the site is between sessions now.
    sessions = sessions_today(line.site, now)
    if _in_session(now, sessions) == now:
        return None
    return _in_session(now, sessions)


class _Arrivals:
    """The tickets one line (a field's priority or normal line) will likely get in the
    next ``HORIZON_S``, evenly spread at its recent rate inside the site's sessions, made
    one by one as the pass reaches them (a busy hour's rates make hundreds)."""

    def __init__(self, ticket: Ticket, line: Line, code: str, priority: bool, per_h: float) -> None:
        self._ticket = ticket
        self._now = line.now
        self._sessions = sessions_today(line.site, line.now)
        self._code = code
        self._priority = priority
        self._gap = 3600.0 / per_h
        self._k = 0

    def next_one(self) -> Ticket | None:
        """The next expected ticket of the line, or None past the horizon."""
        while (offset := (self._k + 0.5) * self._gap) < HORIZON_S:
            self._k += 1
            at = self._now + timedelta(seconds=offset)
            if self._sessions and _in_session(at, self._sessions) != at:
                continue
            k = self._k
            return replace(
                self._ticket,
                id=f"~{self._code}~{int(self._priority)}~{k}",
                service=self._code,
                seq=self._ticket.seq + 100_000 + k,
                issued_at=at,
                queue_at=at,
                priority=PHANTOM_PRIORITY if self._priority else None,
                target_counter=None,
                transferred_from=None,
            )
        return None


class _Queue:
    """One line in its order of call: the tickets waiting in it, then the expected ones.

    A policy picks within a line by place in line (``server.engine.policy``), so a
    counter is shown only each line's first ticket, as call-next shows it."""

    __slots__ = ("_arrivals", "_expected", "_first", "_tickets")

    def __init__(self, tickets: Sequence[Ticket], arrivals: _Arrivals | None) -> None:
        self._tickets = tickets  # in line order, not changed here (it may be shared)
        self._first = 0
        self._arrivals = arrivals
        self._expected: Ticket | None = None

    def _head(self) -> Ticket | None:
        if self._first < len(self._tickets):
            return self._tickets[self._first]
        if self._expected is None and self._arrivals is not None:
            self._expected = self._arrivals.next_one()
            if self._expected is None:
                self._arrivals = None
        return self._expected

    def present(self, at: datetime) -> list[Ticket]:
        """The first ticket if it is there by ``at`` (the rest of the line is not
        shown: they come after it)."""
        head = self._head()
        return [head] if head is not None and head.queue_at <= at else []

    def take(self, ticket: Ticket) -> bool:
        """Remove ``ticket`` if it heads this line."""
        head = self._head()
        if head is None or head.id != ticket.id:
            return False
        if self._first < len(self._tickets):
            self._first += 1
        else:
            self._expected = None
        return True


class _Transfers:
    """The tickets transferred to one counter: a policy sees all of them."""

    __slots__ = ("_tickets",)

    def __init__(self, tickets: Sequence[Ticket]) -> None:
        self._tickets = list(tickets)

    def present(self, at: datetime) -> list[Ticket]:
        return [t for t in self._tickets if t.queue_at <= at]

    def take(self, ticket: Ticket) -> bool:
        for i, t in enumerate(self._tickets):
            if t.id == ticket.id:
                del self._tickets[i]
                return True
        return False


def _with(tickets: Sequence[Ticket], ticket: Ticket) -> Sequence[Ticket]:
    """A line with ``ticket`` in its place (the line as it is if it holds it already)."""
    if any(t.id == ticket.id for t in tickets):
        return tickets
    out = list(tickets)
    bisect.insort(out, ticket, key=line_key)
    return out


def _lines(
    ticket: Ticket, line: Line, fields: set[str], ids: set[str]
) -> tuple[dict[tuple[str, bool], _Queue], dict[str, _Transfers]]:
    """The lines of these fields and counters, the estimated ticket in its own, with the
    arrivals the last hour's rates predict: a priority ticket, or a ticket of a field the
    counters prefer, will be called before this one."""
    lines = lines_of(line)
    mine = line_of(ticket)
    queues = {}
    for code in fields:
        for priority in (True, False):
            key = ("field", code, priority)
            tickets = lines.get(key, ())
            if key == mine:
                tickets = _with(tickets, ticket)
            per_h = line.arrivals_per_h.get((code, priority), 0.0)
            arrivals = _Arrivals(ticket, line, code, priority, per_h) if per_h > 0 else None
            queues[code, priority] = _Queue(tickets, arrivals)
    transfers = {}
    for counter_id in ids:
        key = ("counter", counter_id, False)
        tickets = lines.get(key, ())
        if key == mine:
            tickets = _with(tickets, ticket)
        if tickets:
            transfers[counter_id] = _Transfers(tickets)
    return queues, transfers


def look_ahead(ticket: Ticket, line: Line) -> WaitEstimate:
    """The moment the policy, played forward with typical hold times, calls ``ticket``."""
    site = line.site
    policy = POLICIES.get(site.call_policy, DefaultPolicy)()
    # The counters that may call this ticket, the fields they serve, every counter that
    # competes for those fields, and what else those counters serve (it keeps them busy).
    near = [c for c in line.counters if serves(c, ticket)]
    fields = {ticket.service} | {s for c in near for s in c.config.services}
    counters = [c for c in line.counters if fields & set(c.config.services)]
    fields |= {s for c in counters for s in c.config.services}
    ids = {c.config.id for c in counters}
    queues, transfers = _lines(ticket, line, fields, ids)
    # The lines each counter calls from: its transfers, then its fields' two lines.
    sources: list[list[_Queue | _Transfers]] = []
    for c in counters:
        own: list[_Queue | _Transfers] = []
        if c.config.id in transfers:
            own.append(transfers[c.config.id])
        own.extend(queues[code, p] for code in c.config.services for p in (True, False))
        sources.append(own)
    hold = _Holds(line)
    # Counters keep calling the line for a while after a session ends, where the site
    # says so (arrivals still stop at the end: the kiosks no longer issue).
    after = timedelta(seconds=max(0, site.serve_after_close_s))
    sessions = [(begin, close + after) for begin, close in sessions_today(site, line.now)]
    heap: list[tuple[datetime, int, int]] = []
    for i, counter in enumerate(counters):
        free = _free_at(counter, line, hold)
        if free is not None:
            heap.append((free, i, counter.priority_streak))
    heapq.heapify(heap)
    calls = 0
    while heap:
        free, i, streak = heapq.heappop(heap)
        at = _in_session(free, sessions) if sessions else free
        if at is None:
            continue
        if at > free:  # waited for the next session: the streak does not carry over
            heapq.heappush(heap, (at, i, 0))
            continue
        present = [t for source in sources[i] for t in source.present(at)]
        chosen = policy.choose(site, counters[i].config, present, priority_streak=streak, now=at)
        if chosen is None:
            continue
        if chosen.id == ticket.id:
            wait = (at - line.now).total_seconds()
            return finish_estimate(ticket, line, wait, calls, counts_opening=True)
        for source in sources[i]:
            if source.take(chosen):
                break
        calls += 1
        streak = streak + 1 if chosen.priority is not None else 0
        heapq.heappush(heap, (at + timedelta(seconds=hold.of(chosen.service)), i, streak))
    # No counter reaches it today as things stand: say what the simple estimate says.
    return queue_length(ticket, line)
