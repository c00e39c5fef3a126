"""The figures of a period, cut one way: one aggregate statement per cut.

``Reports.figures`` makes sure the closed days of the period are rolled up
(``visits.roll_up``), then runs one statement over those visits and the live visits of
the sites' current day, grouped by the cut, and one more for the totals. The cuts keyed
by the site-day (site, day, month, weekday) add up day figures instead (``days``): one
row per closed site-day, and the live visits of the current day aggregated the same way.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    cast,
    func,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.contract.vocab import Outcome, Rating
from server.engine.numbering import business_day
from server.reports.days import (
    DAY_CUTS,
    added_up,
    count_if,
    day_rows,
    figures_of,
    judged,
    roll_up_days,
    sum_rows,
    unfigured_days,
)
from server.reports.sql import month_of, percentile, prepare, weekday_of
from server.reports.texts import CHANNELS, TOTAL, WEEKDAYS
from server.reports.visits import OPEN, VISIT_COLUMNS, roll_up, unrolled_days, visits_select
from server.storage.db import Database
from server.storage.models import (
    CounterRow,
    DepartmentRow,
    ReportVisitRow,
    ServiceRow,
    SiteRow,
    UserRow,
)

# A roll-up that wrote this many visits refreshes the table's statistics at once.
ANALYZE_AFTER = 50_000
ANALYZE_DAYS_AFTER = 1_000  # day-figures rows, likewise
CUTS = (
    "site",
    "department",
    "field",
    "counter",
    "clerk",
    "hour",
    "weekday",
    "priority",
    "channel",
    "day",
    "month",
    "heatmap",
)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Figures:
    """One row of a report: the figures of the visits under one key of the cut.
    Durations in seconds; shares in percent (None when nothing to divide)."""

    key: tuple[str, ...]
    label: str
    issued: int = 0
    served: int = 0
    no_show: int = 0
    cancelled: int = 0
    expired: int = 0
    in_progress: int = 0
    transferred: int = 0
    parked: int = 0
    called: int = 0
    wait_mean_s: float | None = None
    wait_median_s: float | None = None
    wait_p90_s: float | None = None
    wait_max_s: float | None = None
    service_mean_s: float | None = None
    service_median_s: float | None = None
    sla_pct: float | None = None
    no_show_pct: float | None = None
    estimate_median_error_s: float | None = None
    estimate_within_pct: float | None = None
    very_satisfied: int = 0
    satisfied: int = 0
    neutral: int = 0
    unsatisfied: int = 0
    rated: int = 0
    satisfied_pct: float | None = None


FIGURE_NAMES = tuple(f.name for f in fields(Figures) if f.name not in ("key", "label"))


@dataclass(frozen=True)
class Report:
    """The figures of ``sites`` from ``first`` to ``last`` (business days, inclusive)."""

    sites: tuple[str, ...]
    first: date
    last: date
    by: str
    rows: tuple[Figures, ...]
    total: Figures
    generated_at: datetime
    site_names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _SiteDays:
    id: str
    name: str
    today: date


def _pct(part: ColumnElement[Any], whole: ColumnElement[Any]) -> ColumnElement[Any]:
    return case((whole > 0, 100.0 * cast(part, Float) / whole))


class Reports:
    """Reads the figures out of one database; ``clock`` tells which days are closed.
    ``day_figures``: the cuts by site, day, month and weekday add up day figures (False:
    they read every visit, with exact percentiles, as the other cuts do)."""

    def __init__(
        self,
        db: Database,
        *,
        clock: Callable[[], datetime] = utc_now,
        day_figures: bool = True,
    ) -> None:
        self.db = db
        self.clock = clock
        self.day_figures = day_figures

    def site_ids(self) -> list[str]:
        with self.db.read() as session:
            return list(session.scalars(select(SiteRow.id).order_by(SiteRow.id)))

    def figures(
        self, site_ids: Sequence[str] | None, first: date, last: date, by: str = "field"
    ) -> Report:
        """The report of these sites (None: all) over ``first``..``last``, cut ``by``."""
        if by not in CUTS:
            raise ValueError(f"unknown cut {by!r}; one of {', '.join(CUTS)}")
        if last < first:
            raise ValueError("the period ends before it starts")
        now = self.clock()
        with self.db.read() as session:
            sites = self._sites(session, site_ids, now)
        closed = {s.id: (first, min(last, s.today - timedelta(days=1))) for s in sites}
        with self.db.read() as session:
            missing = unrolled_days(session, closed)
        if missing:
            try:
                with self.db.write() as session:
                    prepare(session)
                    written = roll_up(session, missing, now)
                if written >= ANALYZE_AFTER and self.db.engine.dialect.name == "postgresql":
                    # Fresh statistics, or the planner takes a big table for a small one
                    # (sorts on disk, no parallel scan) until autovacuum comes by.
                    with self.db.engine.connect() as connection:
                        connection.exec_driver_sql("ANALYZE report_visits")
                        connection.commit()
            except IntegrityError:
                pass  # another process rolled the same days up meanwhile
        live = [s.id for s in sites if first <= s.today <= last]
        today = {s.today for s in sites if s.id in live}
        every = site_ids is None
        ids = [s.id for s in sites]
        by_days = self.day_figures and by in DAY_CUTS
        if by_days:
            self._figure_days(ids, first, last, every=every)
        with self.db.read() as session:
            prepare(session)
            if by_days:
                lv = visits_select(live, today, closed=False).subquery("lv") if live else None
                days = day_rows(ids, first, last, lv, every=every)
                rows, total = self._day_rows(session, days, by)
            elif session.get_bind().dialect.name == "postgresql":
                source = self._source(ids, first, last, live, today, every=every)
                rows, total = self._rows_and_total(session, source, by)
            else:
                source = self._source(ids, first, last, live, today, every=every)
                rows, total = self._rows(session, source, by), self._total(session, source)
        return Report(
            sites=tuple(s.id for s in sites),
            first=first,
            last=last,
            by=by,
            rows=tuple(rows),
            total=total,
            generated_at=now,
            site_names={s.id: s.name for s in sites},
        )

    def _figure_days(self, ids: list[str], first: date, last: date, *, every: bool) -> None:
        """Write the day figures of the period's rolled-up days that have none yet."""
        with self.db.read() as session:
            missing = unfigured_days(session, ids, first, last, every=every)
        if not missing:
            return
        try:
            with self.db.write() as session:
                written = roll_up_days(session, missing)
            if written >= ANALYZE_DAYS_AFTER and self.db.engine.dialect.name == "postgresql":
                with self.db.engine.connect() as connection:
                    connection.exec_driver_sql("ANALYZE report_day_figures")
                    connection.commit()
        except IntegrityError:
            pass  # another process wrote the same days meanwhile

    def _day_rows(self, session: Session, d: Any, by: str) -> tuple[list[Figures], Figures]:
        """The rows of a cut keyed by the site-day, added up from day rows ``d``; the
        total is the rows added up (each site-day is under exactly one key)."""
        keys: dict[str, ColumnElement[Any]] = {
            "site": d.c.site_id,
            "day": d.c.business_day,
            "month": month_of(d.c.business_day),
            "weekday": weekday_of(d.c.business_day),
        }
        key = keys[by]
        # A day without visits has a row of zeros; it is no row of the report.
        query = (
            select(key.label("k0"), *added_up(d))
            .select_from(d)
            .group_by(key)
            .having(func.sum(d.c.issued) > 0)
            .order_by(key)
        )
        names = _Names(session)
        found = [dict(row) for row in session.execute(query).mappings()]
        rows = []
        for row in found:
            k = ("" if row["k0"] is None else str(row["k0"]),)
            rows.append(_figures(k, names.label(by, k), figures_of(row)))
        return rows, _figures((), TOTAL[0], figures_of(sum_rows(found)))

    def site_names(self, site_ids: Sequence[str]) -> dict[str, str]:
        with self.db.read() as session:
            rows = session.execute(
                select(SiteRow.id, SiteRow.name).where(SiteRow.id.in_(list(site_ids)))
            )
            return dict(rows.all())

    @staticmethod
    def _sites(session: Session, site_ids: Sequence[str] | None, now: datetime) -> list[_SiteDays]:
        query = select(SiteRow.id, SiteRow.name, SiteRow.time_zone).order_by(SiteRow.id)
        if site_ids is not None:
            query = query.where(SiteRow.id.in_(list(site_ids)))
        found = [_SiteDays(i, n, business_day(now, tz)) for i, n, tz in session.execute(query)]
        unknown = set(site_ids or ()) - {s.id for s in found}
        if unknown:
            raise LookupError(f"unknown site: {', '.join(sorted(unknown))}")
        return found

    @staticmethod
    def _source(
        site_ids: list[str],
        first: date,
        last: date,
        live: list[str],
        today: set[date],
        *,
        every: bool = False,
    ) -> Any:
        """The visits of the period: rolled up, and live for the sites' current day.
        ``every``: all the sites (no filter on them)."""
        v = ReportVisitRow.__table__
        rolled = select(*(v.c[name] for name in VISIT_COLUMNS)).where(
            v.c.business_day.between(first, last)
        )
        if not every:
            rolled = rolled.where(v.c.site_id.in_(site_ids))
        if not live:
            return rolled.subquery("v")
        return union_all(rolled, visits_select(live, today, closed=False)).subquery("v")

    @staticmethod
    def _measures(v: Any) -> list[ColumnElement[Any]]:
        j = judged(v)
        called = func.count(v.c.wait_s)
        no_show = count_if(v.c.outcome == Outcome.NO_SHOW.value)
        satisfied = count_if(j.satisfied)
        rated = func.count(v.c.rating)
        return [
            func.count().label("issued"),
            count_if(v.c.outcome == Outcome.SERVED.value).label("served"),
            no_show.label("no_show"),
            count_if(v.c.outcome == Outcome.CANCELLED.value).label("cancelled"),
            count_if(v.c.outcome == Outcome.EXPIRED.value).label("expired"),
            count_if(v.c.outcome == OPEN).label("in_progress"),
            count_if(v.c.legs > 1).label("transferred"),
            func.sum(v.c.parked).label("parked"),
            called.label("called"),
            func.avg(v.c.wait_s).label("wait_mean_s"),
            percentile(v.c.wait_s, 0.5).label("wait_median_s"),
            percentile(v.c.wait_s, 0.9).label("wait_p90_s"),
            func.max(v.c.wait_s).label("wait_max_s"),
            func.avg(v.c.service_s).label("service_mean_s"),
            percentile(v.c.service_s, 0.5).label("service_median_s"),
            _pct(count_if(j.met), count_if(j.promised)).label("sla_pct"),
            _pct(no_show, called).label("no_show_pct"),
            percentile(case((j.estimated, j.error)), 0.5).label("estimate_median_error_s"),
            _pct(count_if(j.within), func.count(case((j.estimated, 1)))).label(
                "estimate_within_pct"
            ),
            count_if(v.c.rating == Rating.VERY_SATISFIED.value).label("very_satisfied"),
            count_if(v.c.rating == Rating.SATISFIED.value).label("satisfied"),
            count_if(v.c.rating == Rating.NEUTRAL.value).label("neutral"),
            count_if(v.c.rating == Rating.UNSATISFIED.value).label("unsatisfied"),
            rated.label("rated"),
            _pct(satisfied, rated).label("satisfied_pct"),
        ]

    @staticmethod
    def _with_fields(query: Select[Any], v: Any) -> Select[Any]:
        """Join the visit's field (for the department cut)."""
        return query.join(
            ServiceRow, and_(ServiceRow.site_id == v.c.site_id, ServiceRow.code == v.c.service)
        )

    def _keys(self, v: Any, by: str) -> list[ColumnElement[Any]]:
        """The cut's key columns (``department``: of the visit's field, ``ServiceRow``)."""
        keys: dict[str, list[ColumnElement[Any]]] = {
            "site": [v.c.site_id],
            "department": [ServiceRow.__table__.c.department],
            "field": [v.c.service],
            "counter": [v.c.site_id, func.coalesce(v.c.counter_id, "")],
            "clerk": [func.coalesce(v.c.clerk, "")],
            "hour": [v.c.hour],
            "weekday": [v.c.weekday],
            "priority": [func.coalesce(v.c.priority, "")],
            "channel": [v.c.channel],
            "day": [v.c.business_day],
            "month": [month_of(v.c.business_day)],
            "heatmap": [v.c.weekday, v.c.hour],
        }
        return keys[by]

    def _rows(self, session: Session, v: Any, by: str) -> list[Figures]:
        keys = self._keys(v, by)
        labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
        query = select(*labelled, *self._measures(v)).select_from(v)
        if by == "department":
            query = self._with_fields(query, v)
        query = query.group_by(*keys).order_by(*keys)
        names = _Names(session)
        out = []
        for row in session.execute(query).mappings():
            key = tuple("" if row[f"k{i}"] is None else str(row[f"k{i}"]) for i in range(len(keys)))
            out.append(_figures(key, names.label(by, key), row))
        return out

    def _rows_and_total(self, session: Session, v: Any, by: str) -> tuple[list[Figures], Figures]:
        """PostgreSQL: the rows and the totals in one pass (``GROUPING SETS``), so the
        visits are read and sorted once."""
        keys = self._keys(v, by)
        labelled = [k.label(f"k{i}") for i, k in enumerate(keys)]
        is_total = func.grouping(*keys).label("is_total")
        query: Select[Any] = select(*labelled, is_total, *self._measures(v)).select_from(v)
        if by == "department":
            query = self._with_fields(query, v)
        query = query.group_by(func.grouping_sets(tuple_(*keys), tuple_())).order_by(*keys)
        names = _Names(session)
        rows, total = [], None
        for row in session.execute(query).mappings():
            if row["is_total"]:
                total = _figures((), TOTAL[0], row)
                continue
            key = tuple("" if row[f"k{i}"] is None else str(row[f"k{i}"]) for i in range(len(keys)))
            rows.append(_figures(key, names.label(by, key), row))
        assert total is not None  # the empty grouping set always gives one row
        return rows, total

    def _total(self, session: Session, v: Any) -> Figures:
        query = select(*self._measures(v)).select_from(v)
        row = session.execute(query).mappings().one()
        return _figures((), TOTAL[0], row)


