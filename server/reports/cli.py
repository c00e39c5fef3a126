"""``qms report``: the figures of a period from the command line, in any export format.

Only argparse at import time, as ``server/cli.py``.
"""

import argparse
import functools
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.reports.figures import Report
    from server.storage.db import Database

FORMATS = ("table", "csv", "xlsx", "json", "pdf")


def register(
    sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
    storage_options: Callable[[argparse.ArgumentParser], None],
    handler: Callable[[Callable[[argparse.Namespace], int]], Callable[[argparse.Namespace], int]],
    database: "Callable[[argparse.Namespace], Database]",
) -> None:
    """Add ``qms report``; ``handler`` wraps the command as the other commands are, and
    ``database`` opens the (migrated) database the storage options name."""
    report = sub.add_parser(
        "report",
        help="figures of a period: waits, service, SLA, no-shows, satisfaction",
        description="Figures of a period (business days, inclusive), cut one or more ways. "
        "Definitions: docs/reports.md.",
    )
    where = report.add_mutually_exclusive_group(required=True)
    where.add_argument("--site", action="append", help="a site id (repeat for several)")
    where.add_argument("--all", action="store_true", help="every site")
    report.add_argument("--from", dest="first", type=date.fromisoformat, help="YYYY-MM-DD")
    report.add_argument("--to", dest="last", type=date.fromisoformat, help="YYYY-MM-DD")
    report.add_argument(
        "--by",
        default="field",
        help="a cut or a comma-separated list: site, department, field, counter, clerk, "
        "hour, weekday, priority, channel, day, month, heatmap (default field)",
    )
    report.add_argument("--format", choices=FORMATS, default="table")
    report.add_argument("--out", type=Path, help="write to this file (xlsx and pdf need it)")
    storage_options(report)
    report.set_defaults(func=handler(functools.partial(run_report, database=database)))


def run_report(
    args: argparse.Namespace, *, database: "Callable[[argparse.Namespace], Database]"
) -> int:
    from server.reports.figures import CUTS, Reports

    reports = Reports(database(args))
    sites = None if args.all else list(args.site)
    if args.first is None or args.last is None:
        raise ValueError("--from and --to are needed (YYYY-MM-DD)")
    cuts = [c.strip() for c in args.by.split(",") if c.strip()]
    for cut in cuts:
        if cut not in CUTS:
            raise ValueError(f"unknown cut {cut!r}; one of {', '.join(CUTS)}")
    try:
        results = [reports.figures(sites, args.first, args.last, cut) for cut in cuts]
    except LookupError as exc:
        raise ValueError(str(exc).strip("'\"")) from exc
    if args.format == "pdf":
        from server.reports.pages import monthly_pdf

        data = monthly_pdf(reports, sites, args.first, args.last)
    else:
        data = _encode(results, args.format)
    reports.db.dispose()
    if args.out is not None:
        args.out.write_bytes(data)
        print(f"written to {args.out}", file=sys.stderr)
    elif args.format in ("xlsx", "pdf"):
        raise ValueError(f"{args.format} is a binary file: give --out FILE")
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    return 0


def _encode(results: "list[Report]", fmt: str) -> bytes:
    from server.reports import export

    if fmt == "table":
        return export.to_table(results).encode()
    if fmt == "json":
        return (export.to_json(results) + "\n").encode()
    if fmt == "csv":
        if len(results) != 1:
            raise ValueError("a CSV holds one cut: give --by one cut (or use xlsx)")
        return export.to_csv(results[0])
    return export.to_xlsx(results)
