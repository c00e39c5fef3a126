"""Every figure of a known day's report against the values counted by hand
(``known_day.py``), on SQLite and PostgreSQL, live on the day and rolled up after."""

import statistics
from datetime import timedelta

import pytest
from sqlalchemy import select

from server.reports.figures import Figures, Reports
from server.storage.models import ReportDayRow, TicketRow
from tests.server.backends import SITE
from tests.server.reports.known_day import DAY, MIN, play_known_day, set_wait_targets


def by_key(rows: tuple[Figures, ...]) -> dict[tuple[str, ...], Figures]:
    return {r.key: r for r in rows}


def check_total(total: Figures, *, closed: bool) -> None:
    assert total.issued == 6
    assert (total.served, total.no_show, total.cancelled) == (4, 1, 0)
    assert (total.transferred, total.parked, total.called) == (1, 1, 5)
    assert (total.expired, total.in_progress) == ((1, 0) if closed else (0, 1))
    # Waits 10, 40, 10 + 11, 21, 45 minutes: the transferred visit counts once, 21.
    assert total.wait_mean_s == 137 * MIN / 5
    assert total.wait_median_s == 21 * MIN
    assert total.wait_p90_s == 43 * MIN  # 40 + 0.6 x (45 - 40)
    assert total.wait_max_s == 45 * MIN
    # Served: 10, 10 (the last leg), 4, 20 minutes (a park does not restart the clock).
    assert total.service_mean_s == 11 * MIN
    assert total.service_median_s == 10 * MIN
    # Within target: 1001 (10 <= 20) and C001 (21 <= 30): 2 of 5 called.
    assert total.sla_pct == 40.0
    assert total.no_show_pct == 20.0
    assert (total.very_satisfied, total.satisfied, total.neutral, total.unsatisfied) == (
        1,
        1,
        1,
        1,
    )
    assert (total.rated, total.satisfied_pct) == (4, 50.0)


def check_estimates(world, total: Figures) -> None:
    """The printed estimates (kept on the tickets) against the first leg's wait."""
    waits = {"1001": 10, "1002": 40, "C001": 10, "1003": 21, "C002": 45}
    with world.db.read() as s:
        rows = s.execute(
            select(TicketRow.number, TicketRow.estimate_s).where(
                TicketRow.transferred_from.is_(None)
            )
        ).all()
    errors = sorted(waits[n] * MIN - e for n, e in rows if n in waits and e is not None)
    within = [
        abs(err) <= max(0.25 * e, 60)
        for n, e in rows
        if n in waits and e is not None
        for err in [waits[n] * MIN - e]
    ]
    assert errors, "the kiosk printed no estimates"
    assert total.estimate_median_error_s == pytest.approx(statistics.median(errors), abs=0.01)
    share = 100 * sum(within) / len(within)
    assert total.estimate_within_pct == pytest.approx(share, abs=0.01)