def _figures(key: tuple[str, ...], label: str, row: Any) -> Figures:
    values: dict[str, Any] = {}
    for name in FIGURE_NAMES:
        value = row[name]
        kind = Figures.__dataclass_fields__[name].type
        if kind == "int" or kind is int:
            values[name] = int(value or 0)
        else:
            values[name] = None if value is None else round(float(value), 2)
    return Figures(key=key, label=label, **values)


WEEKDAYS_VI = tuple(vi for vi, _ in WEEKDAYS)


class _Names:
    """The names behind the keys (small tables, read once per report)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[str, dict[Any, str]] = {}

    def _load(self, what: str) -> dict[Any, str]:
        if what in self._cache:
            return self._cache[what]
        s = self.session
        names: dict[Any, str]
        if what == "site":
            names = dict(s.execute(select(SiteRow.id, SiteRow.name)).all())
        elif what == "field":
            names = {}
            for code, name in s.execute(select(ServiceRow.code, ServiceRow.name_vi)):
                names.setdefault(code, name)
        elif what == "department":
            names = {}
            for code, name in s.execute(select(DepartmentRow.code, DepartmentRow.name_vi)):
                names.setdefault(code, name)
        elif what == "counter":
            names = {
                (site, cid): f"Quầy {number}"
                for site, cid, number in s.execute(
                    select(CounterRow.site_id, CounterRow.id, CounterRow.number)
                )
            }
        elif what == "clerk":
            names = dict(s.execute(select(UserRow.username, UserRow.display_name)).all())
        else:
            names = {}
        self._cache[what] = names
        return names

    def label(self, by: str, key: tuple[str, ...]) -> str:
        if by in ("site", "field", "department", "clerk"):
            missing = "(chưa gọi)" if by == "clerk" else "(không rõ)"
            return self._load(by).get(key[0], key[0]) if key[0] else missing
        if by == "counter":
            name = self._load("counter").get((key[0], key[1]), key[1])
            many = len(self._load("site")) > 1
            return "(chưa gọi)" if not key[1] else f"{key[0]} · {name}" if many else name
        formats: dict[str, Callable[[tuple[str, ...]], str]] = {
            "hour": lambda k: f"{int(k[0]):02d}:00",
            "weekday": lambda k: WEEKDAYS_VI[int(k[0])],
            "priority": lambda k: k[0] or "Thường",
            "channel": lambda k: CHANNELS[k[0]][0] if k[0] in CHANNELS else k[0],
            "heatmap": lambda k: f"{WEEKDAYS_VI[int(k[0])]} {int(k[1]):02d}:00",
            "day": lambda k: date.fromisoformat(k[0]).strftime("%d/%m/%Y"),
            "month": lambda k: f"{k[0][5:7]}/{k[0][:4]}",
        }
        return formats.get(by, lambda k: k[0])(key)


__all__ = ["CUTS", "Figures", "Report", "Reports"]
