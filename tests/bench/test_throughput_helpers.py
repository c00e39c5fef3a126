"""The benchmarks' own arithmetic and set-up: percentiles, the ticket plan, the ward
copies of bench.sites (no timing here)."""

from collections import Counter
from datetime import UTC, datetime

import pytest

from bench.sites import wards
from bench.throughput import issue_plan, percentile, summary
from server.seed import demo_sites
from server.storage.db import Database, sqlite_url
from server.storage.seeding import load_sites, seed_demo


def test_nearest_rank_percentile():
    values = list(range(1, 101))
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([7.0], 99) == 7.0
    assert percentile([3, 1, 2], 50) == 2


def test_summary_in_milliseconds():
    assert summary([0.001, 0.002, 0.003]) == {"n": 3, "p50_ms": 2.0, "p99_ms": 3.0, "max_ms": 3.0}
    assert summary([]) == {"n": 0}


def test_issue_plan_stays_under_quotas_and_follows_counters():
    main = next(s for s in demo_sites() if s.site.id == "hcm-main")
    quota = {s.code: s.daily_quota for s in main.services}
    plan = issue_plan(5000)
    used = Counter(plan)
    assert len(plan) == 5000
    assert all(used[c] <= (quota[c] or 999) for c in used)
    assert set(used) == {s.code for s in main.services}
    assert issue_plan(100) == plan[:100]  # deterministic, a prefix of a longer plan


def test_issue_plan_refuses_more_than_a_day_holds():
    with pytest.raises(ValueError, match="cannot take"):
        issue_plan(10**6)


def test_the_ward_copies_load_beside_the_demo_with_their_own_ids(tmp_path) -> None:
    """bench.sites: seven ward copies, each its own site with a kiosk and a supervisor."""
    url = sqlite_url(tmp_path)
    seed_demo(url, tmp_path, now=datetime.now(UTC), always_open=True)
    copies = wards(7)
    assert len({c.site.id for c in copies}) == 7
    assert all(s.daily_quota is None and s.hours is None for c in copies for s in c.services)
    db = Database(url)
    try:
        with db.write() as session:
            tokens = load_sites(session, copies, now=datetime.now(UTC))
    finally:
        db.dispose()
    assert set(tokens) == {f"ward-{n}-kiosk" for n in range(2, 9)}
