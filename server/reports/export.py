"""A report as a terminal table, CSV, XLSX or JSON: the same values in each.

Durations are given in minutes (two decimals), shares in percent, counts as integers,
so a figure read from the CSV, the XLSX and the JSON is the same number.
"""

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from server.reports.figures import Figures, Report
from server.reports.texts import BRIEF, COLUMNS, CUT_NAMES, KEY_HEADER, LABEL_HEADER, TOTAL


def value(figures: Figures, name: str) -> int | float | None:
    """A figure as exported: minutes for durations."""
    raw = getattr(figures, name)
    kind = next(c.kind for c in COLUMNS if c.name == name)
    if raw is None:
        return None
    if kind == "minutes":
        return round(raw / 60, 2)
    return raw


def export_key(name: str) -> str:
    """The figure's name in the JSON: durations renamed ``..._min``."""
    kind = next(c.kind for c in COLUMNS if c.name == name)
    return name[: -len("_s")] + "_min" if kind == "minutes" else name


def _rows(report: Report) -> list[tuple[str, str, Figures]]:
    rows = [(" / ".join(r.key), r.label, r) for r in report.rows]
    rows.append(("", TOTAL[0], report.total))
    return rows


def to_json(reports: Sequence[Report]) -> str:
    def figures(f: Figures) -> dict[str, Any]:
        return {export_key(c.name): value(f, c.name) for c in COLUMNS}

    first = reports[0]
    document = {
        "sites": list(first.sites),
        "from": first.first.isoformat(),
        "to": first.last.isoformat(),
        "generated_at": first.generated_at.isoformat(),
        "cuts": {
            r.by: {
                "rows": [{"key": list(f.key), "label": f.label, **figures(f)} for f in r.rows],
                "total": figures(r.total),
            }
            for r in reports
        },
    }
    return json.dumps(document, ensure_ascii=False, indent=2)


def to_csv(report: Report) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads the Vietnamese right."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([f"{CUT_NAMES[report.by][0]} ({KEY_HEADER[0]})", LABEL_HEADER[0]]
                    + [c.vi for c in COLUMNS])  # fmt: skip
    for key, label, f in _rows(report):
        writer.writerow([key, label, *("" if value(f, c.name) is None else value(f, c.name)
                                       for c in COLUMNS)])  # fmt: skip
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(reports: Sequence[Report]) -> bytes:
    """One sheet per cut; numbers stored as numbers, durations in minutes."""
    book = Workbook()
    book.remove(book.active)
    head = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    for report in reports:
        sheet = book.create_sheet(CUT_NAMES[report.by][0][:31])
        sheet.append([CUT_NAMES[report.by][0], LABEL_HEADER[0], *(c.vi for c in COLUMNS)])
        for cell in sheet[1]:
            cell.font, cell.fill = head, fill
            cell.alignment = Alignment(wrap_text=True, vertical="center")
        for key, label, f in _rows(report):
            sheet.append([key, label, *(value(f, c.name) for c in COLUMNS)])
        for i, column in enumerate(COLUMNS, start=3):
            fmt = "0" if column.kind == "count" else "0.00"
            for (cell,) in sheet.iter_rows(min_row=2, min_col=i, max_col=i):
                cell.number_format = fmt
        sheet.column_dimensions["A"].width = 14
        sheet.column_dimensions["B"].width = 34
        for i in range(3, len(COLUMNS) + 3):
            sheet.column_dimensions[get_column_letter(i)].width = 13
        sheet.freeze_panes = "C2"
        sheet.row_dimensions[1].height = 45
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_table(reports: Sequence[Report]) -> str:
    """A plain text table of the main figures of each cut, for a terminal."""
    names = [c for c in COLUMNS if c.name in BRIEF]
    blocks = []
    for report in reports:
        header = [CUT_NAMES[report.by][0], *(c.vi for c in names)]
        lines = [header]
        for _key, label, f in _rows(report):
            cells = ["–" if value(f, c.name) is None else f"{value(f, c.name):g}" for c in names]
            lines.append([label, *cells])
        widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
        text = [
            "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                      for i, (cell, w) in enumerate(zip(line, widths, strict=True)))
            for line in lines
        ]  # fmt: skip
        title = (
            f"{CUT_NAMES[report.by][0]} · {report.first.isoformat()} → {report.last.isoformat()}"
        )
        blocks.append("\n".join([title, *text]))
    return "\n\n".join(blocks) + "\n"
