"""The known day's report as CSV, XLSX (read back with openpyxl), JSON and HTML page:
the same numbers in each, through the real HTTP routes and the real ``qms report``."""

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from server.reports.export import export_key, value
from server.reports.figures import Reports
from server.reports.pages import render
from server.reports.texts import BRIEF, COLUMNS
from tests.server.backends import SITE
from tests.server.reports.conftest import login
from tests.server.reports.known_day import DAY

ROOT = Path(__file__).resolve().parents[3]


def params(by: str, fmt: str, site: str | None = SITE) -> dict[str, str]:
    p = {"from": DAY.isoformat(), "to": DAY.isoformat(), "by": by, "format": fmt}
    if site:
        p["site"] = site
    return p


def as_number(text: str) -> float | None:
    return None if text == "" else float(text)


def test_csv_xlsx_json_and_page_agree(served) -> None:
    world, client, _ = served
    boss = login(client, "boss", "pw-boss")
    got = client.get("/api/v1/reports/figures", params=params("field,clerk", "json"), headers=boss)
    assert got.status_code == 200, got.text
    document = got.json()
    field = document["cuts"]["field"]
    assert document["sites"] == [SITE] and document["from"] == DAY.isoformat()
    assert field["total"]["issued"] == 6 and field["total"]["wait_median_min"] == 21.0
    assert field["total"]["satisfied_pct"] == 50.0 and field["total"]["sla_pct"] == 40.0

    csv_bytes = client.get("/api/v1/reports/figures", params=params("field", "csv"), headers=boss)
    assert csv_bytes.headers["content-type"].startswith("text/csv")
    assert csv_bytes.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    lines = list(csv.reader(io.StringIO(csv_bytes.content.decode("utf-8-sig"))))
    assert lines[0][1] == "Tên" and lines[0][2] == "Số phát"
    assert [line[1] for line in lines[1:]] == ["Chứng thực", "Hộ tịch", "Tổng cộng"]

    xlsx = client.get("/api/v1/reports/figures", params=params("field,clerk", "xlsx"), headers=boss)
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Lĩnh vực", "Cán bộ"]
    sheet = list(book["Lĩnh vực"].iter_rows(values_only=True))

    json_rows = [*field["rows"], {"label": "Tổng cộng", **field["total"]}]
    for csv_line, xlsx_line, json_row in zip(lines[1:], sheet[1:], json_rows, strict=True):
        assert csv_line[1] == xlsx_line[1] == json_row["label"]
        for i, column in enumerate(COLUMNS, start=2):
            expected = json_row[export_key(column.name)]
            assert as_number(csv_line[i]) == expected, column.name
            assert xlsx_line[i] == expected, column.name
            if expected is not None:
                assert isinstance(xlsx_line[i], int | float)  # numbers as numbers

    # The page shows the same numbers (its cells carry the raw value they print).
    reports = Reports(world.db, clock=world.clock)
    html = render(reports.figures([SITE], DAY, DAY, "field"), script_url="/chart.js")
    cells = re.findall(r'data-raw="([^"]*)"', html)
    brief = [export_key(n) for n in BRIEF]
    expected_cells = ["" if row[k] is None else f"{row[k]}" for row in json_rows for k in brief]
    assert [("" if c == "" else f"{float(c):g}") for c in cells] == [
        ("" if c == "" else f"{float(c):g}") for c in expected_cells
    ]
    assert "Hộ tịch" in html and "Tổng cộng" in html


def test_who_may_read_which_site(served) -> None:
    _, client, _ = served
    clerk = login(client, "c1", "pw-c1")
    boss = login(client, "boss", "pw-boss")
    admin = login(client, "admin", "mat-khau-dai-du-9")
    url = "/api/v1/reports/figures"
    assert client.get(url, params=params("field", "json"), headers=clerk).status_code == 403
    assert client.get(url, params=params("field", "json", "t2"), headers=boss).status_code == 403
    mine = client.get(url, params=params("field", "json", None), headers=boss)
    assert mine.status_code == 200 and mine.json()["sites"] == [SITE]
    every = client.get(url, params=params("site", "json", None), headers=admin)
    assert every.status_code == 200
    assert every.json()["cuts"]["site"]["rows"][0]["label"] == "Điểm thử"
    missing = client.get(url, params=params("field", "json", "nowhere"), headers=admin)
    assert missing.status_code == 404
    bad = client.get(url, params=params("colour", "json"), headers=admin)
    assert bad.status_code == 400 and bad.json()["error"] == "report_invalid"
    assert client.get(url, params=params("field", "json")).status_code == 401


def test_qms_report_command(served) -> None:
    world, _, db_file = served
    db = f"sqlite:///{db_file}"
    base = [sys.executable, "-m", "qms", "report", "--site", SITE, "--db", db,
            "--from", DAY.isoformat(), "--to", DAY.isoformat()]  # fmt: skip
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}

    def qms(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run([*base, *args], capture_output=True, env=env, check=False)

    table = qms("--by", "field")
    assert table.returncode == 0, table.stderr
    text = table.stdout.decode()
    assert "Hộ tịch" in text and "Tổng cộng" in text
    document = json.loads(qms("--by", "field,counter", "--format", "json").stdout)
    assert document["cuts"]["counter"]["total"]["issued"] == 6
    reports = Reports(world.db, clock=world.clock)
    report = reports.figures([SITE], DAY, DAY, "field")
    assert document["cuts"]["field"]["total"]["wait_mean_min"] == value(report.total, "wait_mean_s")
    out = db_file.parent / "r.xlsx"
    xlsx = qms("--by", "field,clerk,hour", "--format", "xlsx", "--out", str(out))
    assert xlsx.returncode == 0, xlsx.stderr
    assert load_workbook(out).sheetnames == ["Lĩnh vực", "Cán bộ", "Giờ trong ngày"]
    bad = qms("--by", "colour")
    assert bad.returncode == 2 and b"unknown cut" in bad.stderr


def test_the_route_cuts_by_channel(served) -> None:
    """``by=channel`` over HTTP: the known day's visits were all taken at the kiosk."""
    _, client, _ = served
    boss = login(client, "boss", "pw-boss")
    got = client.get("/api/v1/reports/figures", params=params("channel", "json"), headers=boss)
    assert got.status_code == 200, got.text
    cut = got.json()["cuts"]["channel"]
    assert [(r["key"], r["label"], r["issued"]) for r in cut["rows"]] == [
        (["walk_in"], "Lấy số tại ki-ốt", 6)
    ]
    assert cut["total"]["issued"] == 6 and cut["total"]["wait_median_min"] == 21.0
    xlsx = client.get("/api/v1/reports/figures", params=params("channel", "xlsx"), headers=boss)
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["Hình thức lấy số"]
