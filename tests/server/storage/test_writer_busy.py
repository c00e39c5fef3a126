"""Writes ``without_waiting``: on SQLite they take the write lock only when it is free."""

import sqlite3
import threading
from pathlib import Path

import pytest
from sqlalchemy import select

from server.storage.db import Database, WriterBusy
from server.storage.migrate import upgrade
from server.storage.models import SiteRow


@pytest.fixture
def db(tmp_path: Path):
    database = Database(f"sqlite:///{tmp_path / 'x.db'}")
    upgrade(database.engine)
    yield database
    database.dispose()


def _sites(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(SiteRow.id)))


def _site(site_id: str) -> SiteRow:
    return SiteRow(id=site_id, name="Điểm", name_en="Point", time_zone="Asia/Ho_Chi_Minh")


def test_a_write_without_waiting_commits_when_the_lock_is_free(db: Database) -> None:
    with db.without_waiting(), db.write() as s:
        # The connection gives up at once instead of SQLite's 30 s busy wait.
        assert s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 0
        s.add(_site("s1"))
    assert _sites(db) == ["s1"]
    with db.write() as s:  # outside, writes wait as before
        assert s.connection().exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_another_process_writing_makes_it_busy_and_nothing_is_written(
    db: Database, tmp_path: Path
) -> None:
    other = sqlite3.connect(tmp_path / "x.db", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # what another process's write transaction holds
    try:
        with pytest.raises(WriterBusy), db.without_waiting(), db.write() as s:
            s.add(_site("s2"))
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _sites(db) == []


def test_a_writer_of_this_process_makes_it_busy(db: Database) -> None:
    holding, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.write():
            holding.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(WriterBusy), db.without_waiting(), db.write():
            pass
    finally:
        release.set()
        thread.join()
    with db.without_waiting(), db.write():  # the lock is free again
        pass
