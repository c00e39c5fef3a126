"""The figures of a site's day: the visits counted, summed and binned into one row.

A report cut by site, day, month or weekday keys every visit by its site-day, so it
can add up one row per site-day (``report_day_figures``) instead of reading every
visit: counts and sums add up exactly, and the medians and 90th percentiles come from
histograms (``server.storage.models.HISTOGRAMS``), within the bins that hold the two
visits nearest the percentile's rank. The other cuts (field, counter, clerk, hour, ...) key visits
by what a day row does not keep, and read the visits.

Closed days get their row when a report first needs it (``unfigured_days``, then
``roll_up_days``, from ``report_visits``); the current day's rows are computed from
the live visits by the same statement (``day_figures_select``).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    insert,
    select,
)
from sqlalchemy.orm import Session

from server.contract.vocab import Outcome, Rating
from server.reports.visits import OPEN
from server.storage.models import (
    DAY_BOUNDS,
    DAY_SUMS,
    HISTOGRAMS,
    ReportDayFiguresRow,
    ReportDayRow,
    ReportVisitRow,
    bin_columns,
)

# An estimate is "accurate" within this share of itself, and never tighter than a minute.
ESTIMATE_TOLERANCE = 0.25
ESTIMATE_FLOOR_S = 60
# The cuts whose key is a function of the site-day: they read the day figures.
DAY_CUTS = frozenset({"site", "day", "month", "weekday"})
BIN_COLUMNS = [name for measure in HISTOGRAMS for name in bin_columns(measure)]
DAY_COLUMNS = ["site_id", "business_day", *DAY_SUMS, *DAY_BOUNDS, *BIN_COLUMNS]


def count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """``count(*) FILTER (WHERE ...)``: cheaper per row than a sum of CASEs (both
    PostgreSQL and SQLite have it)."""
    return func.count().filter(condition)


@dataclass(frozen=True)
class Judged:
    """What a visit row is judged by, the same for the visits' and the days' figures."""

    promised: ColumnElement[bool]  # called, in a field with a wait target
    met: ColumnElement[bool]  # ... and within it
    estimated: ColumnElement[bool]  # called, with a printed estimate
    error: ColumnElement[Any]  # first wait less the estimate
    within: ColumnElement[bool]  # estimated, and the error within the tolerance
    satisfied: ColumnElement[bool]


def judged(v: Any) -> Judged:
    target = v.c.wait_target_s
    promised = and_(target.is_not(None), v.c.wait_s.is_not(None))
    error = v.c.first_wait_s - v.c.estimate_s
    estimated = and_(v.c.first_wait_s.is_not(None), v.c.estimate_s.is_not(None))
    tolerance = case(
        (
            v.c.estimate_s * ESTIMATE_TOLERANCE > ESTIMATE_FLOOR_S,
            v.c.estimate_s * ESTIMATE_TOLERANCE,
        ),
        else_=ESTIMATE_FLOOR_S,
    )
    return Judged(
        promised=promised,
        met=and_(promised, v.c.wait_s <= target),
        estimated=estimated,
        error=error,
        within=and_(estimated, func.abs(error) <= tolerance),
        satisfied=v.c.rating.in_([Rating.VERY_SATISFIED.value, Rating.SATISFIED.value]),
    )


def _bins(value: ColumnElement[Any], edges: Sequence[int]) -> list[ColumnElement[Any]]:
    """One count per bin: below the first edge, between two, from the last on."""
    out = [count_if(value < edges[0])]
    out += [count_if(and_(value >= low, value < high)) for low, high in pairwise(edges)]
    out.append(count_if(value >= edges[-1]))
    return out


def day_figures_select(v: Any) -> Select[Any]:
    """One row per site-day of the visit rows ``v`` (``DAY_COLUMNS``)."""
    j = judged(v)
    error = case((j.estimated, j.error))
    measures: dict[str, ColumnElement[Any]] = {"wait": v.c.wait_s, "service": v.c.service_s}
    measures["error"] = error
    sums: dict[str, ColumnElement[Any]] = {
        "issued": func.count(),
        "served": count_if(v.c.outcome == Outcome.SERVED.value),
        "no_show": count_if(v.c.outcome == Outcome.NO_SHOW.value),
        "cancelled": count_if(v.c.outcome == Outcome.CANCELLED.value),
        "expired": count_if(v.c.outcome == Outcome.EXPIRED.value),
        "in_progress": count_if(v.c.outcome == OPEN),
        "transferred": count_if(v.c.legs > 1),
        "parked": func.coalesce(func.sum(v.c.parked), 0),
        "called": func.count(v.c.wait_s),
        "wait_sum": func.coalesce(func.sum(v.c.wait_s), 0),
        "service_n": func.count(v.c.service_s),
        "service_sum": func.coalesce(func.sum(v.c.service_s), 0),
        "sla_promised": count_if(j.promised),
        "sla_met": count_if(j.met),
        "estimated": count_if(j.estimated),
        "estimate_within": count_if(j.within),
        "very_satisfied": count_if(v.c.rating == Rating.VERY_SATISFIED.value),
        "satisfied": count_if(v.c.rating == Rating.SATISFIED.value),
        "neutral": count_if(v.c.rating == Rating.NEUTRAL.value),
        "unsatisfied": count_if(v.c.rating == Rating.UNSATISFIED.value),
        "rated": func.count(v.c.rating),
    }
    # Integers as the table's columns, so the live rows add up with the rolled ones
    # in 4-byte sums (a bigint's sum is a numeric one, far slower over many columns).
    columns: list[ColumnElement[Any]] = [v.c.site_id, v.c.business_day]
    columns += [cast(sums[name], Integer).label(name) for name in DAY_SUMS]
    for measure, value in measures.items():
        columns += [
            func.min(value).label(f"{measure}_min"),
            func.max(value).label(f"{measure}_max"),
        ]
    for measure, edges in HISTOGRAMS.items():
        names = bin_columns(measure)
        bins = _bins(measures[measure], edges)
        columns += [cast(c, Integer).label(n) for c, n in zip(bins, names, strict=True)]
    return select(*columns).group_by(v.c.site_id, v.c.business_day)


def unfigured_days(
    session: Session, site_ids: Sequence[str], first: date, last: date, *, every: bool
) -> dict[str, list[date]]:
    """The rolled-up days (``report_days``) with visits of these sites in the period
    that have no day figures yet (``every``: all the sites, no filter on them)."""
    d = ReportDayRow.__table__
    f = ReportDayFiguresRow.__table__

    def count(table: Any, *where: ColumnElement[bool]) -> int:
        query = select(func.count()).where(table.c.business_day.between(first, last), *where)
        if not every:
            query = query.where(table.c.site_id.in_(list(site_ids)))
        return int(session.scalar(query) or 0)

    # Every day with figures is a rolled-up day with visits: equal counts mean none is
    # missing (two counts, cheaper than the anti-join below on a year of a city).
    if count(d, d.c.visits > 0) == count(f):
        return {}
    query = select(d.c.site_id, d.c.business_day).where(
        d.c.business_day.between(first, last),
        d.c.visits > 0,
        ~exists().where(f.c.site_id == d.c.site_id, f.c.business_day == d.c.business_day),
    )
    if not every:
        query = query.where(d.c.site_id.in_(list(site_ids)))
    missing: dict[str, list[date]] = {}
    for site_id, day in session.execute(query):
        missing.setdefault(site_id, []).append(day)
    return missing


def roll_up_days(session: Session, missing: Mapping[str, Sequence[date]]) -> int:
    """Write the day figures of these rolled-up days from their visits (one statement
    per site; a day without visits gets no row). Returns the rows written."""
    table: Table = ReportDayFiguresRow.__table__  # type: ignore[assignment]
    v = ReportVisitRow.__table__
    written = 0
    for site_id, days in missing.items():
        session.execute(
            delete(table).where(table.c.site_id == site_id, table.c.business_day.in_(list(days)))
        )
        visits = select(v).where(v.c.site_id == site_id, v.c.business_day.in_(list(days)))
        source = day_figures_select(visits.subquery("v"))
        done = session.execute(insert(table).from_select(DAY_COLUMNS, source))
        written += int(getattr(done, "rowcount", 0))
    return written


def day_rows(
    site_ids: Sequence[str],
    first: date,
    last: date,
    live: Any | None,
    *,
    every: bool,
) -> Any:
    """The site-day rows of the period: closed days from ``report_day_figures``, and the
    live visits ``live`` (a visit subquery of the current days) aggregated the same way."""
    f = ReportDayFiguresRow.__table__
    rolled = select(*(f.c[name] for name in DAY_COLUMNS)).where(
        f.c.business_day.between(first, last)
    )
    if not every:
        rolled = rolled.where(f.c.site_id.in_(list(site_ids)))
    if live is None:
        return rolled.subquery("d")
    return rolled.union_all(day_figures_select(live)).subquery("d")


def added_up(d: Any) -> list[ColumnElement[Any]]:
    """The aggregates that add day rows up (sums, smallest and largest, bins)."""
    out: list[ColumnElement[Any]] = [
        func.coalesce(func.sum(d.c[name]), 0).label(name) for name in DAY_SUMS
    ]
    for measure in HISTOGRAMS:
        out.append(func.min(d.c[f"{measure}_min"]).label(f"{measure}_min"))
        out.append(func.max(d.c[f"{measure}_max"]).label(f"{measure}_max"))
    out += [func.coalesce(func.sum(d.c[name]), 0).label(name) for name in BIN_COLUMNS]
    return out


def histogram_percentile(
    counts: Sequence[int],
    edges: Sequence[int],
    low: float | None,
    high: float | None,
    fraction: float,
) -> float | None:
    """The continuous percentile (as ``percentile_cont``) read from a histogram: the
    two nearest ranks are placed evenly within their bins, whose open ends are the
    smallest (``low``) and largest (``high``) value, and interpolated between."""
    n = sum(counts)
    if n == 0 or low is None or high is None:
        return None
    rank = fraction * (n - 1)
    below = math.floor(rank)
    above = min(below + 1, n - 1)

    def placed(k: int) -> float:
        seen = 0
        for i, count in enumerate(counts):
            if k < seen + count:
                start = max(low, edges[i - 1]) if i > 0 else low
                end = min(high, edges[i]) if i < len(edges) else high
                return start + (end - start) * (k - seen + 0.5) / count
            seen += count
        return high

    at_below = placed(below)
    return at_below + (placed(above) - at_below) * (rank - below)


def figures_of(row: Mapping[str, Any]) -> dict[str, Any]:
    """The ``Figures`` values of a row of added-up day figures (before rounding)."""

    def n(name: str) -> int:
        return int(row[name] or 0)

    def share(part: int, whole: int) -> float | None:
        return 100.0 * part / whole if whole > 0 else None

    def pct(measure: str, fraction: float) -> float | None:
        counts = [n(name) for name in bin_columns(measure)]
        low, high = row[f"{measure}_min"], row[f"{measure}_max"]
        return histogram_percentile(counts, HISTOGRAMS[measure], low, high, fraction)

    called, service_n = n("called"), n("service_n")
    values: dict[str, Any] = {
        name: n(name)
        for name in (
            "issued",
            "served",
            "no_show",
            "cancelled",
            "expired",
            "in_progress",
            "transferred",
            "parked",
            "called",
            "very_satisfied",
            "satisfied",
            "neutral",
            "unsatisfied",
            "rated",
        )
    }
    values |= {
        "wait_mean_s": n("wait_sum") / called if called else None,
        "wait_median_s": pct("wait", 0.5),
        "wait_p90_s": pct("wait", 0.9),
        "wait_max_s": row["wait_max"],
        "service_mean_s": n("service_sum") / service_n if service_n else None,
        "service_median_s": pct("service", 0.5),
        "sla_pct": share(n("sla_met"), n("sla_promised")),
        "no_show_pct": share(n("no_show"), called),
        "estimate_median_error_s": pct("error", 0.5),
        "estimate_within_pct": share(n("estimate_within"), n("estimated")),
        "satisfied_pct": share(n("very_satisfied") + n("satisfied"), n("rated")),
    }
    return values


def sum_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Rows of added-up day figures added up once more (the report's total)."""
    total: dict[str, Any] = {name: sum(int(r[name] or 0) for r in rows) for name in DAY_SUMS}
    total |= {name: sum(int(r[name] or 0) for r in rows) for name in BIN_COLUMNS}
    for measure in HISTOGRAMS:
        lows = [r[f"{measure}_min"] for r in rows if r[f"{measure}_min"] is not None]
        highs = [r[f"{measure}_max"] for r in rows if r[f"{measure}_max"] is not None]
        total[f"{measure}_min"] = min(lows) if lows else None
        total[f"{measure}_max"] = max(highs) if highs else None
    return total


__all__ = [
    "DAY_COLUMNS",
    "DAY_CUTS",
    "ESTIMATE_FLOOR_S",
    "ESTIMATE_TOLERANCE",
    "added_up",
    "count_if",
    "day_figures_select",
    "day_rows",
    "figures_of",
    "histogram_percentile",
    "judged",
    "roll_up_days",
    "sum_rows",
    "unfigured_days",
]
