"""``qms simulate``: simulated days of a site, the estimators' errors, staffing figures."""

import argparse
import json
import random
import statistics
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from server.engine.estimators import ESTIMATORS
from server.seed.demo import demo_sites
from server.seed.types import SiteSeed
from server.simulation.chart import Panel, draw
from server.simulation.day import Day, default_day_file, load_day
from server.simulation.hall import Hall, staffed_counters
from server.simulation.run import compare, day_figures, sim_dates, simulate
from server.simulation.staffing import (
    area_site,
    describe,
    least_staff,
    session_names,
    slot_names,
)


def find_site(site_id: str) -> SiteSeed:
    for seed in demo_sites():
        if seed.site.id == site_id:
            return seed
    known = ", ".join(s.site.id for s in demo_sites())
    raise ValueError(f"unknown site {site_id!r} (known: {known})")


def _mean_by_hour(days: Sequence[dict[str, object]]) -> dict[int, float]:
    by_hour: dict[int, list[float]] = defaultdict(list)
    for figures in days:
        hours = figures["mean_wait_by_hour_s"]
        assert isinstance(hours, dict)
        for hour, value in hours.items():
            by_hour[int(hour)].append(float(value))
    return {h: statistics.fmean(v) / 60 for h, v in sorted(by_hour.items())}


def run(args: argparse.Namespace) -> int:
    seed = find_site(args.site)
    day_file = args.day or default_day_file(args.site)
    day: Day = load_day(day_file)
    names = [n.strip() for n in args.estimators.split(",") if n.strip()] or list(ESTIMATORS)
    unknown = [n for n in names if n not in ESTIMATORS]
    if unknown:
        raise ValueError(f"unknown estimator(s) {', '.join(unknown)}")
    if args.area:
        if args.db and not args.staffing:
            raise ValueError("--db writes a whole site's day; leave out --area")
        seed = area_site(seed, args.area)
    if args.staffing:
        return run_staffing(args, seed, day, day_file)
    staffed = staffed_counters(args.counters, seed.counters)
    estimators = {n: ESTIMATORS[n] for n in names}
    halls: list[Hall] = []
    days: list[dict[str, object]] = []
    for hall in simulate(
        seed, day, rng_seed=args.seed, days=args.days, staffed=staffed, estimators=estimators
    ):
        figures = day_figures(hall)
        days.append(figures)
        print(
            f"{figures['date']}: {figures['issued']} tickets, mean wait "
            f"{float(str(figures['mean_wait_s'])) / 60:.1f} min, within "
            f"{day.sla_s / 60:.0f} min {float(str(figures['within_sla'])):.0%}, "
            f"counters busy {float(str(figures['utilisation'])):.0%}"
        )
        if args.db and not halls:
            from server.simulation.storage import write_day

            written = write_day(args.db, hall)
            print(f"  wrote {written} tickets to the database")
        halls.append(hall)
    errors = compare(halls, names)
    print(f"\nEstimators over {len(halls)} day(s):")
    print(
        f"{'estimator':24} {'median |err|':>13} {'median rel':>11} {'within 25%':>11} {'bias':>8}"
    )
    for name in names:
        e = errors[name]
        assert isinstance(e, dict)
        print(
            f"{name:24} {e['median_abs_error_s'] / 60:>10.1f} min"
            f" {e['median_relative_error']:>11.0%} {e['within_25pct']:>11.0%}"
            f" {e['bias_s'] / 60:>+6.1f} m"
        )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps({"site": args.site, "days": days, "estimators": errors}, indent=1),
            encoding="utf-8",
        )
    if args.plot:
        plot(args.plot, args.site, days, errors, names, day.sla_s)
    return 0


def run_staffing(args: argparse.Namespace, seed: SiteSeed, day: Day, day_file: Path) -> int:
    plan = least_staff(
        seed, day, share=args.sla_share, days=args.days, rng_seed=args.seed, hourly=args.hourly
    )
    if args.hourly:
        first = sim_dates(day.first_date, 1)[0]
        names = slot_names(Hall(seed, day, first, random.Random(0), hourly=True))
    else:
        names = session_names(seed)
    described = describe(seed, plan, names)
    total = len(seed.counters)
    per = "hour" if args.hourly else "session"
    print(
        f"Fewest clerks per {per} keeping {args.sla_share:.0%} of waits within "
        f"{day.sla_s / 60:.0f} min:"
    )
    for name in names:
        session = described[name]
        assert isinstance(session, dict)
        print(
            f"  {name}: {len(session['counters'])} of {total} counters "
            f"({session['within_sla']:.0%} within), counters {session['counters']}"
        )
        print(f"    by first field: {session['by_first_field']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(
                {"site": args.site, "area": args.area, "per": per, "staffing": described},
                indent=1,
            ),
            encoding="utf-8",
        )
    if args.db:
        from server.simulation.plans import Run, plan_figures, save_plan

        how = Run(
            day_file=day_file.name,
            rng_seed=args.seed,
            days=args.days,
            share=args.sla_share,
            hourly=args.hourly,
            area=args.area,
        )
        figures = plan_figures(seed, day, plan, names, how)
        plan_id = save_plan(args.db, seed, day, figures, how)
        print(f"  stored as staffing plan {plan_id}; the console's reports page shows it")
    return 0


def plot(  # noqa: PLR0917 - the figures one run produced, in the order it made them
    path: Path,
    site: str,
    days: Sequence[dict[str, object]],
    errors: dict[str, object],
    names: Sequence[str],
    sla_s: float,
) -> None:
    error_series: dict[str, dict[int, float]] = {}
    for name in names:
        by_hour = errors[name]
        assert isinstance(by_hour, dict)
        error_series[name] = {
            int(h): e["median_abs_error_s"] / 60 for h, e in by_hour["by_hour"].items()
        }
    busy = statistics.fmean(float(str(d["utilisation"])) for d in days) if days else 0.0
    draw(
        path,
        f"{site}: {len(days)} simulated day(s), counters busy {busy:.0%} of their open time",
        [
            Panel(
                "Thời gian chờ trung bình theo giờ lấy số / Mean wait by hour of issue",
                "min",
                {"mean wait": _mean_by_hour(days)},
                (f"SLA {sla_s / 60:.0f} min", sla_s / 60),
            ),
            Panel(
                "Sai số tuyệt đối trung vị / Median absolute error of the estimate",
                "min",
                error_series,
            ),
        ],
    )
