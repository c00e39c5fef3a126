"""The report as an HTML page (the console) and the monthly report as a PDF.

One Jinja2 template renders both: on screen with its form and download links, in print
without them. Charts are drawn by Chart.js, vendored in ``static/`` (no CDN). WeasyPrint
runs no JavaScript, so the PDF is printed by headless Chromium from the same HTML, with
the script inlined (docs/dependencies.md).
"""

import json
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.engine.lifecycle import DEFAULT_TIME_ZONE
from server.engine.numbering import local_time
from server.reports.export import value
from server.reports.figures import Figures, Report, Reports
from server.reports.texts import BRIEF, COLUMNS, CUT_NAMES, PAGE, TOTAL, WEEKDAYS

HERE = Path(__file__).parent
STATIC = HERE / "static"
CHART_JS = STATIC / "chart.umd.min.js"
PDF_TIMEOUT_S = 120
# The cuts of a centre's monthly report, after its summary.
MONTHLY_CUTS = ("field", "counter", "clerk", "hour")


def number(x: float | None, decimals: int = 1) -> str:
    """Vietnamese style: a dot between thousands, a comma before decimals."""
    if x is None:
        return "–"
    if isinstance(x, int) or decimals == 0:
        return f"{round(x):,}".replace(",", ".")
    text = f"{x:,.{decimals}f}"
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


@dataclass(frozen=True)
class Cell:
    text: str
    raw: float | int | None


@dataclass(frozen=True)
class Section:
    by: str
    title: str
    headers: list[str]
    rows: list[tuple[str, list[Cell]]]
    total: list[Cell]


@dataclass(frozen=True)
class Heat:
    hours: list[int]
    arrivals: list[tuple[str, list[tuple[str, float]]]]  # weekday -> (text, 0..1 shade)
    waits: list[tuple[str, list[tuple[str, float]]]]


@dataclass
class Form:
    sites: list[tuple[str, str]]  # (id, name); "" = all
    site: str
    first: str
    last: str
    by: str
    cuts: list[tuple[str, str]]
    links: dict[str, str] = field(default_factory=dict)


def _cells(f: Figures, names: Sequence[str]) -> list[Cell]:
    out = []
    for name in names:
        kind = next(c.kind for c in COLUMNS if c.name == name)
        raw = value(f, name)
        out.append(Cell(number(raw, 0 if kind == "count" else 1), raw))
    return out


def section(report: Report, names: Sequence[str] = BRIEF) -> Section:
    headers = [next(c.vi for c in COLUMNS if c.name == n) for n in names]
    rows = [(r.label, _cells(r, names)) for r in report.rows]
    return Section(report.by, CUT_NAMES[report.by][0], headers, rows, _cells(report.total, names))


def heat(report: Report) -> Heat | None:
    """The weekday x hour tables from a ``heatmap`` report."""
    if not report.rows:
        return None
    cells = {(int(r.key[0]), int(r.key[1])): r for r in report.rows}
    hours = sorted({h for _, h in cells})
    days = sorted({d for d, _ in cells})
    most = max(r.issued for r in report.rows) or 1
    longest = max((r.wait_mean_s or 0) for r in report.rows) or 1

    def table(pick: Any, top: float, fmt: Any) -> list[tuple[str, list[tuple[str, float]]]]:
        lines = []
        for d in days:
            line = []
            for h in hours:
                r = cells.get((d, h))
                x = pick(r) if r is not None else None
                line.append((fmt(x) if x is not None else "", (x or 0) / top))
            lines.append((WEEKDAYS[d][0], line))
        return lines

    return Heat(
        hours,
        table(lambda r: r.issued, most, lambda x: number(x, 0)),
        table(lambda r: r.wait_mean_s, longest, lambda x: number(x / 60, 0)),
    )


def chart_data(report: Report) -> dict[str, Any]:
    """What the page's script draws: waits and outcomes per row, the satisfaction mix."""
    rows = report.rows
    total = report.total
    return {
        "labels": [r.label for r in rows],
        "waitMean": [value(r, "wait_mean_s") for r in rows],
        "waitMedian": [value(r, "wait_median_s") for r in rows],
        "waitP90": [value(r, "wait_p90_s") for r in rows],
        "served": [r.served for r in rows],
        "noShow": [r.no_show for r in rows],
        "cancelled": [r.cancelled for r in rows],
        "expired": [r.expired + r.in_progress for r in rows],
        "satisfaction": [total.very_satisfied, total.satisfied, total.neutral, total.unsatisfied],
        "names": {
            "waitMean": next(c.vi for c in COLUMNS if c.name == "wait_mean_s"),
            "waitMedian": next(c.vi for c in COLUMNS if c.name == "wait_median_s"),
            "waitP90": next(c.vi for c in COLUMNS if c.name == "wait_p90_s"),
            "served": "Đã phục vụ",
            "noShow": "Vắng mặt",
            "cancelled": "Đã hủy",
            "expired": "Chưa phục vụ",
            "satisfaction": ["Rất hài lòng", "Hài lòng", "Bình thường", "Chưa hài lòng"],
        },
    }


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["number"] = number
    return env


