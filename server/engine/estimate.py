"""People ahead, the estimated wait printed on a ticket, and how good those estimates were.

The estimate is deliberately simple and explainable: people ahead times a
robust average service time, shared among the counters open for the service.
Every estimate is stored with the ticket (``Ticket.estimate_s``) so
``accuracy`` can compare it with the wait that really happened.
"""

import math
import statistics
from collections.abc import Sequence

from server.contract.vocab import TicketStatus
from server.engine.model import Ticket

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
