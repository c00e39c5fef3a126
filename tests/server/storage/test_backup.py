"""``qms db backup`` while a real server runs and a writer issues tickets, ``qms db
restore`` into a fresh data directory, and a server started on it: every ticket is
there, and the day's numbering goes on from the copy (never a number twice)."""

import shutil
import sqlite3
import threading
import uuid
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from qms.cli import main
from server.config import Settings
from server.contract.http import MenuOut, TicketOut
from server.messaging.keys import KEY_FILE
from server.runtime import Runtime
from server.security.secret import SECRET_FILE
from server.storage.backup import KEY_FILES, BackupError, backup, restore
from tests.support.live_server import LiveServer, start_live_server


def _issue(base: str, site: str, token: str, service: str) -> TicketOut:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    r = httpx.post(
        f"{base}/sites/{site}/tickets", json={"service": service}, headers=headers, timeout=30
    )
    assert r.status_code == 201, r.text
    return TicketOut.model_validate(r.json())


class Writer(threading.Thread):
    """A kiosk issuing tickets one after another until told to stop."""

    def __init__(self, live: LiveServer, service: str) -> None:
        super().__init__(daemon=True)
        self.live, self.service = live, service
        self.issued: list[TicketOut] = []
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        base = self.live.base_url + "/api/v1"
        try:
            while not self.stop.is_set() and len(self.issued) < 400:
                self.issued.append(
                    _issue(base, self.live.site, self.live.kiosk_token, self.service)
                )
        except BaseException as exc:  # reported by the test
            self.error = exc

    def wait_for(self, count: int) -> None:
        for _ in range(600):
            if len(self.issued) >= count or self.error is not None:
                break
            self.stop.wait(0.1)
        assert self.error is None, self.error
        assert len(self.issued) >= count, "the writer issued too few tickets"


def _numbers(db_file: Path, site: str, service: str) -> dict[str, int]:
    with closing(sqlite3.connect(db_file)) as conn:
        rows = conn.execute(
            "SELECT number, seq FROM tickets WHERE site_id = ? AND service = ? "
            "AND transferred_from IS NULL",
            (site, service),
        ).fetchall()
    return dict(rows)


def test_a_backup_made_while_the_hall_runs_restores_and_the_numbering_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    live = start_live_server(tmp_path / "var")
    copy = tmp_path / "backups" / "qms-1.sqlite3"
    writer: Writer | None = None
    try:
        base = live.base_url + "/api/v1"
        site = live.site
        menu = MenuOut.model_validate(httpx.get(f"{base}/sites/{site}/services").json())
        field = menu.departments[0].services[0]
        counter = str(field.counters[0])
        clerk = {"Authorization": f"Bearer {live.login(*live.clerks[counter])}"}
        first = [_issue(base, site, live.kiosk_token, field.code) for _ in range(5)]
        for _ in range(2):
            r = httpx.post(
                f"{base}/sites/{site}/counters/{counter}/call-next",
                headers=clerk | {"Idempotency-Key": uuid.uuid4().hex},
                timeout=30,
            )
            assert r.status_code == 200, r.text
        writer = Writer(live, field.code)
        writer.start()
        writer.wait_for(5)
        answered = [*first, *writer.issued]  # all issued before the backup begins
        status = {
            t.id: httpx.get(f"{base}/sites/{site}/tickets/{t.id}").json()["status"]
            for t in answered
        }
        assert "waiting" in status.values() and set(status.values()) != {"waiting"}

        assert main(["db", "backup", str(copy), "--data-dir", str(live.data_dir)]) == 0
        printed = capsys.readouterr().out
        assert "backup written" in printed and str(copy) in printed
        writer.wait_for(len(answered) + 5)  # the writer went on during and after it
    finally:
        if writer is not None:
            writer.stop.set()
            writer.join(30)
        live.runtime.stop()
    assert writer.error is None, writer.error
    assert not list(copy.parent.glob("*-wal")), "the backup is one self-contained file"

    fresh = tmp_path / "restored"
    fresh.mkdir(mode=0o700)
    for name in KEY_FILES:  # kept apart from the database (docs/deploy.md, Backups)
        shutil.copy2(live.data_dir / name, fresh / name)
    assert main(["db", "restore", str(copy), "--data-dir", str(fresh)]) == 0
    assert "restored" in capsys.readouterr().out
    in_copy = _numbers(fresh / "qms.sqlite3", site, field.code)
    assert {t.number for t in answered} <= set(in_copy)

    runtime = Runtime(Settings(data_dir=fresh, http="127.0.0.1:0"))
    runtime.start()
    try:
        base = f"http://127.0.0.1:{runtime.port}/api/v1"
        for ticket in answered:
            r = httpx.get(f"{base}/sites/{site}/tickets/{ticket.id}", timeout=10)
            assert r.status_code == 200, r.text
            found = TicketOut.model_validate(r.json())
            assert (found.number, found.status.value) == (ticket.number, status[ticket.id])
        after = _issue(base, site, live.kiosk_token, field.code)  # the device token held
    finally:
        runtime.stop()
    numbers = _numbers(fresh / "qms.sqlite3", site, field.code)
    assert after.number not in in_copy
    assert numbers[after.number] == max(in_copy.values()) + 1


def test_a_restore_never_overwrites_and_postgresql_is_pointed_to_its_tools(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (SECRET_FILE, KEY_FILE) == KEY_FILES
    with pytest.raises(BackupError, match="pg_dump"):
        backup("postgresql+psycopg://qms@db/qms", tmp_path / "x.sqlite3")
    assert main(["db", "backup", str(tmp_path / "x"), "--db", "postgresql://db/qms"]) == 2
    assert "pg_basebackup" in capsys.readouterr().err
    not_a_db = tmp_path / "notes.sqlite3"
    not_a_db.write_text("hello", encoding="utf-8")
    with pytest.raises(BackupError, match="not a qms database"):
        restore(not_a_db, tmp_path / "var")
    assert not (tmp_path / "var" / "qms.sqlite3").exists()

    settings = Settings(data_dir=tmp_path / "one")
    from server.storage.db import Database
    from server.storage.migrate import upgrade

    db = Database(settings.db_url)
    upgrade(db.engine)
    db.dispose()
    made = backup(settings.db_url, tmp_path / "b.sqlite3")
    assert made.tickets == 0 and made.schema
    with pytest.raises(BackupError, match="exists"):
        backup(settings.db_url, tmp_path / "b.sqlite3")
    with pytest.raises(BackupError, match="already has a database"):
        restore(tmp_path / "b.sqlite3", tmp_path / "one")
    assert restore(tmp_path / "b.sqlite3", tmp_path / "two").schema == made.schema
