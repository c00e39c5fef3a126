"""The figures of a period, cut one way: one aggregate statement per cut.

``Reports.figures`` makes sure the closed days of the period are rolled up
(``visits.roll_up``), then runs one statement over those visits and the live visits of
the sites' current day, grouped by the cut, and one more for the totals.
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
from server.reports.sql import month_of, percentile, prepare
from server.reports.texts import TOTAL, WEEKDAYS
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

# An estimate is "accurate" within this share of itself, and never tighter than a minute.
ESTIMATE_TOLERANCE = 0.25
ESTIMATE_FLOOR_S = 60
# A roll-up that wrote this many visits refreshes the table's statistics at once.
ANALYZE_AFTER = 50_000
CUTS = (
    "site",
    "department",
    "field",
    "counter",
    "clerk",
    "hour",
    "weekday",
    "priority",
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


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    """``count(*) FILTER (WHERE ...)``: cheaper per row than a sum of CASEs (both
    PostgreSQL and SQLite have it)."""
    return func.count().filter(condition)


class Reports:
    """Reads the figures out of one database; ``clock`` tells which days are closed."""

    def __init__(self, db: Database, *, clock: Callable[[], datetime] = utc_now) -> None:
        self.db = db
        self.clock = clock

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
        with self.db.read() as session:
            prepare(session)
            every = site_ids is None
            source = self._source([s.id for s in sites], first, last, live, today, every=every)
            if session.get_bind().dialect.name == "postgresql":
                rows, total = self._rows_and_total(session, source, by)
            else:
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
        called = func.count(v.c.wait_s)
        no_show = _count_if(v.c.outcome == Outcome.NO_SHOW.value)
        satisfied = _count_if(v.c.rating.in_([Rating.VERY_SATISFIED.value, Rating.SATISFIED.value]))
        rated = func.count(v.c.rating)
        return [
            func.count().label("issued"),
            _count_if(v.c.outcome == Outcome.SERVED.value).label("served"),
            no_show.label("no_show"),
            _count_if(v.c.outcome == Outcome.CANCELLED.value).label("cancelled"),
            _count_if(v.c.outcome == Outcome.EXPIRED.value).label("expired"),
            _count_if(v.c.outcome == OPEN).label("in_progress"),
            _count_if(v.c.legs > 1).label("transferred"),
            func.sum(v.c.parked).label("parked"),
            called.label("called"),
            func.avg(v.c.wait_s).label("wait_mean_s"),
            percentile(v.c.wait_s, 0.5).label("wait_median_s"),
            percentile(v.c.wait_s, 0.9).label("wait_p90_s"),
            func.max(v.c.wait_s).label("wait_max_s"),
            func.avg(v.c.service_s).label("service_mean_s"),
            percentile(v.c.service_s, 0.5).label("service_median_s"),
            _pct(_count_if(and_(promised, v.c.wait_s <= target)), _count_if(promised)).label(
                "sla_pct"
            ),
            _pct(no_show, called).label("no_show_pct"),
            percentile(case((estimated, error)), 0.5).label("estimate_median_error_s"),
            _pct(
                _count_if(and_(estimated, func.abs(error) <= tolerance)),
                func.count(case((estimated, 1))),
            ).label("estimate_within_pct"),
            _count_if(v.c.rating == Rating.VERY_SATISFIED.value).label("very_satisfied"),
            _count_if(v.c.rating == Rating.SATISFIED.value).label("satisfied"),
            _count_if(v.c.rating == Rating.NEUTRAL.value).label("neutral"),
            _count_if(v.c.rating == Rating.UNSATISFIED.value).label("unsatisfied"),
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
            "heatmap": lambda k: f"{WEEKDAYS_VI[int(k[0])]} {int(k[1]):02d}:00",
            "day": lambda k: date.fromisoformat(k[0]).strftime("%d/%m/%Y"),
            "month": lambda k: f"{k[0][5:7]}/{k[0][:4]}",
        }
        return formats.get(by, lambda k: k[0])(key)


__all__ = ["CUTS", "Figures", "Report", "Reports"]