def _summary(total: Figures) -> list[tuple[str, str, str]]:
    def pct(x: float | None) -> str:
        return "–" if x is None else f"{number(x, 1)} %"

    def minutes(x: float | None) -> str:
        return "–" if x is None else f"{number(x / 60, 1)} phút"

    return [
        ("Số phát", "Issued", number(total.issued, 0)),
        ("Đã phục vụ", "Served", number(total.served, 0)),
        ("Vắng mặt", "No-show", f"{number(total.no_show, 0)} ({pct(total.no_show_pct)})"),
        ("Chờ trung bình", "Mean wait", minutes(total.wait_mean_s)),
        ("Chờ P90", "90th percentile wait", minutes(total.wait_p90_s)),
        ("Đạt chỉ tiêu chờ", "Within wait target", pct(total.sla_pct)),
        ("Hài lòng", "Satisfied", pct(total.satisfied_pct)),
        ("Dự kiến đúng ±25%", "Estimates within 25%", pct(total.estimate_within_pct)),
    ]


def _sites_label(report: Report, all_sites: bool) -> str:
    if all_sites:
        return f"{PAGE['all_sites'][0]} ({len(report.sites)})"
    return ", ".join(report.site_names.get(s, s) for s in report.sites)


def render(
    main: Report,
    *,
    extra: Sequence[Report] = (),
    heatmap: Report | None = None,
    form: Form | None = None,
    all_sites: bool = False,
    printable: bool = False,
    title: str = PAGE["title"][0],
    script_url: str = "",
    fragment: bool = False,
) -> str:
    """The page: ``main``'s charts and table, ``extra`` cuts' tables, the heat-map.
    ``printable``: no form, the chart script inlined (for the PDF); ``fragment``: only
    the report's block, for a page of the console's layout."""
    template = environment().get_template("_report_body.html" if fragment else "report.html")
    script_inline = CHART_JS.read_text(encoding="utf-8") if printable else ""
    return template.render(
        title=title,
        page=PAGE,
        sites_label=_sites_label(main, all_sites),
        period=f"{main.first:%d/%m/%Y} – {main.last:%d/%m/%Y}",
        generated=local_time(main.generated_at, DEFAULT_TIME_ZONE).strftime("%H:%M %d/%m/%Y"),
        summary=_summary(main.total),
        sections=[section(main), *(section(r) for r in extra)],
        heat=heat(heatmap) if heatmap is not None else None,
        charts=json.dumps(chart_data(main), ensure_ascii=False),
        main_title=CUT_NAMES[main.by][0],
        form=form,
        printable=printable,
        script_inline=script_inline,
        script_url=script_url,
        total_label=TOTAL[0],
        empty=main.total.issued == 0,
    )


def monthly_html(reports: Reports, site_ids: Sequence[str] | None, first: date, last: date) -> str:
    """The centre's monthly report (any period works; a month is the usual one)."""
    main = reports.figures(site_ids, first, last, "day")
    extra = [reports.figures(site_ids, first, last, cut) for cut in MONTHLY_CUTS]
    heatmap = reports.figures(site_ids, first, last, "heatmap")
    return render(
        main,
        extra=extra,
        heatmap=heatmap,
        all_sites=site_ids is None,
        printable=True,
        title=PAGE["monthly_title"][0],
    )


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise OSError("Chromium is not installed (scripts/install-system-deps.sh): no PDF")


def html_to_pdf(html: str) -> bytes:
    """Print the page with headless Chromium (it runs the chart script first)."""
    with tempfile.TemporaryDirectory(prefix="qms-report-") as tmp:
        page = Path(tmp) / "report.html"
        out = Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        subprocess.run(  # noqa: S603 - a fixed browser, our own temp file, no shell
            [
                chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={tmp}/profile",
                "--virtual-time-budget=10000",
                # About the printed width of an A4 landscape page, so the charts are
                # drawn at the size they print at.
                "--window-size=1100,800",
                f"--print-to-pdf={out}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=PDF_TIMEOUT_S,
        )
        if not out.exists():
            raise OSError("Chromium wrote no PDF")
        return out.read_bytes()


def monthly_pdf(reports: Reports, site_ids: Sequence[str] | None, first: date, last: date) -> bytes:
    return html_to_pdf(monthly_html(reports, site_ids, first, last))


def month_of(day: date) -> tuple[date, date]:
    """The first and last day of ``day``'s month."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    return first, following - timedelta(days=1)
