"""Engines and transactions for SQLite and PostgreSQL.

Commands run in ``Database.write()``: on SQLite the transaction opens with
``BEGIN IMMEDIATE`` (one writer at a time, so numbering and calling are serial);
on PostgreSQL the repository locks the site row with ``SELECT ... FOR UPDATE``.
Reads run in ``Database.read()`` and never block writers.
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

_BEGIN_OPTION = "qms_begin"


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'qms.sqlite3').resolve()}"


def make_engine(url: str, *, pool_size: int = 8) -> Engine:
    """An engine with the settings this project relies on for each backend."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_size=pool_size,
            max_overflow=8,
        )
        _configure_sqlite(engine)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # No pre-ping: it costs a round trip per transaction. A connection the server
        # dropped fails its command with 503 and the client retries with the same key.
        return create_engine(url, pool_size=pool_size, max_overflow=8, pool_recycle=1800)
    raise ValueError(f"unsupported database URL (use sqlite:/// or postgresql+psycopg://): {url}")


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say when a transaction begins.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


class Database:
    """One engine and its sessions; ``write()`` for commands, ``read()`` for queries."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # SQLite's busy handler sleeps (1, 2, 5, 10 ... ms) while another writer holds the
        # lock; queueing this process's writers on a lock hands over at once instead.
        self._write_lock = threading.Lock() if self.is_sqlite else None

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on any exception."""
        if self._write_lock is None:
            with self._write() as session:
                yield session
            return
        with self._write_lock, self._write() as session:
            yield session

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._sessions() as session:
            if self.is_sqlite:
                session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
            finally:
                session.rollback()

    def dispose(self) -> None:
        self.engine.dispose()
