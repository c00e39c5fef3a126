"""Engines and transactions for SQLite and PostgreSQL.

Commands run in ``Database.write()``: on SQLite the transaction opens with
``BEGIN IMMEDIATE`` (one writer at a time, so numbering and calling are serial);
on PostgreSQL the repository locks the site row with ``SELECT ... FOR UPDATE``.
Reads run in ``Database.read()`` and never block writers.

On SQLite a command may also run ``without_waiting()``: it then takes the write lock
only if it is free at once and raises ``WriterBusy`` otherwise, so the HTTP server
can run it on its event loop without ever stalling there (``server.api.dispatch``).
"""

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from server.security.private import private_file
from server.storage.checkpoint import WalCheckpointer
from server.storage.lean import as_sqlalchemy_error

_BEGIN_OPTION = "qms_begin"
BUSY_TIMEOUT_MS = 30_000
# Each connection's page cache (SQLite's default is 2 MB; a busy day's database is
# larger) and the file mapped into memory, so a connection whose cache another
# connection's commit made stale reads pages from the OS cache without copying them.
CACHE_KIB = 16_384
MMAP_BYTES = 256 * 1024 * 1024
_no_wait: ContextVar[bool] = ContextVar("qms_write_without_waiting", default=False)


class WriterBusy(Exception):
    """Another writer holds the database; nothing was done. Run the command again
    where it may wait for the lock."""


def sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{(data_dir / 'qms.sqlite3').resolve()}"


def make_engine(
    url: str,
    *,
    pool_size: int = 8,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    autocheckpoint: bool = True,
) -> Engine:
    """An engine with the settings this project relies on for each backend.
    ``busy_timeout_ms``: how long a SQLite connection waits for another writer;
    ``autocheckpoint``: whether its commits checkpoint SQLite's log (see
    ``server.storage.checkpoint``)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            private_file(Path(parsed.database))  # SQLite gives its -wal file the same mode
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
            pool_size=pool_size,
            max_overflow=8,
        )
        _configure_sqlite(engine, busy_timeout_ms, autocheckpoint)
        return engine
    if parsed.get_backend_name() == "postgresql":
        # No pre-ping: it costs a round trip per transaction. A connection the server
        # dropped fails its command with 503 and the client retries with the same key.
        # A statement psycopg has prepared (its fifth run on a connection) is planned
        # once: PostgreSQL's default kept re-planning the line-heads query for each call
        # (its planning cost more than its execution: docs/performance.md), its one-size
        # plan being costed a little above the planned-per-call ones. The hot statements
        # are key and index lookups whose best plan does not depend on the values.
        return create_engine(
            url,
            pool_size=pool_size,
            max_overflow=8,
            pool_recycle=1800,
            connect_args={"options": "-c plan_cache_mode=force_generic_plan"},
        )
    raise ValueError(f"unsupported database URL (use sqlite:/// or postgresql+psycopg://): {url}")


def _configure_sqlite(engine: Engine, busy_timeout_ms: int, autocheckpoint: bool) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, say when a transaction begins.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute(f"PRAGMA cache_size=-{CACHE_KIB}")
        cur.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        if not autocheckpoint:
            cur.execute("PRAGMA wal_autocheckpoint=0")
        cur.close()

    @event.listens_for(engine, "begin")
    def on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
        # On the driver's connection: through SQLAlchemy this one statement cost as much
        # as a command's queries (see server/storage/lean.py).
        sql = f"BEGIN {mode}"
        try:
            conn.connection.driver_connection.execute(sql)
        except sqlite3.Error as exc:
            raise as_sqlalchemy_error(exc, sql, engine.dialect) from exc


class Database:
    """One engine and its sessions; ``write()`` for commands, ``read()`` for queries."""

    def __init__(
        self, url: str, *, pool_size: int = 8, background_checkpoints: bool = False
    ) -> None:
        """``background_checkpoints`` (SQLite in a file; the server): commits never
        checkpoint the log, a thread does (``server.storage.checkpoint``)."""
        self.url = url
        parsed = make_url(url)
        self._checkpointer: WalCheckpointer | None = None
        if (
            background_checkpoints
            and parsed.get_backend_name() == "sqlite"
            and parsed.database
            and parsed.database != ":memory:"
        ):
            self._checkpointer = WalCheckpointer(Path(parsed.database))
        self._autocheckpoint = self._checkpointer is None
        self.engine = make_engine(url, pool_size=pool_size, autocheckpoint=self._autocheckpoint)
        self.is_sqlite = self.engine.dialect.name == "sqlite"
        if self._checkpointer is not None:
            self._checkpointer.start()
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=True)
        # SQLite's busy handler sleeps (1, 2, 5, 10 ... ms) while another writer holds the
        # lock; queueing this process's writers on a lock hands over at once instead.
        self._write_lock = threading.Lock() if self.is_sqlite else None
        # Connections that never wait for another process's write lock, for writes
        # ``without_waiting`` (made when first needed).
        self._no_wait_engine: Engine | None = None
        self._no_wait_sessions: sessionmaker[Session] | None = None

    @contextmanager
    def without_waiting(self) -> Iterator[None]:
        """Inside, ``write()`` on SQLite raises ``WriterBusy`` at once instead of waiting
        for a writer of this process or another (PostgreSQL: no change)."""
        token = _no_wait.set(True)
        try:
            yield
        finally:
            _no_wait.reset(token)

    @property
    def backend(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A transaction that commits on success and rolls back on any exception."""
        if self._write_lock is None:
            with self._write(self._sessions) as session:
                yield session
            return
        if not _no_wait.get():
            with self._write_lock, self._write(self._sessions) as session:
                yield session
            return
        if not self._write_lock.acquire(blocking=False):
            raise WriterBusy()
        try:
            with self._write(self._no_wait_sessionmaker()) as session:
                yield session
        finally:
            self._write_lock.release()

    def _no_wait_sessionmaker(self) -> sessionmaker[Session]:
        if self._no_wait_sessions is None:
            self._no_wait_engine = make_engine(
                self.url, pool_size=2, busy_timeout_ms=0, autocheckpoint=self._autocheckpoint
            )
            self._no_wait_sessions = sessionmaker(
                self._no_wait_engine, expire_on_commit=False, autoflush=True
            )
        return self._no_wait_sessions

    @contextmanager
    def _write(self, sessions: sessionmaker[Session]) -> Iterator[Session]:
        with sessions() as session:
            if self.is_sqlite:
                try:
                    session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
                except OperationalError as exc:
                    # Only a connection that may not wait gets "locked" at BEGIN.
                    if _no_wait.get() and "locked" in str(exc.orig):
                        raise WriterBusy() from exc
                    raise
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
        if self._checkpointer is not None:
            self._checkpointer.stop()
        if self._no_wait_engine is not None:
            self._no_wait_engine.dispose()
