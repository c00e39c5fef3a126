"""The few expressions whose SQL differs between SQLite and PostgreSQL.

Each is a SQLAlchemy construct compiled per dialect, so every report statement is
written once. SQLite has no time zones and no percentiles: ``prepare`` registers them
on the connection as functions (the database still does the grouping and counting;
SQLite runs in this process anyway).
"""

import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Float, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

from server.engine.numbering import local_time


class seconds_between(FunctionElement[int]):
    """Whole seconds from the first to the second timestamp."""

    type = Integer()
    inherit_cache = True


@compiles(seconds_between, "postgresql")
def _seconds_pg(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"CAST(ROUND(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)}))) AS INTEGER)"
    )


@compiles(seconds_between)
def _seconds_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    start, end = list(element.clauses)
    return (
        f"CAST(ROUND((julianday({compiler.process(end, **kw)}) - "
        f"julianday({compiler.process(start, **kw)})) * 86400.0) AS INTEGER)"
    )


class local_hour(FunctionElement[int]):
    """The hour (0-23) of a UTC timestamp in a time zone given by name."""

    type = Integer()
    inherit_cache = True


@compiles(local_hour, "postgresql")
def _hour_pg(element: local_hour, compiler: SQLCompiler, **kw: Any) -> str:
    at, zone = list(element.clauses)
    return (
        f"CAST(EXTRACT(HOUR FROM ({compiler.process(at, **kw)} AT TIME ZONE "
        f"{compiler.process(zone, **kw)})) AS INTEGER)"
    )


@compiles(local_hour)
def _hour_sqlite(element: local_hour, compiler: SQLCompiler, **kw: Any) -> str:
    at, zone = list(element.clauses)
    return f"qms_local_hour({compiler.process(at, **kw)}, {compiler.process(zone, **kw)})"


class weekday_of(FunctionElement[int]):
    """The weekday of a date, 0 = Monday (as the engine's opening hours count)."""

    type = Integer()
    inherit_cache = True


@compiles(weekday_of, "postgresql")
def _weekday_pg(element: weekday_of, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"CAST(EXTRACT(ISODOW FROM {compiler.process(day, **kw)}) AS INTEGER) - 1"


@compiles(weekday_of)
def _weekday_sqlite(element: weekday_of, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"((CAST(strftime('%w', {compiler.process(day, **kw)}) AS INTEGER) + 6) % 7)"


class month_of(FunctionElement[str]):
    """A date's month as ``YYYY-MM``."""

    type = String()
    inherit_cache = True


@compiles(month_of, "postgresql")
def _month_pg(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"to_char({compiler.process(day, **kw)}, 'YYYY-MM')"


@compiles(month_of)
def _month_sqlite(element: month_of, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"strftime('%Y-%m', {compiler.process(day, **kw)})"


class percentile(FunctionElement[float]):
    """The continuous percentile (``fraction`` 0..1) of a column in its group."""

    type = Float()
    inherit_cache = True

    def __init__(self, value: ColumnElement[Any], fraction: float) -> None:
        self.fraction = fraction
        super().__init__(value)


@compiles(percentile, "postgresql")
def _percentile_pg(element: percentile, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return (
        f"percentile_cont({float(element.fraction)!r}) WITHIN GROUP "
        f"(ORDER BY {compiler.process(value, **kw)})"
    )


@compiles(percentile)
def _percentile_sqlite(element: percentile, compiler: SQLCompiler, **kw: Any) -> str:
    (value,) = list(element.clauses)
    return f"qms_percentile({compiler.process(value, **kw)}, {float(element.fraction)!r})"


def continuous_percentile(values: list[float], fraction: float) -> float | None:
    """PostgreSQL's ``percentile_cont``: linear between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    rank = fraction * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class _Percentile:
    """SQLite aggregate ``qms_percentile(value, fraction)``."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.fraction = 0.5

    def step(self, value: float | None, fraction: float) -> None:
        self.fraction = fraction
        if value is not None:
            self.values.append(value)

    def finalize(self) -> float | None:
        return continuous_percentile(self.values, self.fraction)


def _local_hour(at: str | None, zone_name: str) -> int | None:
    if at is None:
        return None
    moment = datetime.fromisoformat(at).replace(tzinfo=UTC)
    return local_time(moment, zone_name).hour


def prepare(session: Session) -> None:
    """Ready a session's connection for the report statements (SQLite: the functions)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # The percentiles and the grouping sort in memory rather than on disk; a report
        # runs once, so compiling it (JIT) costs more than it saves.
        connection.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        connection.exec_driver_sql("SET LOCAL jit = off")
        return
    raw: Any = connection.connection.driver_connection
    raw.create_function("qms_local_hour", 2, _local_hour, deterministic=True)
    raw.create_aggregate("qms_percentile", 2, _Percentile)
