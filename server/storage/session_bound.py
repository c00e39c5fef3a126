"""What every part of the repository stands on: one Session, and which database."""

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy.engine import Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from server.storage.lean import Lean, as_sqlalchemy_error, lean, run, run_many


class SessionBound:
    def __init__(self, session: Session) -> None:
        self.s = session
        self._dialect: Dialect = session.get_bind().dialect
        self._driver: Any = None

    @property
    def _postgresql(self) -> bool:
        return self._dialect.name == "postgresql"

    def _connection(self) -> Any:
        """The driver's connection of this Session's transaction (begun if need be).
        The ORM's pending changes are flushed first, as a Session statement would."""
        session = self.s
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
            cursor = run(self._connection(), prepared, params)
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
            cursor = run(self._connection(), prepared, params)
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
            run_many(self._connection(), prepared, rows)
        except self._dialect.loaded_dbapi.Error as exc:
            raise self._failed(exc, prepared) from exc
