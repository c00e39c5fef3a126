"""People ahead, the estimated wait printed on a ticket, and how good those estimates were.

The estimate is deliberately simple and explainable: people ahead times a
robust average service time, shared among the counters open for the service.
Every estimate is stored with the ticket (``Ticket.estimate_s``) so
``accuracy`` can compare it with the wait that really happened.
"""

import bisect
import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from server.contract.vocab import CounterState, TicketStatus
from server.engine.model import CounterConfig, ServiceConfig, SiteConfig, Ticket
from server.engine.numbering import local_time
from server.engine.policy import line_key

# Below this many recent service times the service's configured default is used:
# two or three quick "wrong counter" visits must not promise a five-minute wait.
MIN_SAMPLES = 5
# Share of samples cut from each end before averaging: a clerk who forgot to
# press "finish" over lunch must not double everyone's estimate.
TRIM_SHARE = 0.1
# An estimate counts as good when it is within this share of the real wait.
TOLERANCE = 0.25


def _ahead_key(ticket: Ticket) -> tuple[int, object, int, str]:
    return (0 if ticket.priority is not None else 1, ticket.queue_at, ticket.seq, ticket.id)


def people_ahead(ticket: Ticket, waiting: Sequence[Ticket]) -> int:
    """Waiting tickets of the same line that will be called before this one.

    Priority tickets go before normal ones, then the place in line. A ticket
    transferred to a specific counter is in that counter's own line, so only
    tickets transferred to the same counter are ahead of it, and those are not
    counted ahead of the service's general line either.
    """
    mine = _ahead_key(ticket)
    count = 0
    for other in waiting:
        if (
            other.id != ticket.id
            and other.status is TicketStatus.WAITING
            and other.service == ticket.service
            and other.target_counter == ticket.target_counter
            and _ahead_key(other) < mine
        ):
            count += 1
    return count


def typical_service_s(recent_service_s: Sequence[float], default_service_s: int) -> float:
    """A trimmed mean of recent service times, or the default when there are too few."""
    samples = sorted(s for s in recent_service_s if math.isfinite(s) and s > 0)
    if len(samples) < MIN_SAMPLES:
        return float(default_service_s)
    cut = int(len(samples) * TRIM_SHARE)
    kept = samples[cut : len(samples) - cut]
    return statistics.fmean(kept)


def estimate_wait_s(
    people_ahead: int,
    recent_service_s: Sequence[float],
    counters_open: int,
    default_service_s: int,
) -> int:
    """Seconds until the ticket is likely called.

    With no counter open we still divide by one: the estimate then says how long
    it will take once a counter opens, rather than "never".
    """
    if people_ahead < 0:
        raise ValueError(f"people_ahead cannot be negative, got {people_ahead}")
    per_ticket = typical_service_s(recent_service_s, default_service_s)
    return round(people_ahead * per_ticket / max(1, counters_open))


def actual_wait_s(ticket: Ticket) -> int | None:
    """The wait the citizen really had: issue to first call; None if never called."""
    if ticket.called_at is None:
        return None
    return max(0, round((ticket.called_at - ticket.issued_at).total_seconds()))


def estimate_pairs(tickets: Sequence[Ticket]) -> list[tuple[int, int]]:
    """(estimated, actual) waits of the tickets that got an estimate and were called.

    Tickets never called (cancelled in line, expired) have no actual wait and are
    left out; a report counts them by outcome instead.
    """
    pairs = []
    for ticket in tickets:
        actual = actual_wait_s(ticket)
        if ticket.estimate_s is not None and actual is not None:
            pairs.append((ticket.estimate_s, actual))
    return pairs


def accuracy(estimates: Sequence[tuple[int, int]]) -> dict[str, float]:
    """Compare (estimated, actual) waits in seconds.

    Keys: ``count``; ``mean_abs_error_s`` and ``median_abs_error_s`` (how far
    off); ``mean_error_s`` and ``median_error_s`` (estimated minus actual:
    positive means we promise longer waits than happen); ``within_25pct``
    (share of estimates within 25 % of the actual wait). With no pairs,
    ``count`` is 0 and the rest are 0.0.
    """
    if not estimates:
        return {
            "count": 0.0,
            "mean_abs_error_s": 0.0,
            "median_abs_error_s": 0.0,
            "mean_error_s": 0.0,
            "median_error_s": 0.0,
            "within_25pct": 0.0,
        }
    errors = [float(est - actual) for est, actual in estimates]
    absolute = [abs(e) for e in errors]
    within = sum(
        1 for (_, actual), err in zip(estimates, absolute, strict=True) if err <= TOLERANCE * actual
    )
    return {
        "count": float(len(estimates)),
        "mean_abs_error_s": statistics.fmean(absolute),
        "median_abs_error_s": float(statistics.median(absolute)),
        "mean_error_s": statistics.fmean(errors),
        "median_error_s": float(statistics.median(errors)),
        "within_25pct": within / len(estimates),
    }


# ---- estimators compared on the same state (docs/estimates.md) -------------------------

