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

import heapq
from dataclasses import replace
from datetime import datetime, timedelta

from server.contract.vocab import CounterState, TicketStatus
from server.engine.estimate import (
    PAUSE_GUESS_S,
    CounterNow,
    Line,
    WaitEstimate,
    finish_estimate,
    queue_length,
    serves,
    typical_service_s,
)
from server.engine.model import SiteConfig, Ticket
from server.engine.numbering import local_time
from server.engine.policy import POLICIES, DefaultPolicy

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


def _expected_arrivals(ticket: Ticket, line: Line, fields: set[str]) -> list[Ticket]:
    """Tickets likely to come in the next ``HORIZON_S``, evenly spread at the lines'
    recent rates, inside the site's sessions: a priority ticket, or a ticket of a field
    the counters prefer, will be called before this one."""
    sessions = sessions_today(line.site, line.now)
    out = []
    for (code, priority), per_h in line.arrivals_per_h.items():
        if code not in fields or per_h <= 0:
            continue
        gap = 3600.0 / per_h
        k = 0
        while (offset := (k + 0.5) * gap) < HORIZON_S:
            k += 1
            at = line.now + timedelta(seconds=offset)
            if sessions and _in_session(at, sessions) != at:
                continue
            out.append(
                replace(
                    ticket,
                    id=f"~{code}~{int(priority)}~{k}",
                    service=code,
                    seq=ticket.seq + 100_000 + k,
                    issued_at=at,
                    queue_at=at,
                    priority=PHANTOM_PRIORITY if priority else None,
                    target_counter=None,
                    transferred_from=None,
                )
            )
    return out


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
    pending = [
        t
        for t in line.waiting
        if t.id != ticket.id
        and t.status is TicketStatus.WAITING
        and (t.target_counter in ids if t.target_counter is not None else t.service in fields)
    ]
    pending.append(ticket)
    pending.extend(_expected_arrivals(ticket, line, fields))
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
        present = [t for t in pending if t.queue_at <= at]
        chosen = policy.choose(site, counters[i].config, present, priority_streak=streak, now=at)
        if chosen is None:
            continue
        if chosen.id == ticket.id:
            wait = (at - line.now).total_seconds()
            return finish_estimate(ticket, line, wait, calls, counts_opening=True)
        pending.remove(chosen)
        calls += 1
        streak = streak + 1 if chosen.priority is not None else 0
        heapq.heappush(heap, (at + timedelta(seconds=hold.of(chosen.service)), i, streak))
    # No counter reaches it today as things stand: say what the simple estimate says.
    return queue_length(ticket, line)
