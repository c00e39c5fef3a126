"""How long the reports take on a city's year of history, on PostgreSQL.

    python -m bench.reports --root /work/tmp-i/reports

Uses (and the first time writes) the history of ``bench.report_history``. The clock is
set to the afternoon of the year's last working day, so that day is read live from the
tickets and every earlier day from the roll-up. The first report that reaches the closed
days rolls them up (timed once); then each report runs ``--runs`` times, the whole call
of ``Reports.figures`` as the API and the CLI make it. Results in docs/performance.md.
"""

import argparse
import json
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bench.report_history import KeptPostgres, generate, working_days
from server.reports.figures import Reports
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
                session.execute(text("DELETE FROM report_visits"))
                session.execute(text("DELETE FROM report_days"))
        with db.read() as session:
            tickets = session.execute(text("SELECT count(*) FROM tickets")).scalar_one()
            rolled = session.execute(text("SELECT count(*) FROM report_days")).scalar_one()
        reports = Reports(db, clock=lambda: afternoon.astimezone(UTC))
        first_of_year = date(args.year, 1, 1)
        results: dict[str, object] = {"tickets": tickets, "history": history}
        began = time.perf_counter()
        reports.figures(None, first_of_year, today, "month")
        results["first_year_report_s" if rolled else "rollup_and_first_year_report_s"] = round(
            time.perf_counter() - began, 1
        )
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
            "city_month_by_site (335 sites, November)": lambda: reports.figures(
                None, *november, "site"
            ),
            "year_by_month (335 sites)": lambda: reports.figures(
                None, first_of_year, today, "month"
            ),
        }
        for name, call in cases.items():
            results[name] = timed(call, args.runs)
        print(json.dumps(results, indent=2, ensure_ascii=False))
        db.dispose()
    finally:
        server.stop()


if __name__ == "__main__":
    main()
