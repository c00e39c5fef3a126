"""The options of ``qms simulate`` (argparse only: ``qms`` builds its parser at start)."""

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", required=True, help="a site id of the demo (e.g. hcm-main)")
    parser.add_argument("--day", type=Path, help="day file (default: the site's shipped one)")
    parser.add_argument(
        "--counters", default="all", help='staffed counters by number, e.g. "1-20,25" (all)'
    )
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--days", type=int, default=1, help="how many weekdays (default 1)")
    parser.add_argument(
        "--estimators",
        default="",
        help="comma-separated estimator names (default: all; see docs/estimates.md)",
    )
    parser.add_argument(
        "--db",
        help="also write the first day's tickets to this database; with --staffing: "
        "store the plan and its figures there for the console's reports page",
    )
    parser.add_argument("--json", type=Path, help="write the figures and errors here")
    parser.add_argument("--plot", type=Path, help="draw waits and errors by hour (PNG)")
    parser.add_argument(
        "--staffing",
        action="store_true",
        help="search the fewest clerks per session that keep the SLA (use with --area)",
    )
    parser.add_argument(
        "--hourly",
        action="store_true",
        help="with --staffing: search the fewest clerks per hour, not per session",
    )
    parser.add_argument("--area", help="search or simulate one area of the site alone")
    parser.add_argument(
        "--sla-share",
        type=float,
        default=0.8,
        help="share of tickets that must wait no longer than the SLA (default 0.8)",
    )
