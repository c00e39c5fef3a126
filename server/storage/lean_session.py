"""The hot statements of one Session, run on its driver connection (``lean``).

Every part of the repository runs its statements through one ``LeanSession``. Before
any of them, the writes its command keeps for its last statement that touch the same
tables go out (``KeptWrites``, registered in ``session.info``; see
``server.storage.command_end``), so a read always sees the command's own writes.
"""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from server.storage.lean import Lean, as_sqlalchemy_error, lean, run, run_many

# The key of a Session's kept writes in ``Session.info``.
KEPT_WRITES = "qms.kept_writes"


class KeptWrites(Protocol):
    def write_before(self, tables: frozenset[str]) -> None:
        """Write what was kept for these tables (everything: for unknown ones, empty)."""


class LeanSession:
    """One Session's lean statements: reads as named tuples, writes by row count."""

    def __init__(self, session: Session) -> None:
        self.s = session
        self._dialect: Dialect = session.get_bind().dialect
        self.postgresql = self._dialect.name == "postgresql"
        self._driver: Any = None

    def _connection(self, prepared: Lean) -> Any:
        """The driver's connection of this Session's transaction (begun if need be).
        The ORM's pending changes are flushed first, as a Session statement would, and
        the command's kept writes to the statement's tables."""
        session = self.s
        kept: KeptWrites | None = session.info.get(KEPT_WRITES)
        if kept is not None:
            kept.write_before(prepared.tables)
        if session.new or session.dirty or session.deleted:
            session.flush()
        if self._driver is None:
            self._driver = session.connection().connection.driver_connection
        return self._driver

    def _failed(self, exc: Exception, prepared: Lean) -> Exception:
        """A driver error as SQLAlchemy's; a lost connection is dropped with the rest of
        the pool (as SQLAlchemy does), not handed to the next request."""
        error = as_sqlalchemy_error(exc, prepared.sql, self._dialect)
        if getattr(error, "connection_invalidated", False):
            # The database went away for every pooled connection (a restart, a network
            # cut): drop them all, as SQLAlchemy does, so the client's retry gets a new one.
            self.s.connection().invalidate(exc)
            bind = self.s.get_bind()
            if isinstance(bind, Engine):
                bind.dispose(close=False)
        return error

    def rows(self, stmt: ClauseElement, params: Mapping[str, Any]) -> list[Any]:
        """All rows of a fixed statement (``server.storage.lean``), as named tuples."""
        prepared = lean(stmt, self._dialect)
        try:
            cursor = run(self._connection(prepared), prepared, params)
            try:
                return prepared.rows(cursor)
            finally:
                cursor.close()
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._failed(exc, prepared) from exc

    def first(self, stmt: ClauseElement, params: Mapping[str, Any]) -> Any:
        found = self.rows(stmt, params)
        return found[0] if found else None

    def scalar(self, stmt: ClauseElement, params: Mapping[str, Any]) -> Any:
        found = self.rows(stmt, params)
        return found[0][0] if found else None

    def write(
        self, stmt: ClauseElement, params: Mapping[str, Any], keys: Sequence[str] | None = None
    ) -> int:
        """Run a fixed UPDATE/INSERT/DELETE; returns the rows it changed."""
        prepared = lean(stmt, self._dialect, keys)
        try:
            cursor = run(self._connection(prepared), prepared, params)
            try:
                return int(cursor.rowcount)
            finally:
                cursor.close()
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._failed(exc, prepared) from exc

    def write_many(
        self, stmt: ClauseElement, rows: Sequence[Mapping[str, Any]], keys: Sequence[str]
    ) -> None:
        """One INSERT of many rows of these columns (the driver's executemany)."""
        prepared = lean(stmt, self._dialect, keys)
        try:
            run_many(self._connection(prepared), prepared, rows)
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._failed(exc, prepared) from exc
