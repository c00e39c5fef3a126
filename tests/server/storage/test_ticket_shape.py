"""The engine's ``Ticket`` is the one definition of a ticket's fields: the ``tickets``
table, the plain record and every column list of storage follow it. These fail when
a field is added, renamed or retyped on one side only."""

import dataclasses
import types
import typing
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table

from server.contract.vocab import Outcome, TicketStatus
from server.engine.model import Ticket
from server.storage.mapping import stored_values, ticket_from_row, ticket_to_record, ticket_to_row
from server.storage.models import TicketRow
from server.storage.records import (
    TICKET_CHANGES,
    TICKET_COLUMNS,
    TICKET_FIELD_COLUMNS,
    TICKET_FIELDS,
    TICKET_STORAGE_ONLY,
    TicketRecord,
)

TABLE = typing.cast(Table, TicketRow.__table__)


def _stored(hint: Any) -> Any:
    """The type a field is stored as: an enum as its value (a string)."""
    if isinstance(hint, type) and issubclass(hint, Enum):
        return str
    if isinstance(hint, types.UnionType):
        return typing.Union[tuple(_stored(arg) for arg in typing.get_args(hint))]  # noqa: UP007
    return hint


def test_the_table_has_the_engines_fields_and_its_own_columns() -> None:
    assert [f.name for f in dataclasses.fields(Ticket)] == list(TICKET_FIELDS)
    assert tuple(TABLE.c.keys()) == TICKET_COLUMNS
    assert TICKET_STORAGE_ONLY == ("track_token", "clerk")
    assert set(TICKET_CHANGES) == set(TICKET_COLUMNS) - {"id", "site_id", "track_token"}


def test_columns_are_nullable_and_defaulted_as_the_fields() -> None:
    hints = typing.get_type_hints(Ticket)
    for field in dataclasses.fields(Ticket):
        column = TABLE.c[dict(TICKET_FIELD_COLUMNS)[field.name]]
        optional = type(None) in typing.get_args(hints[field.name])
        assert column.nullable == optional, field.name
        if column.default is not None:
            default = field.default
            assert column.default.arg == (  # type: ignore[attr-defined]
                default.value if isinstance(default, Enum) else default
            ), field.name


def test_the_record_has_the_tables_columns_typed_as_stored() -> None:
    record = typing.get_type_hints(TicketRecord)
    assert tuple(record) == TICKET_COLUMNS
    engine = typing.get_type_hints(Ticket)
    for name, column in TICKET_FIELD_COLUMNS:
        assert record[column] == _stored(engine[name]), name
    for column in TICKET_STORAGE_ONLY:
        assert record[column] == str | None


def test_every_field_goes_there_and_back() -> None:
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    ticket = Ticket(
        id="a" * 32, site="s1", service="ht", number="1001", seq=7,
        business_day=date(2026, 3, 2), status=TicketStatus.DONE, issued_at=at,
        queue_at=at, priority="elderly", language="en", citizen_key="k",
        counter_id="2", target_counter="3", transferred_from="b" * 32, called_at=at,
        call_count=2, started_at=at, finished_at=at, outcome=Outcome.SERVED,
        estimate_s=300, note="ghi chú", channel="appointment",
    )  # fmt: skip
    defaults = {f.name: f.default for f in dataclasses.fields(Ticket)}
    assert all(getattr(ticket, name) != defaults[name] for name in TICKET_FIELDS)
    record = ticket_to_record(ticket)
    assert (record.site_id, record.status, record.outcome) == ("s1", "done", "served")
    assert (record.track_token, record.clerk) == (None, None)
    assert ticket_from_row(record) == ticket
    assert ticket_from_row(ticket_to_row(ticket)) == ticket
    assert set(stored_values(ticket)) == set(TICKET_CHANGES) - {"clerk"}
