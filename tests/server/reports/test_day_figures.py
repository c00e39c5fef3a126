"""The day figures against the visits, on a generated month of two sites, on SQLite
and PostgreSQL: every count, mean and share equal, every percentile within the bins
that hold the two nearest ranks (docs/reports.md)."""

import io
import math
from bisect import bisect_right
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert, select

from bench.report_history import TICKET_COLUMNS, History, Site
from server.reports.figures import Figures, Reports
from server.reports.sql import month_of, prepare, weekday_of
from server.reports.visits import visits_select
from server.storage.models import (
    HISTOGRAMS,
    RatingRow,
    ReportDayFiguresRow,
    ReportDayRow,
    TicketEventRow,
    TicketRow,
)
from server.storage.seeding import load_sites
from tests.server.backends import SITE, tiny_site

OTHER = "t2"
ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
FIRST, TODAY = date(2026, 3, 2), date(2026, 3, 20)  # a Monday to a Friday
PERCENTILES = {
    "wait_median_s": ("wait", 0.5),
    "wait_p90_s": ("wait", 0.9),
    "service_median_s": ("service", 0.5),
    "estimate_median_error_s": ("error", 0.5),
}
EXACT = [
    name
    for name in Figures.__dataclass_fields__
    if name not in ("key", "label") and name not in PERCENTILES
]
INTS = {"seq", "call_count", "estimate_s"}
DAYS = {"business_day"}


def _value(column: str, text: str) -> Any:
    if text == "\\N":
        return None
    if column in INTS:
        return int(text)
    if column in DAYS:
        return date.fromisoformat(text)
    if column.endswith("_at") or column == "at":
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S+00").replace(tzinfo=UTC)
    return text


def _rows(columns: str, text: str) -> list[dict[str, Any]]:
    names = [c.strip() for c in columns.split(",")]
    out = []
    for line in text.splitlines():
        row = {n: _value(n, v) for n, v in zip(names, line.split("\t"), strict=True)}
        if "data" in row:
            row["data"] = {}
        out.append(row)
    return out


def generate_month(world) -> int:
    """Two sites' working days from FIRST to TODAY, drawn by the benchmark's generator
    (waits, transfers, no-shows, parks, ratings, estimates) and written as rows."""
    with world.db.write() as session:
        other = tiny_site(OTHER)
        load_sites(session, [replace(other, users=(), devices=())], now=world.clock())
    history = History(seed=21)
    sites = [
        Site(
            s,
            "branch",
            ("ht", "ct"),
            (1.0, 0.6),
            {"ht": ("1", "2"), "ct": ("1", "3")},
            ("elderly",),
        )
        for s in (SITE, OTHER)
    ]
    written = 0
    day = FIRST
    while day <= TODAY:
        if day.weekday() < 5:
            tickets, ratings, events = io.StringIO(), io.StringIO(), io.StringIO()
            for site in sites:
                written += history.day(site, day, tickets, ratings, events)
            with world.db.write() as session:
                session.execute(insert(TicketRow), _rows(TICKET_COLUMNS, tickets.getvalue()))
                rated = _rows(
                    "site_id, ticket_id, counter_id, clerk, business_day, rating, at",
                    ratings.getvalue(),
                )
                if rated:
                    session.execute(insert(RatingRow), rated)
                parked = _rows(
                    "site_id, ticket_id, kind, at, actor, counter_id, data", events.getvalue()
                )
                if parked:
                    session.execute(insert(TicketEventRow), parked)
        day += timedelta(days=1)
    return written


def _bounds(values: list[int], fraction: float, edges: tuple[int, ...]) -> tuple[float, float]:
    """From the bottom of the bin of the rank below the percentile to the top of the
    bin of the rank above it (the open bins bounded by the smallest and largest)."""
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    below, above = ordered[math.floor(rank)], ordered[min(math.floor(rank) + 1, len(ordered) - 1)]
    i, j = bisect_right(edges, below), bisect_right(edges, above)
    low = max(edges[i - 1], ordered[0]) if i > 0 else ordered[0]
    high = min(edges[j], ordered[-1]) if j < len(edges) else ordered[-1]
    return low, high


def _visits_by_key(world, by: str) -> dict[tuple[str, ...], dict[str, list[int]]]:
    days = [FIRST + timedelta(days=n) for n in range((TODAY - FIRST).days + 1)]
    v = visits_select([SITE, OTHER], days, closed=False).subquery("v")
    key = {
        "site": v.c.site_id,
        "day": v.c.business_day,
        "month": month_of(v.c.business_day),
        "weekday": weekday_of(v.c.business_day),
    }[by]
    error = v.c.first_wait_s - v.c.estimate_s
    query = select(key, v.c.wait_s, v.c.service_s, error)
    out: dict[tuple[str, ...], dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    with world.db.read() as session:
        prepare(session)
        for k, wait, service, err in session.execute(query):
            for group in ((str(k),), ()):
                for measure, value in (("wait", wait), ("service", service), ("error", err)):
                    if value is not None:
                        out[group][measure].append(value)
    return out


def test_the_day_figures_equal_the_visits_and_their_percentiles_stay_in_their_bins(
    world,
) -> None:
    assert generate_month(world) > 5000
    world.clock.now = datetime(2026, 3, 20, 15, tzinfo=ZONE).astimezone(UTC)
    exact = Reports(world.db, clock=world.clock, day_figures=False)
    binned = Reports(world.db, clock=world.clock)
    for by in ("site", "day", "month", "weekday"):
        raw = exact.figures(None, FIRST, TODAY, by)
        rolled = binned.figures(None, FIRST, TODAY, by)
        assert [r.key for r in rolled.rows] == [r.key for r in raw.rows], by
        assert [r.label for r in rolled.rows] == [r.label for r in raw.rows], by
        values = _visits_by_key(world, by)
        pairs = [*zip(raw.rows, rolled.rows, strict=True), (raw.total, rolled.total)]
        for want, got in pairs:
            for name in EXACT:
                assert getattr(got, name) == getattr(want, name), (by, want.key, name)
            for name, (measure, fraction) in PERCENTILES.items():
                low, high = _bounds(values[want.key][measure], fraction, HISTOGRAMS[measure])
                found, truth = getattr(got, name), getattr(want, name)
                assert low - 0.01 <= truth <= high + 0.01, (by, want.key, name)
                assert low - 0.01 <= found <= high + 0.01, (by, want.key, name, found, truth)
    total = binned.figures(None, FIRST, TODAY, "month").total
    assert total.in_progress == 0 and total.issued > 5000
    with world.db.read() as session:
        days = session.scalar(select(func.count()).select_from(ReportDayRow))
        figured = session.scalar(select(func.count()).select_from(ReportDayFiguresRow))
    assert days == 2 * 18  # every closed day, weekends too, is rolled up
    assert figured == 2 * 14  # the days with visits have day figures


def test_a_day_rolled_up_before_the_day_figures_gets_them_when_read(world) -> None:
    generate_month(world)
    world.clock.now = datetime(2026, 3, 20, 15, tzinfo=ZONE).astimezone(UTC)
    reports = Reports(world.db, clock=world.clock)
    before = reports.figures([SITE], FIRST, TODAY, "field").total  # rolls the visits up
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ReportDayFiguresRow)) == 0
    after = reports.figures([SITE], FIRST, TODAY, "month").total
    assert (after.issued, after.served, after.sla_pct) == (
        before.issued,
        before.served,
        before.sla_pct,
    )
    with world.db.read() as session:
        assert session.scalar(select(func.count()).select_from(ReportDayFiguresRow)) == 14
