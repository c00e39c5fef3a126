"""Running simulated days and reading their figures: waits, SLA, utilisation, and every
estimator's errors against the waits that happened."""

import random
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from server.contract.vocab import Outcome as TicketOutcome
from server.engine.estimate import TOLERANCE, Estimator
from server.engine.estimators import ESTIMATORS
from server.seed.types import SiteSeed
from server.simulation.day import Day
from server.simulation.hall import Hall, Outcome

# A relative error is taken against at least this wait: a citizen told "2 minutes" who
# waits 30 seconds was not misled fourfold.
RELATIVE_FLOOR_S = 60.0
# compare() also reports the tickets that waited at least this long.
LONG_WAIT_S = 600


def sim_dates(first: date, days: int) -> list[date]:
    """``days`` weekdays from ``first`` on (centres are closed at weekends)."""
    out: list[date] = []
    on = first
    while len(out) < days:
        if on.weekday() < 5:
            out.append(on)
        on += timedelta(days=1)
    return out


def simulate_day(
    seed: SiteSeed,
    day: Day,
    on: date,
    rng_seed: str,
    *,
    staffed: frozenset[str] | None = None,
    absent: frozenset[tuple[str, int]] = frozenset(),
    estimators: Mapping[str, Estimator] = ESTIMATORS,
    hourly: bool = False,
) -> Hall:
    hall = Hall(
        seed,
        day,
        on,
        random.Random(rng_seed),
        staffed=staffed,
        absent=absent,
        estimators=estimators,
        hourly=hourly,
    )
    hall.run()
    hall.close_day()
    return hall


def simulate(
    seed: SiteSeed,
    day: Day,
    *,
    rng_seed: int = 1,
    days: int = 1,
    staffed: frozenset[str] | None = None,
    absent: frozenset[tuple[str, int]] = frozenset(),
    estimators: Mapping[str, Estimator] = ESTIMATORS,
    hourly: bool = False,
) -> Iterable[Hall]:
    """Each day its own random stream, named by the seed and the day's index, so day 7
    of seed 1 is the same whether 7 or 50 days are run."""
    for i, on in enumerate(sim_dates(day.first_date, days)):
        yield simulate_day(
            seed,
            day,
            on,
            f"{rng_seed}:{i}",
            staffed=staffed,
            absent=absent,
            estimators=estimators,
            hourly=hourly,
        )


@dataclass(frozen=True)
class Errors:
    """An estimator's errors (estimate minus actual wait, seconds) over some tickets."""

    count: int
    median_abs_s: float
    median_rel: float
    within_25pct: float
    bias_s: float  # mean error: positive promises longer waits than happen

    def as_json(self) -> dict[str, float]:
        return {
            "count": self.count,
            "median_abs_error_s": round(self.median_abs_s, 1),
            "median_relative_error": round(self.median_rel, 4),
            "within_25pct": round(self.within_25pct, 4),
            "bias_s": round(self.bias_s, 1),
        }


def errors_of(pairs: Sequence[tuple[float, float]]) -> Errors:
    """(estimated, actual) pairs to the figures docs/estimates.md reports."""
    if not pairs:
        return Errors(0, 0.0, 0.0, 0.0, 0.0)
    errs = [e - a for e, a in pairs]
    return Errors(
        count=len(pairs),
        median_abs_s=statistics.median(abs(x) for x in errs),
        median_rel=statistics.median(abs(e - a) / max(a, RELATIVE_FLOOR_S) for e, a in pairs),
        within_25pct=sum(1 for e, a in pairs if abs(e - a) <= TOLERANCE * a) / len(pairs),
        bias_s=statistics.fmean(errs),
    )


def estimate_pairs(
    outcomes: Iterable[Outcome], name: str, *, hour_of: bool = False
) -> dict[int, list[tuple[float, float]]]:
    """(estimate, actual) pairs of one estimator, all under key -1, or by issue hour."""
    out: dict[int, list[tuple[float, float]]] = defaultdict(list)
    for o in outcomes:
        if o.wait_s is None or name not in o.estimates:
            continue
        key = o.issued_at.hour if hour_of else -1
        out[key].append((float(o.estimates[name].wait_s), o.wait_s))
    return out


def compare(halls: Iterable[Hall], names: Iterable[str]) -> dict[str, object]:
    """Every estimator's errors over all the days' tickets, overall and by issue hour."""
    outcomes = [o for hall in halls for o in hall.outcomes.values()]
    result: dict[str, object] = {}
    for name in names:
        overall = estimate_pairs(outcomes, name).get(-1, [])
        by_hour = estimate_pairs(outcomes, name, hour_of=True)
        result[name] = {
            **errors_of(overall).as_json(),
            # The tickets that waited long: there a promise matters most.
            f"waited_{LONG_WAIT_S // 60}_min_or_more": errors_of(
                [p for p in overall if p[1] >= LONG_WAIT_S]
            ).as_json(),
            "by_hour": {str(h): errors_of(p).as_json() for h, p in sorted(by_hour.items())},
        }
    return result


def day_figures(hall: Hall) -> dict[str, object]:
    """A day's figures: volumes, waits (overall, by hour and field), SLA, utilisation."""
    outcomes = list(hall.outcomes.values())
    waits = [o.wait_s for o in outcomes if o.wait_s is not None]
    by_hour: dict[int, list[float]] = defaultdict(list)
    by_field: dict[str, list[float]] = defaultdict(list)
    for o in outcomes:
        if o.wait_s is not None:
            by_hour[o.issued_at.hour].append(o.wait_s)
            by_field[o.service].append(o.wait_s)
    ends: dict[str, int] = defaultdict(int)
    for ticket in hall.tickets.values():
        if ticket.outcome is not None and ticket.transferred_from is None:
            ends[ticket.outcome.value] += 1
    sla = hall.day.sla_s
    counters = {
        c.config.number: round(c.busy_s / c.open_s, 3) if c.open_s else 0.0
        for c in hall.counters.values()
    }
    return {
        "date": hall.midnight.date().isoformat(),
        "issued": len(outcomes),
        "refused": hall.refused,
        "served": ends[TicketOutcome.SERVED.value],
        "no_show": ends[TicketOutcome.NO_SHOW.value],
        "transferred": ends[TicketOutcome.TRANSFERRED.value],
        "expired": ends[TicketOutcome.EXPIRED.value],
        "mean_wait_s": round(statistics.fmean(waits), 1) if waits else 0.0,
        "p90_wait_s": round(_quantile(waits, 0.9), 1),
        "sla_s": sla,
        # Over every issued ticket: one never called did not get its service in time.
        "within_sla": (
            round(sum(1 for w in waits if w <= sla) / len(outcomes), 4) if outcomes else 1.0
        ),
        "mean_wait_by_hour_s": {
            str(h): round(statistics.fmean(w), 1) for h, w in sorted(by_hour.items())
        },
        "mean_wait_by_field_s": {
            f: round(statistics.fmean(w), 1) for f, w in sorted(by_field.items())
        },
        "utilisation_by_counter": counters,
        "utilisation": round(statistics.fmean(counters.values()), 3) if counters else 0.0,
    }


def _quantile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]