def check_cuts(reports: Reports, *, closed: bool) -> None:
    field = by_key(reports.figures([SITE], DAY, DAY, "field").rows)
    assert set(field) == {("ct",), ("ht",)}
    ht, ct = field[("ht",)], field[("ct",)]
    assert (ht.issued, ht.served, ht.no_show, ht.called) == (4, 2, 1, 3)
    assert (ct.issued, ct.served, ct.transferred, ct.parked) == (2, 2, 1, 1)
    assert ht.label == "Hộ tịch" and ct.label == "Chứng thực"
    assert ct.wait_mean_s == (21 + 45) * MIN / 2
    assert (ht.sla_pct, ct.sla_pct) == (33.33, 50.0)
    assert ht.expired == (1 if closed else 0)

    counter = by_key(reports.figures([SITE], DAY, DAY, "counter").rows)
    issued = {k[1]: r.issued for k, r in counter.items()}
    assert issued == {"": 1, "1": 2, "2": 2, "3": 1}
    assert counter[(SITE, "1")].label == "Quầy 1"
    assert counter[(SITE, "1")].served == 2 and counter[(SITE, "2")].no_show == 1

    clerk = by_key(reports.figures([SITE], DAY, DAY, "clerk").rows)
    assert {k[0]: r.served for k, r in clerk.items()} == {"": 0, "c1": 2, "c2": 1, "c3": 1}
    assert clerk[("c1",)].label == "Cán bộ 1"
    assert (clerk[("c1",)].satisfied, clerk[("c1",)].neutral) == (1, 1)
    assert clerk[("c2",)].satisfied_pct == 100.0 and clerk[("c3",)].satisfied_pct == 0.0

    hour = by_key(reports.figures([SITE], DAY, DAY, "hour").rows)
    assert {k: r.issued for k, r in hour.items()} == {("9",): 5, ("10",): 1}
    assert hour[("9",)].label == "09:00"
    priority = by_key(reports.figures([SITE], DAY, DAY, "priority").rows)
    assert {k: r.issued for k, r in priority.items()} == {("",): 5, ("elderly",): 1}
    weekday = reports.figures([SITE], DAY, DAY, "weekday").rows
    assert [(r.key, r.label, r.issued) for r in weekday] == [(("0",), "Thứ Hai", 6)]
    heat = reports.figures([SITE], DAY, DAY, "heatmap").rows
    assert [(r.key, r.issued) for r in heat] == [(("0", "9"), 5), (("0", "10"), 1)]
    department = reports.figures([SITE], DAY, DAY, "department").rows
    assert [(r.key, r.issued) for r in department] == [(("tp",), 6)]
    day = reports.figures([SITE], DAY, DAY + timedelta(days=3), "day").rows
    assert [(r.key, r.issued) for r in day] == [(("2026-03-02",), 6)]
    month = reports.figures(None, DAY, DAY, "month").rows
    assert [(r.key, r.issued) for r in month] == [(("2026-03",), 6)]


def test_a_known_day_live_and_after_it_closed(world) -> None:
    play_known_day(world)
    reports = Reports(world.db, clock=world.clock)
    live = reports.figures([SITE], DAY, DAY, "field")
    check_total(live.total, closed=False)
    check_estimates(world, live.total)
    check_cuts(reports, closed=False)
    with world.db.read() as s:
        assert s.scalars(select(ReportDayRow.site_id)).all() == []  # the day is still open

    world.clock.advance(24 * 3600)  # the next day: the known day is closed
    closed = reports.figures([SITE], DAY, DAY, "field")
    check_total(closed.total, closed=True)
    with world.db.read() as s:
        rolled = s.execute(
            select(ReportDayRow.site_id, ReportDayRow.business_day, ReportDayRow.visits)
        ).all()
    assert [tuple(r) for r in rolled] == [(SITE, DAY, 6)]
    check_cuts(reports, closed=True)
    check_estimates(world, closed.total)


def test_the_wait_target_is_the_field_s_and_a_field_without_one_is_left_out(world) -> None:
    play_known_day(world)
    reports = Reports(world.db, clock=world.clock)
    set_wait_targets(world, {"ct": 15 * MIN})  # C001's 21 minutes are now over it
    assert reports.figures([SITE], DAY, DAY).total.sla_pct == 20.0
    set_wait_targets(world, {"ht": None})  # no promise: ht's three waits are left out
    field = by_key(reports.figures([SITE], DAY, DAY, "field").rows)
    assert field[("ht",)].sla_pct is None and field[("ct",)].sla_pct == 0.0
    assert reports.figures([SITE], DAY, DAY).total.sla_pct == 0.0
    # A closed day keeps the targets it was rolled up with.
    world.clock.advance(24 * 3600)
    assert reports.figures([SITE], DAY, DAY).total.sla_pct == 0.0
    set_wait_targets(world, {"ht": 20 * MIN, "ct": 30 * MIN})
    assert reports.figures([SITE], DAY, DAY).total.sla_pct == 0.0


def test_unknown_site_and_cut_are_refused(world) -> None:
    reports = Reports(world.db, clock=world.clock)
    with pytest.raises(LookupError):
        reports.figures(["nowhere"], DAY, DAY)
    with pytest.raises(ValueError):
        reports.figures([SITE], DAY, DAY, "colour")
