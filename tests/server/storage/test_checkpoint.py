"""The server's SQLite log is checkpointed by a thread, never inside a command's commit
(a checkpoint there held the write lock and the event loop for 7-20 ms)."""

import sqlite3
import time
from pathlib import Path

from sqlalchemy import text

from server.storage.checkpoint import WalCheckpointer
from server.storage.db import Database
from server.storage.migrate import upgrade


def _log_pages(path: Path) -> tuple[int, int]:
    """(pages in the log, pages of it already copied) without copying any."""
    with sqlite3.connect(path) as probe:
        _busy, pages, copied = probe.execute("PRAGMA wal_checkpoint(NOOP)").fetchone()
    return pages, copied


def _write(db: Database, rows: int) -> None:
    with db.write() as s:
        s.execute(text("CREATE TABLE IF NOT EXISTS filler (x TEXT)"))
        for _ in range(rows):
            s.execute(text("INSERT INTO filler VALUES (:x)"), {"x": "ư" * 2000})


def test_commits_leave_the_log_to_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    db = Database(f"sqlite:///{path}", background_checkpoints=True)
    try:
        upgrade(db.engine)
        with db.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 0
        _write(db, 2_500)  # ~1,300 pages: past SQLite's 1,000-page autocheckpoint
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            pages, copied = _log_pages(path)
            if pages > 1_000 and copied == pages:
                break
            time.sleep(0.05)
        assert pages > 1_000 and copied == pages  # one log, all of it copied by the thread
    finally:
        db.dispose()
    assert path.with_name("q.sqlite3-wal").stat().st_size == 0  # truncated at stop
    with sqlite3.connect(path) as c:
        assert c.execute("SELECT count(*) FROM filler").fetchone()[0] == 2_500


def test_without_the_thread_commits_checkpoint_as_sqlite_does(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    db = Database(f"sqlite:///{path}")
    try:
        upgrade(db.engine)
        with db.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    finally:
        db.dispose()


def test_a_checkpoint_copies_pages_and_tolerates_readers(tmp_path: Path) -> None:
    path = tmp_path / "q.sqlite3"
    db = Database(f"sqlite:///{path}")
    try:
        upgrade(db.engine)
        _write(db, 10)
        checkpointer = WalCheckpointer(path)
        with sqlite3.connect(path, isolation_level=None) as c:
            assert checkpointer.checkpoint(c) > 0
            reader = sqlite3.connect(path, isolation_level=None)
            reader.execute("BEGIN")
            reader.execute("SELECT count(*) FROM filler").fetchone()
            _write(db, 10)
            assert checkpointer.checkpoint(c) >= 0  # PASSIVE: no waiting for the reader
            reader.close()
    finally:
        db.dispose()
