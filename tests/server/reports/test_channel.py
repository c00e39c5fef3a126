"""The cut by channel: a day of walk-ins and a checked-in appointment (through the real
booking service, with the test's clock) against figures counted by hand, live on the day
and rolled up after, on SQLite and PostgreSQL; the exports and ``qms report`` agree."""

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from openpyxl import load_workbook
from sqlalchemy import select

from server.contract.http import CallIn, TicketIn
from server.contract.vocab import Channel
from server.reports import export
from server.reports.export import export_key
from server.reports.figures import Figures, Reports
from server.reports.texts import COLUMNS
from server.storage.migrate import alembic_config, upgrade
from server.storage.models import ReportVisitRow
from tests.server.backends import SITE, sqlite_url
from tests.server.booking.conftest import BookingWorld, booking_world, bw
from tests.server.reports.known_day import MIN

__all__ = ["bw"]

ROOT = Path(__file__).resolve().parents[3]
DAY = datetime(2026, 3, 2).date()  # the clock starts at 09:00 local (02:00 UTC)
NINE_THIRTY = datetime(2026, 3, 2, 2, 30, tzinfo=UTC)
WALK_IN, APPOINTMENT = "Lấy số tại ki-ốt", "Đặt lịch hẹn"


def play_channel_day(w: BookingWorld) -> None:
    """Four visits (minutes after 09:00):

    ====  =======  ===========  ==================================  ====
    no.   field    channel      what happened                       wait
    ====  =======  ===========  ==================================  ====
    1001  ht       walk-in      issued 0, called 10, served 11-15   10
    C001  ct       walk-in      issued 2, called 12, served 12-20   10
    1002  ht       appointment  booked at 0 for 09:30, checked in   26
                                at 5; called 31, served 31-40
    1003  ht       walk-in      issued 20, never called (open)      -
    ====  =======  ===========  ==================================  ====
    """
    world = w.world
    start = world.clock.now
    c2, c3 = world.actor("c2", "pw-c2"), world.actor("c3", "pw-c3")
    keys = iter(range(1_000_000))

    def at(minute: int) -> None:
        world.clock.now = start + timedelta(minutes=minute)

    def issue(number: str, service: str) -> None:
        body = TicketIn(service=service)
        out = world.service.tickets.issue(
            SITE, body, world.kiosk, f"i{next(keys)}", body.model_dump_json()
        ).body
        assert out["number"] == number

    def act(actor: object, counter: str, action: str, body: object = None) -> None:
        world.service.counters.act(
            SITE,
            counter,
            action,
            actor,  # type: ignore[arg-type]
            key=f"a{next(keys)}",
            request_hash=f"{action}{body}",
            body=body,  # type: ignore[arg-type]
        )

    at(0)
    issue("1001", "ht")
    booking = w.booked(NINE_THIRTY)
    at(2)
    issue("C001", "ct")
    at(5)
    status, ticket = w.check_in("scan", code=booking.code)
    assert status == 201 and ticket.number == "1002"
    at(10)
    act(c2, "2", "call", CallIn(ticket="1001"))
    at(11)
    act(c2, "2", "start")
    at(12)
    act(c3, "3", "call", CallIn(ticket="C001"))
    act(c3, "3", "start")
    at(15)
    act(c2, "2", "finish")
    at(20)
    act(c3, "3", "finish")
    issue("1003", "ht")
    at(31)
    act(c2, "2", "call", CallIn(ticket="1002"))
    act(c2, "2", "start")
    at(40)
    act(c2, "2", "finish")
    at(45)


def check_rows(rows: tuple[Figures, ...], *, closed: bool) -> None:
    appointment, walk_in = rows  # in the order of the keys
    assert (appointment.key, appointment.label) == (("appointment",), APPOINTMENT)
    assert (walk_in.key, walk_in.label) == (("walk_in",), WALK_IN)
    assert (appointment.issued, appointment.served, appointment.called) == (1, 1, 1)
    assert appointment.wait_mean_s == appointment.wait_max_s == 26 * MIN
    assert appointment.service_mean_s == 9 * MIN
    assert (walk_in.issued, walk_in.served, walk_in.called) == (3, 2, 2)
    assert (walk_in.expired, walk_in.in_progress) == ((1, 0) if closed else (0, 1))
    assert walk_in.wait_mean_s == walk_in.wait_median_s == walk_in.wait_max_s == 10 * MIN
    assert walk_in.service_mean_s == 6 * MIN  # 4 and 8 minutes