# The relative spread of a wait made of k services: about the services' variation over
# the square root of how many there are, kept between a floor and a ceiling so a range
# is neither falsely precise nor useless.
SERVICE_CV = 0.8
MIN_SPREAD = 0.1
MAX_SPREAD = 0.5
# A paused counter's clerk is assumed back this long after the pause began (a break).
PAUSE_GUESS_S = 15 * 60


@dataclass(frozen=True)
class CounterNow:
    """A counter as an estimator sees it: open, paused or closed, and what it holds."""

    config: CounterConfig
    state: CounterState
    current: Ticket | None = None  # called or serving
    priority_streak: int = 0
    since: datetime | None = None  # when it was paused (PAUSE_GUESS_S counts from here)


@dataclass(frozen=True)
class Line:
    """What an estimator may know of a site at ``now``: the counters, the waiting tickets
    and the day's history so far. Built by the service from storage, and by the
    simulator from its hall, so both ask the estimators the same question."""

    now: datetime
    site: SiteConfig
    services: Mapping[str, ServiceConfig]
    counters: Sequence[CounterNow]
    waiting: Sequence[Ticket]
    # Recent start-to-finish durations per field (the queue-length estimator's input).
    service_s: Mapping[str, Sequence[float]] = field(default_factory=dict)
    # Recent call-to-close durations per field: how long a call holds a counter, walk,
    # service and no-shows included (the look-ahead's input).
    hold_s: Mapping[str, Sequence[float]] = field(default_factory=dict)
    # The wait of the last ticket called from each line, (field, is priority) -> seconds.
    last_waits: Mapping[tuple[str, bool], float] = field(default_factory=dict)
    # Tickets issued per hour lately, (field, is priority) -> rate: who will still come
    # and, by the policy, go first (``recent_rate`` reckons it).
    arrivals_per_h: Mapping[tuple[str, bool], float] = field(default_factory=dict)
    # ``waiting`` by line (``by_line``), when the caller keeps it so: an estimate then
    # reads only the lines near the ticket's, not a busy site's whole queue.
    lines: Mapping["LineKey", Sequence[Ticket]] | None = None


# A line: ("field", code, is priority), or ("counter", id, False) for the tickets
# transferred to a counter.
LineKey = tuple[str, str, bool]


def line_of(ticket: Ticket) -> LineKey:
    """The line a waiting ticket stands in."""
    if ticket.target_counter is not None:
        return ("counter", ticket.target_counter, False)
    return ("field", ticket.service, ticket.priority is not None)


def by_line(waiting: Iterable[Ticket]) -> dict[LineKey, list[Ticket]]:
    """The waiting tickets by line, each line in its order (``policy.line_key``)."""
    out: dict[LineKey, list[Ticket]] = {}
    status = TicketStatus.WAITING
    for ticket in waiting:
        if ticket.status is status:
            out.setdefault(line_of(ticket), []).append(ticket)
    for tickets in out.values():
        tickets.sort(key=line_key)
    return out


def lines_of(line: Line) -> Mapping[LineKey, Sequence[Ticket]]:
    """``line.lines``, or worked out from ``line.waiting``."""
    return line.lines if line.lines is not None else by_line(line.waiting)


@dataclass(frozen=True)
class WaitEstimate:
    """A wait to promise: a point, a range around it, and whether a counter is open.

    With ``counters_open`` False no counter of the field is open now: the wait counts
    from ``opens_at`` when that is known (the next session of the site's hours).
    """

    wait_s: int
    low_s: int
    high_s: int
    counters_open: bool = True
    opens_at: datetime | None = None


# How far back issued tickets count towards the arrival rate a look-ahead expects.
ARRIVAL_WINDOW_S = 3600.0


def recent_rate(
    issued_at: Sequence[datetime],
    now: datetime,
    opened_at: datetime | None,
    *,
    oldest_first: bool = False,
) -> float:
    """Tickets per hour over the last ``ARRIVAL_WINDOW_S`` (or since the session opened,
    when that is shorter, so the first minutes' surge is not spread over an hour).
    ``oldest_first``: ``issued_at`` is sorted, and a busy day's list is not walked."""
    since = now - timedelta(seconds=ARRIVAL_WINDOW_S)
    if opened_at is not None and opened_at > since:
        since = opened_at
    span = (now - since).total_seconds()
    if span < MIN_RATE_SPAN_S:
        return 0.0
    if oldest_first:
        count = bisect.bisect_right(issued_at, now) - bisect.bisect_left(issued_at, since)
    else:
        count = sum(1 for at in issued_at if since <= at <= now)
    return count * 3600.0 / span


# Below this span a rate is too noisy to act on.
MIN_RATE_SPAN_S = 600.0


class Estimator(Protocol):
    def __call__(self, ticket: Ticket, line: Line) -> WaitEstimate:
        """The wait ``ticket`` (waiting, or about to be) will likely have from ``line.now``."""
        ...


def spread(wait_s: float, services_ahead: int) -> tuple[int, int]:
    """A range around ``wait_s`` that narrows as more services average out."""
    share = min(MAX_SPREAD, max(MIN_SPREAD, SERVICE_CV / math.sqrt(services_ahead + 1)))
    return max(0, round(wait_s * (1 - share))), round(wait_s * (1 + share))


