"""The hot statements run on the driver's own cursor, inside the Session's transaction.

Every command and snapshot build runs about ten small statements, each of which the
database answers quickly; going through SQLAlchemy's execution (cache key, parameter
construction, result metadata, events) cost more than that and was the largest share
of the server's CPU per request (docs/performance.md). A ``Lean``
statement is a SQLAlchemy Core statement compiled once per dialect: its SQL text,
the order of its parameters, and the type conversions SQLAlchemy itself would apply
to each parameter and result column (``bind_processor``/``result_processor`` of the
column types, so SQLite's dates and ``UtcDateTime`` read back exactly as through the
ORM). Executing it is the driver call and those conversions, nothing else.

Only fixed statements qualify: no "expanding" ``IN`` parameters (write constant lists
with ``statements.one_of``), and an INSERT names every column that has a default.
"""

import logging
from collections import namedtuple
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import Insert
from sqlalchemy.sql.util import find_tables

Processor = Callable[[Any], Any]
log = logging.getLogger(__name__)
# The server prepares a few dozen statements; this many means one is built per call.
CACHE_WARNING = 1_000

# Every statement prepared, by (id of the statement, dialect, column keys); the value
# holds the statement too, so its id is never reused while the entry exists.
_PREPARED: dict[tuple[int, str, tuple[str, ...] | None], tuple[ClauseElement, "Lean"]] = {}
# Statements executed so far (the benchmarks count round trips with it).
executed = [0]


class Lean:
    """One statement compiled for one dialect, with its conversions."""

    __slots__ = (
        "_binders",
        "_constants",
        "_names",
        "_positional",
        "_readers",
        "_row",
        "sql",
        "tables",
    )

    def __init__(
        self, stmt: ClauseElement, dialect: Dialect, keys: Sequence[str] | None = None
    ) -> None:
        if isinstance(stmt, Insert):
            stmt = stmt.inline()  # no RETURNING of generated keys
        compiled: Any = stmt.compile(dialect=dialect, column_keys=list(keys) if keys else None)
        assert isinstance(compiled, SQLCompiler)
        if compiled.post_compile_params or compiled.literal_execute_params:
            raise ValueError("a lean statement cannot expand parameters (use one_of)")
        if isinstance(stmt, Insert) and keys is not None:
            missing = [c.key for c in compiled.insert_prefetch if c.key not in keys]
            if missing:
                raise ValueError(f"a lean INSERT must give every defaulted column: {missing}")
        self.sql: str = compiled.string
        # What it reads or writes, so a command's kept writes to them go first
        # (``server.storage.command_end``); empty when not known (a text statement).
        self.tables: frozenset[str] = tables_of(stmt)
        self._positional = compiled.positiontup is not None
        names = (
            list(compiled.positiontup)
            if compiled.positiontup is not None
            else sorted(set(compiled.bind_names.values()))
        )
        self._names: tuple[str, ...] = tuple(names)
        binders: list[Processor | None] = []
        self._constants: dict[str, Any] = {}
        for name in names:
            bind = compiled.binds[name]
            binders.append(bind.type.dialect_impl(dialect).bind_processor(dialect))
            if not bind.required and bind.value is not None:
                self._constants[name] = bind.value
        self._binders: tuple[Processor | None, ...] = tuple(binders)
        columns = compiled._result_columns  # (keyname, name, objects, type) per column
        self._row: Any = None
        self._readers: tuple[tuple[int, Processor], ...] = ()
        if columns:
            self._row = namedtuple("LeanRow", [c[0] for c in columns], rename=True)  # type: ignore[misc]
            readers = []
            for i, column in enumerate(columns):
                own = getattr(column[3], "lean_result_processor", None)
                reader = own(dialect) if own is not None else None
                if reader is None:
                    reader = column[3].dialect_impl(dialect).result_processor(dialect, None)
                if reader is not None:
                    readers.append((i, reader))
            self._readers = tuple(readers)

    def parameters(self, params: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        """The driver's parameters: positional for SQLite, by name for psycopg."""
        values = []
        for name, binder in zip(self._names, self._binders, strict=True):
            value = params[name] if name in params else self._constants[name]
            values.append(value if binder is None or value is None else binder(value))
        if self._positional:
            return values
        return dict(zip(self._names, values, strict=True))

    def rows(self, cursor: Any) -> list[Any]:
        """The rows of an executed cursor, converted as SQLAlchemy would."""
        make = self._row._make
        readers = self._readers
        if not readers:
            return [make(r) for r in cursor.fetchall()]
        out = []
        for raw in cursor.fetchall():
            values = list(raw)
            for i, reader in readers:
                values[i] = reader(values[i])
            out.append(make(values))
        return out


def tables_of(stmt: ClauseElement) -> frozenset[str]:
    """The names of the tables a statement reads or writes (empty for a text one)."""
    found = find_tables(stmt, include_crud=True)
    return frozenset(t.name for t in found if isinstance(t, Table))


def lean(stmt: ClauseElement, dialect: Dialect, keys: Sequence[str] | None = None) -> Lean:
    """The statement prepared for this dialect (prepared once, then cached). Give only
    statements built once (module constants, or cached like ``update_ticket``'s): the
    cache keeps every statement it has seen."""
    cache_key = (id(stmt), dialect.name, tuple(keys) if keys is not None else None)
    entry = _PREPARED.get(cache_key)
    if entry is None:
        entry = (stmt, Lean(stmt, dialect, keys))
        _PREPARED[cache_key] = entry
        if len(_PREPARED) == CACHE_WARNING:
            log.warning(
                "%d lean statements prepared: is a statement built anew for each call? "
                "(server/storage/lean.py)",
                CACHE_WARNING,
            )
    return entry[1]


def run(connection: Any, statement: Lean, params: Mapping[str, Any]) -> Any:
    """Execute on a DB-API connection; returns its cursor."""
    executed[0] += 1
    cursor = connection.cursor()
    cursor.execute(statement.sql, statement.parameters(params))
    return cursor


def run_many(connection: Any, statement: Lean, rows: Iterable[Mapping[str, Any]]) -> None:
    executed[0] += 1
    cursor = connection.cursor()
    cursor.executemany(statement.sql, [statement.parameters(r) for r in rows])
    cursor.close()


def as_sqlalchemy_error(exc: Exception, sql: str, dialect: Dialect) -> Exception:
    """A driver's error as SQLAlchemy would raise it (``OperationalError``,
    ``IntegrityError`` ...), so the API's handlers (503 "busy" for a locked or lost
    database) see the same exceptions as for statements through SQLAlchemy."""
    driver_error = dialect.loaded_dbapi.Error
    if not isinstance(exc, driver_error):
        return exc
    try:
        lost = bool(dialect.is_disconnect(exc, None, None))
    except Exception:  # a dialect that needs the connection to tell: not known lost
        lost = False
    return DBAPIError.instance(
        sql, None, exc, driver_error, connection_invalidated=lost, dialect=dialect
    )
