"""A plain M/M/c day reproduces the textbook mean wait (Erlang C).

One field, ``c`` identical counters, Poisson arrivals at a constant rate around the
clock, exponential service, no priority, breaks, no-shows or walking: the simulator
must then be the M/M/c queue, so the mean wait over many days falls within the
confidence interval of Erlang C's value.
"""

import math
import statistics
from datetime import date

from server.engine.model import CounterConfig, Department, ServiceConfig, SiteConfig
from server.seed.common import ALWAYS_OPEN
from server.seed.types import SiteSeed
from server.simulation.day import Clerks, Day, FieldLoad
from server.simulation.run import simulate

COUNTERS = 2
PER_HOUR = 18.0
MEAN_S = 240.0
WARM_UP_H = 2  # the day starts empty: its first hours are not the steady state


def erlang_c_wait_s(c: int, per_hour: float, mean_s: float) -> float:
    """The mean wait in queue of M/M/c (Erlang C)."""
    lam, mu = per_hour / 3600, 1 / mean_s
    a = lam / mu
    rho = a / c
    top = a**c / math.factorial(c) / (1 - rho)
    p_wait = top / (sum(a**k / math.factorial(k) for k in range(c)) + top)
    return p_wait / (c * mu - lam)


def mmc_site() -> SiteSeed:
    site = SiteConfig(id="mmc", name="M/M/c", name_en="M/M/c", hours=ALWAYS_OPEN)
    return SiteSeed(
        site=site,
        areas=(),
        departments=(Department("d", "D", "D"),),
        services=(ServiceConfig("A", "d", "A", "A", default_service_s=int(MEAN_S)),),
        counters=tuple(
            CounterConfig(str(n), n, f"Quầy {n}", "X", ("A",)) for n in range(1, COUNTERS + 1)
        ),
        users=(),
        devices=(),
    )


def mmc_day() -> Day:
    return Day(
        site="mmc",
        first_date=date(2026, 3, 2),
        profile=dict.fromkeys(range(24), 1 / 24),
        fields={"A": FieldLoad(per_day=PER_HOUR * 24, mean_s=MEAN_S)},
        priority_share=0.0,
        no_show_share=0.0,
        park_share=0.0,
        transfer_share=0.0,
        distribution="exponential",
        clerks=Clerks(walk_s=0.0, breaks_per_session=0, grace_s=0.0),
    )


def test_mean_wait_matches_erlang_c():
    expected = erlang_c_wait_s(COUNTERS, PER_HOUR, MEAN_S)
    day_means = []
    for hall in simulate(mmc_site(), mmc_day(), rng_seed=7, days=20, estimators={}):
        waits = [
            o.wait_s
            for o in hall.outcomes.values()
            if o.wait_s is not None and o.issued_at.astimezone(hall.zone).hour >= WARM_UP_H
        ]
        day_means.append(statistics.fmean(waits))
    mean = statistics.fmean(day_means)
    # Batch means, one batch a day; 2.86 is Student's t for 99 % with 19 degrees of freedom.
    half_width = 2.86 * statistics.stdev(day_means) / math.sqrt(len(day_means))
    assert abs(mean - expected) <= half_width, (mean, expected, half_width)
    assert half_width < 0.3 * expected  # the interval is tight enough to mean something


def test_erlang_c_formula():
    # One counter: M/M/1's wait in queue is rho / (mu - lambda).
    rho = 0.5
    assert math.isclose(erlang_c_wait_s(1, 7.5, 240.0), rho / (1 / 240 - 7.5 / 3600))