def test_channel_cut_live_and_rolled_up(bw: BookingWorld) -> None:
    play_channel_day(bw)
    world = bw.world
    reports = Reports(world.db, clock=world.clock)
    live = reports.figures([SITE], DAY, DAY, "channel")
    check_rows(live.rows, closed=False)
    assert live.total.issued == 4 and live.total.wait_max_s == 26 * MIN

    world.clock.advance(24 * 3600)
    rolled = reports.figures([SITE], DAY, DAY, "channel")
    check_rows(rolled.rows, closed=True)
    with world.db.read() as session:
        kept = sorted(session.scalars(select(ReportVisitRow.channel)))
    assert kept == [Channel.APPOINTMENT.value] + [Channel.WALK_IN.value] * 3

    # The exports say what the report says, one sheet per cut.
    csv_lines = list(csv.reader(io.StringIO(export.to_csv(rolled).decode("utf-8-sig"))))
    assert csv_lines[0][0] == "Hình thức lấy số (Mã)"
    assert [line[:2] for line in csv_lines[1:]] == [
        ["appointment", APPOINTMENT],
        ["walk_in", WALK_IN],
        ["", "Tổng cộng"],
    ]
    field = reports.figures([SITE], DAY, DAY, "field")
    book = load_workbook(io.BytesIO(export.to_xlsx([rolled, field])))
    assert book.sheetnames == ["Hình thức lấy số", "Lĩnh vực"]
    sheet = list(book["Hình thức lấy số"].iter_rows(values_only=True))
    document = json.loads(export.to_json([rolled]))["cuts"]["channel"]
    json_rows = [*document["rows"], {"label": "Tổng cộng", **document["total"]}]
    assert [r["label"] for r in json_rows] == [APPOINTMENT, WALK_IN, "Tổng cộng"]
    for csv_line, xlsx_line, json_row in zip(csv_lines[1:], sheet[1:], json_rows, strict=True):
        assert csv_line[1] == xlsx_line[1] == json_row["label"]
        for i, column in enumerate(COLUMNS, start=2):
            expected = json_row[export_key(column.name)]
            assert ("" if expected is None else float(csv_line[i])) == (
                "" if expected is None else expected
            ), column.name
            assert xlsx_line[i] == expected, column.name
    assert document["rows"][0]["wait_mean_min"] == 26.0
    assert document["rows"][1]["issued"] == 3 and document["total"]["issued"] == 4


def test_the_migration_gives_rolled_up_appointments_their_channel(bw: BookingWorld) -> None:
    """A day rolled up after appointments existed but before revision 0016: its
    appointment is an appointment once the database is upgraded."""
    play_channel_day(bw)
    world = bw.world
    world.clock.advance(24 * 3600)
    reports = Reports(world.db, clock=world.clock)
    before = reports.figures([SITE], DAY, DAY, "channel")
    with world.db.engine.begin() as connection:
        cfg = alembic_config(world.db.engine.url.render_as_string(hide_password=False))
        cfg.attributes["connection"] = connection
        command.downgrade(cfg, "0015")
    upgrade(world.db.engine)
    with world.db.read() as session:
        kept = sorted(session.scalars(select(ReportVisitRow.channel)))
    assert kept == [Channel.APPOINTMENT.value] + [Channel.WALK_IN.value] * 3
    assert reports.figures([SITE], DAY, DAY, "channel").rows == before.rows


def test_qms_report_by_channel(tmp_path: Path) -> None:
    w = booking_world(sqlite_url(tmp_path))
    try:
        play_channel_day(w)
    finally:
        w.world.db.dispose()
    db = sqlite_url(tmp_path)
    command = [sys.executable, "-m", "qms", "report", "--site", SITE, "--db", db,
               "--from", DAY.isoformat(), "--to", DAY.isoformat(), "--by", "channel"]  # fmt: skip
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    table = subprocess.run(command, capture_output=True, env=env, check=False)
    assert table.returncode == 0, table.stderr
    assert WALK_IN in table.stdout.decode() and APPOINTMENT in table.stdout.decode()
    got = subprocess.run([*command, "--format", "json"], capture_output=True, env=env, check=False)
    assert got.returncode == 0, got.stderr
    rows = json.loads(got.stdout)["cuts"]["channel"]["rows"]
    assert [(r["key"], r["label"], r["issued"]) for r in rows] == [
        (["appointment"], APPOINTMENT, 1),
        (["walk_in"], WALK_IN, 3),
    ]