def serves(counter: CounterNow, ticket: Ticket) -> bool:
    if ticket.target_counter is not None:
        return ticket.target_counter == counter.config.id
    return ticket.service in counter.config.services


def next_window_start(site: SiteConfig, now: datetime) -> datetime | None:
    """The start of the site's next opening window today, in ``now``'s zone, or None."""
    local = local_time(now, site.time_zone)
    if local.weekday() not in site.hours.weekdays:
        return None
    clock = local.time().replace(tzinfo=None)
    starts = sorted(start for start, _ in site.hours.windows if start > clock)
    if not starts:
        return None
    return local.replace(
        hour=starts[0].hour, minute=starts[0].minute, second=0, microsecond=0
    ).astimezone(now.tzinfo)


def finish_estimate(
    ticket: Ticket, line: Line, wait_s: float, ahead: int, *, counts_opening: bool = False
) -> WaitEstimate:
    """Wrap a point estimate; with no counter of the field open, count from the next
    session's start when the site's hours say one comes today (unless ``counts_opening``:
    the estimate already waited for it)."""
    return shape_estimate(
        wait_s,
        ahead,
        counters_open=_open_for(ticket, line) > 0,
        site=line.site,
        now=line.now,
        counts_opening=counts_opening,
    )


def shape_estimate(
    wait_s: float,
    ahead: int,
    *,
    counters_open: bool,
    site: SiteConfig,
    now: datetime,
    counts_opening: bool = False,
) -> WaitEstimate:
    """A point estimate with its range and, with no counter open, the next opening."""
    low, high = spread(wait_s, ahead)
    if counters_open:
        return WaitEstimate(round(wait_s), low, high)
    opens_at = next_window_start(site, now)
    delay = 0.0
    if opens_at is not None and not counts_opening:
        delay = (opens_at - now).total_seconds()
    return WaitEstimate(
        round(delay + wait_s), round(delay + low), round(delay + high), False, opens_at
    )


def _ahead(ticket: Ticket, line: Line) -> int:
    if line.lines is None:
        return people_ahead(ticket, line.waiting)
    # The same rule read from the ticket's own lines: the priority line of its field goes
    # first, and only tickets transferred to the same counter (of its field) count there.
    if ticket.target_counter is not None:
        tickets = line.lines.get(line_of(ticket), ())
        return people_ahead(ticket, [t for t in tickets if t.service == ticket.service])
    mine = _ahead_key(ticket)
    count = 0
    for priority in (True, False):
        tickets = line.lines.get(("field", ticket.service, priority), ())
        keys = [_ahead_key(t) for t in tickets if t.id != ticket.id]
        count += bisect.bisect_left(keys, mine)
    return count


def _open_for(ticket: Ticket, line: Line) -> int:
    return sum(
        1
        for c in line.counters
        if serves(c, ticket) and (c.state is CounterState.OPEN or c.current is not None)
    )


def queue_length(ticket: Ticket, line: Line) -> WaitEstimate:
    """People ahead times a trimmed mean service time, over the field's open counters:
    the estimator this server first shipped (``estimate_wait_s``)."""
    ahead = _ahead(ticket, line)
    default = line.services[ticket.service].default_service_s
    wait = estimate_wait_s(
        ahead, line.service_s.get(ticket.service, ()), _open_for(ticket, line), default
    )
    return finish_estimate(ticket, line, wait, ahead)


def last_to_enter_service(ticket: Ticket, line: Line) -> WaitEstimate:
    """The wait of the last ticket called from the same line (Ibrahim and Whitt's LES).

    Before the line's first call of the day it falls back to the queue-length estimate.
    """
    last = line.last_waits.get((ticket.service, ticket.priority is not None))
    if last is None:
        return queue_length(ticket, line)
    return finish_estimate(ticket, line, last, _ahead(ticket, line))


def head_of_line(ticket: Ticket, line: Line) -> WaitEstimate:
    """The head of the line's elapsed wait, refined (Ibrahim and Whitt's HOL-r).

    The head waited ``w`` while the ``n`` tickets now in line (itself included) came in:
    they arrived at about ``n / w`` and leave at about the same pace in a steady hall, so
    the ticket, the ``n + 1``-th, should wait about ``(n + 1) w / n``. An empty line
    falls back to the last ticket to enter service.
    """
    mine = [
        t
        for t in line.waiting
        if t.id != ticket.id
        and t.status is TicketStatus.WAITING
        and t.service == ticket.service
        and t.target_counter == ticket.target_counter
        and (t.priority is not None) == (ticket.priority is not None)
    ]
    if not mine:
        return last_to_enter_service(ticket, line)
    head = min(mine, key=lambda t: (t.queue_at, t.seq, t.id))
    waited = max(0.0, (line.now - head.queue_at).total_seconds())
    n = len(mine)
    return finish_estimate(ticket, line, waited * (n + 1) / n, _ahead(ticket, line))
