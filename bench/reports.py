"""How long the reports take on a city's year of history, on PostgreSQL.

    python -m bench.reports --root /work/tmp-i/reports

Uses (and the first time writes) the history of ``bench.report_history``. The clock is
set to the afternoon of the year's last working day, so that day is read live from the
tickets and every earlier day from the roll-up. The first report that reaches the closed
days rolls their visits up, the first cut by month their day figures (each timed once);
then each report runs ``--runs`` times, the whole call of ``Reports.figures`` as the API
and the CLI make it. The cuts keyed by the site-day run twice: reading every visit
(``day_figures=False``, "visits") and adding up the day figures ("days"), so one run
gives the before and the after. Results in docs/performance.md.
"""

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.report_history import KeptPostgres, generate, working_days
from server.reports.figures import FIGURE_NAMES, Report, Reports
from server.storage.db import Database

MAIN = "hcm-main"
WARD = "ward-001"


def timed(call: Callable[[], object], runs: int) -> dict[str, float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        call()
        times.append((time.perf_counter() - began) * 1000)
    return {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}


PERCENTILES = ("wait_median_s", "wait_p90_s", "service_median_s", "estimate_median_error_s")


def compared(visits: Report, days: Report) -> dict[str, object]:
    """How far the day figures' percentiles are from the visits' (seconds, and the
    share of the value), and how many other figures differ (none should)."""
    pairs = [*zip(visits.rows, days.rows, strict=True), (visits.total, days.total)]
    out: dict[str, object] = {}
    for name in PERCENTILES:
        gaps = [
            (abs(getattr(d, name) - getattr(v, name)), abs(getattr(v, name)))
            for v, d in pairs
            if getattr(v, name) is not None
        ]
        worst = max(gaps)
        out[name] = {"max_gap_s": round(worst[0], 1), "of_value_s": round(worst[1], 1)}
    others = [f for f in FIGURE_NAMES if f not in PERCENTILES]
    out["other_figures_differing"] = sum(
        getattr(v, f) != getattr(d, f) for v, d in pairs for f in others
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/work/tmp-i/reports"))
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--fresh-rollup", action="store_true", help="empty the roll-up first, to time it again"
    )
    args = parser.parse_args()
    server = KeptPostgres(args.root)
    url = server.start()
    try:
        history = generate(url, args.year)
        days = working_days(args.year)
        today, yesterday = days[-1], days[-2]
        afternoon = datetime(
            today.year, today.month, today.day, 16, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")
        )
        db = Database(url)
        if args.fresh_rollup:
            with db.write() as session:
                session.execute(text("DELETE FROM report_day_figures"))
                session.execute(text("DELETE FROM report_visits"))
                session.execute(text("DELETE FROM report_days"))
        with db.read() as session:
            tickets = session.execute(text("SELECT count(*) FROM tickets")).scalar_one()
            rolled = session.execute(text("SELECT count(*) FROM report_days")).scalar_one()
            figured = session.execute(text("SELECT count(*) FROM report_day_figures")).scalar_one()
        clock = partial(afternoon.astimezone, UTC)
        reports = Reports(db, clock=clock, day_figures=False)
        days_reports = Reports(db, clock=clock)
        first_of_year = date(args.year, 1, 1)
        results: dict[str, object] = {"tickets": tickets, "history": history}
        began = time.perf_counter()
        reports.figures(None, first_of_year, today, "month")
        results["first_year_report_s" if rolled else "rollup_and_first_year_report_s"] = round(
            time.perf_counter() - began, 1
        )
        began = time.perf_counter()
        days_reports.figures(None, first_of_year, today, "month")
        name = "first_year_report_days_s" if figured else "day_figures_and_first_year_report_s"
        results[name] = round(time.perf_counter() - began, 1)
        month = (today.replace(day=1), today)
        november = (date(args.year, 11, 1), date(args.year, 11, 30))
        cases: dict[str, Callable[[], object]] = {
            "site_day_live (main centre, today, by field)": lambda: reports.figures(
                [MAIN], today, today, "field"
            ),
            "site_day_closed (main centre, yesterday, by field)": lambda: reports.figures(
                [MAIN], yesterday, yesterday, "field"
            ),
            "ward_day_live (a ward point, today, by field)": lambda: reports.figures(
                [WARD], today, today, "field"
            ),
            "site_month_by_field (main centre, November)": lambda: reports.figures(
                [MAIN], *november, "field"
            ),
            "site_month_by_field_with_today (main centre, December)": lambda: reports.figures(
                [MAIN], *month, "field"
            ),
        }
        for way, source in (("visits", reports), ("days", days_reports)):
            cases |= {
                f"city_month_by_site (335 sites, November), {way}": partial(
                    source.figures, None, *november, "site"
                ),
                f"year_by_month (335 sites), {way}": partial(
                    source.figures, None, first_of_year, today, "month"
                ),
                f"year_by_site (335 sites), {way}": partial(
                    source.figures, None, first_of_year, today, "site"
                ),
                f"site_year_by_day (main centre), {way}": partial(
                    source.figures, [MAIN], first_of_year, today, "day"
                ),
            }
        for name, call in cases.items():
            results[name] = timed(call, args.runs)
        for by in ("month", "site"):
            period = (first_of_year, today)
            results[f"days_against_visits (year by {by})"] = compared(
                reports.figures(None, *period, by), days_reports.figures(None, *period, by)
            )
        print(json.dumps(results, indent=2, ensure_ascii=False))
        db.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
