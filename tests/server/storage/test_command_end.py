"""A command's last writes (``Repository.end_command``): its events, calls, the site's seq
bump and its idempotency answer (an issue's ticket and number, a call-next's kept
updates too), one statement on PostgreSQL and one per kind on SQLite.
Whatever the backend and however many rows, every row lands exactly once, with the
same values and types as written one by one, inside the command's transaction.
Each test runs on SQLite and on PostgreSQL."""

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from server.contract.vocab import TicketStatus
from server.engine.model import Event, Ticket
from server.storage import command_end
from server.storage.db import Database
from server.storage.idempotency import answer
from server.storage.mapping import ticket_to_record
from server.storage.migrate import upgrade
from server.storage.models import (
    AreaRow,
    CallRow,
    CounterRow,
    DayCounterRow,
    SiteRow,
    TicketEventRow,
    TicketRow,
)
from server.storage.records import CallRecord
from server.storage.repository import Repository

SITE = "s1"
AT = datetime(2026, 3, 2, 2, 4, 5, 678901, tzinfo=UTC)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    upgrade(database.engine)
    with database.write() as s:
        s.add(SiteRow(id=SITE, name="Điểm", name_en="Point", time_zone="Asia/Ho_Chi_Minh"))
    yield database
    database.dispose()


def _event(n: int) -> Event:
    return Event(
        ticket_id=f"t{n}",
        kind="called",
        at=AT,
        actor="clerk-1",
        counter_id="2",
        data={"reason": "ưu tiên", "n": n, "when": AT},
    )


def _call(n: int) -> CallRecord:
    return CallRecord(
        call_id=f"c{n}", site_id=SITE, area="A", counter_id="2", ticket_id=f"t{n}", at=AT,
        recall=n % 2 == 1, call_count=n + 1,
    )  # fmt: skip


def _end(db: Database, events: int, calls: int, *, bump: bool, key: str | None) -> None:
    with db.write() as s:
        repo = Repository(s)
        repo.append_events(SITE, [_event(n) for n in range(events)])
        for n in range(calls):
            repo.add_call(_call(n))
        stored = None
        if key is not None:
            body = {"number": "1001", "ahead": 3, "name": "Hộ tịch"}
            stored = answer(
                "device:k", key, request_hash="h", status_code=201, response=body, now=AT
            )
        repo.end_command(SITE, stored, bump=bump)


def _written(db: Database) -> tuple[int, list[Any], list[Any]]:
    with db.read() as s:
        seq = s.scalar(select(SiteRow.seq).where(SiteRow.id == SITE))
        events = list(s.scalars(select(TicketEventRow).order_by(TicketEventRow.id)))
        calls = list(s.scalars(select(CallRow).order_by(CallRow.id)))
        s.expunge_all()
    assert seq is not None
    return seq, events, calls


@pytest.mark.parametrize(
    ("events", "calls"), [(0, 0), (1, 0), (2, 1), (1, 2), (command_end.MAX_EVENTS + 3, 3)]
)
def test_every_row_lands_once(db: Database, events: int, calls: int) -> None:
    """Including more rows than one statement takes (the table-by-table fallback)."""
    _end(db, events, calls, bump=True, key="k1")
    seq, stored_events, stored_calls = _written(db)
    assert seq == 1
    assert [e.ticket_id for e in stored_events] == [f"t{n}" for n in range(events)]
    for n, e in enumerate(stored_events):
        assert (e.site_id, e.kind, e.at, e.actor, e.counter_id) == (
            SITE,
            "called",
            AT,
            "clerk-1",
            "2",
        )
        assert e.data == {"reason": "ưu tiên", "n": n, "when": AT.isoformat()}
    assert [c.values() for c in map(_as_record, stored_calls)] == [
        _call(n).values() for n in range(calls)
    ]
    with db.read() as s:
        found = Repository(s).idempotent("device:k", "k1")
    assert (found.request_hash, found.status_code) == ("h", 201)
    assert found.response == {"number": "1001", "ahead": 3, "name": "Hộ tịch"}


def _as_record(row: CallRow) -> CallRecord:
    return CallRecord(**{k: getattr(row, k) for k in command_end.CALL_KEYS})


def test_bump_and_answer_each_optional(db: Database) -> None:
    _end(db, 1, 0, bump=False, key=None)  # e.g. a rating: an event, no snapshot changes
    assert _written(db)[0] == 0
    _end(db, 0, 0, bump=True, key=None)
    assert _written(db)[0] == 1
    _end(db, 0, 0, bump=False, key="only-answer")
    with db.read() as s:
        assert Repository(s).idempotent("device:k", "only-answer") is not None
    _end(db, 0, 0, bump=False, key=None)  # nothing to write: no statement, no error
    seq, events, calls = _written(db)
    assert (seq, len(events), len(calls)) == (1, 1, 0)


def test_a_failing_end_writes_nothing_of_the_command(db: Database) -> None:
    """A key stored twice (a bug, or a race the site lock should have prevented): the
    whole transaction is refused, its events and calls too, never half of it."""
    _end(db, 0, 0, bump=False, key="dup")
    with pytest.raises(IntegrityError):
        _end(db, 2, 1, bump=True, key="dup")
    seq, events, calls = _written(db)
    assert (seq, events, calls) == (0, [], [])


def test_one_statement_per_shape() -> None:
    first = command_end.statement(2, 1, bump=True, answer=True)
    assert command_end.statement(2, 1, bump=True, answer=True) is first
    assert command_end.statement(1, 1, bump=True, answer=True) is not first
    with pytest.raises(ValueError, match="no writes"):
        command_end.statement(0, 0, bump=False, answer=False)


def _issued(db: Database, service: str) -> int:
    with db.read() as s:
        return Repository(s).issued_today(SITE, AT.date(), service)


def _new_ticket(n: int) -> Ticket:
    return Ticket(
        id=f"{n:032d}", site=SITE, service="ht", number=f"{1000 + n}", seq=n,
        business_day=AT.date(), status=TicketStatus.WAITING, issued_at=AT, queue_at=AT,
    )  # fmt: skip


def test_an_issue_ends_with_its_ticket_and_number(db: Database) -> None:
    """The ticket and the day's count land with the command's end, the day's first
    number of a field and the next alike."""
    for n in (1, 2):
        with db.write() as s:
            repo = Repository(s)
            repo.take_number(SITE, AT.date(), "ht")
            repo.insert_ticket(_new_ticket(n), track_token=f"tok{n}")
            repo.append_events(SITE, [_event(n)])
            repo.end_command(SITE, None, bump=True)
        assert _issued(db, "ht") == n
    assert _issued(db, "other") == 0
    with db.read() as s:
        rows = Repository(s).tickets_light(SITE, ["waiting"])
    assert sorted(t.number for t in rows) == ["1001", "1002"]
    assert _written(db)[0] == 2


def test_a_read_sees_the_ticket_just_issued(db: Database) -> None:
    """Kept for the end on PostgreSQL, but never hidden from the command's own reads."""
    with db.write() as s:
        repo = Repository(s)
        repo.take_number(SITE, AT.date(), "ht")
        repo.insert_ticket(_new_ticket(1), track_token=None)
        assert repo.issued_today(SITE, AT.date(), "ht") == 1
        assert [t.id for t in repo.tickets_light(SITE, ["waiting"])] == [f"{1:032d}"]
        repo.end_command(SITE, None, bump=False)
    assert _issued(db, "ht") == 1


def _issue(db: Database, *numbers: int) -> None:
    with db.write() as s:
        repo = Repository(s)
        for n in numbers:
            repo.insert_ticket(_new_ticket(n), track_token=None)
        s.add(AreaRow(site_id=SITE, id="A", name_vi="Khu A", name_en="Zone A"))
        s.flush()
        s.add(CounterRow(site_id=SITE, id="2", number=2, name="Quầy 2", area="A"))
        repo.end_command(SITE, None, bump=False)


def _states(db: Database) -> dict[str, tuple[str, str | None]]:
    with db.read() as s:
        rows = s.execute(select(TicketRow.id, TicketRow.status, TicketRow.counter_id)).all()
    return {r.id[-1]: (r.status, r.counter_id) for r in rows}


def test_kept_updates_land_with_the_end(db: Database) -> None:
    """A call-next's tail: close one ticket, call another, count the counter's streak."""
    _issue(db, 1, 2)
    with db.write() as s:
        repo = Repository(s)
        counter, _ = repo.counter_and_held(SITE, "2")
        [one, two] = sorted(repo.tickets_light(SITE, ["waiting"]), key=lambda t: t.seq)
        repo.keep_updates()
        repo.save_ticket(replace(one, status=TicketStatus.DONE), ticket_to_record(one))
        called = replace(two, status=TicketStatus.CALLED, counter_id="2", call_count=1)
        row = repo.save_ticket(called, ticket_to_record(two))
        assert counter is not None
        repo.update_counter(counter, priority_streak=3)
        assert (row.status, counter.priority_streak) == ("called", 3)  # rows follow at once
        repo.end_command(SITE, None, bump=True)
    assert _states(db) == {"1": ("done", None), "2": ("called", "2")}
    with db.read() as s:
        counter, held = Repository(s).counter_and_held(SITE, "2")
    assert counter is not None and held is not None
    assert (counter.priority_streak, held.id[-1]) == (3, "2")


def test_a_row_kept_twice_and_a_read_write_what_was_kept_first(db: Database) -> None:
    """A statement may not change a row twice: the second change of a kept row writes the
    first at once; a lean read sees every kept change; beyond MAX_UPDATES they go at once."""
    _issue(db, *range(1, command_end.MAX_UPDATES + 3))
    with db.write() as s:
        repo = Repository(s)
        waiting = sorted(repo.tickets_light(SITE, ["waiting"]), key=lambda t: t.seq)
        repo.keep_updates()
        first = ticket_to_record(waiting[0])
        repo.save_ticket(replace(waiting[0], status=TicketStatus.CALLED, counter_id="2"), first)
        repo.save_ticket(replace(waiting[0], status=TicketStatus.SERVING, counter_id="2"), first)
        assert [t.id for t in repo.tickets_light(SITE, ["serving"])] == [waiting[0].id]
        for ticket in waiting[1:]:
            repo.save_ticket(replace(ticket, status=TicketStatus.PARKED), ticket_to_record(ticket))
        repo.end_command(SITE, None, bump=True)
    states = _states(db)
    assert states.pop("1") == ("serving", "2")
    assert set(states.values()) == {("parked", None)}
    assert len(states) == command_end.MAX_UPDATES + 1


def test_a_failed_command_keeps_nothing(db: Database) -> None:
    _issue(db, 1)
    with pytest.raises(RuntimeError), db.write() as s:
        repo = Repository(s)
        [one] = repo.tickets_light(SITE, ["waiting"])
        repo.keep_updates()
        repo.save_ticket(replace(one, status=TicketStatus.CALLED), ticket_to_record(one))
        raise RuntimeError("refused")
    assert _states(db) == {"1": ("waiting", None)}


def test_an_orm_read_in_a_command_sees_what_it_kept(db: Database) -> None:
    """A read a future developer adds to a command, through the ORM or a repository of
    its own on the same Session, sees the ticket just issued, its number, its event and
    its call, though they are kept for the command's last statement; each lands once."""
    ticket = _new_ticket(1)
    with db.write() as s:
        repo = Repository(s)
        repo.lock_site_version(SITE)
        repo.take_number(SITE, AT.date(), "ht")
        repo.insert_ticket(ticket, track_token="tok1")
        repo.append_events(SITE, [_event(1)])
        repo.add_call(_call(1))
        found = s.scalars(select(TicketRow).where(TicketRow.site_id == SITE)).one()
        assert (found.id, found.number, found.track_token) == (ticket.id, "1001", "tok1")
        assert s.get(DayCounterRow, (SITE, AT.date(), "ht")) is not None
        assert [e.ticket_id for e in s.scalars(select(TicketEventRow))] == ["t1"]
        assert [c.call_id for c in s.scalars(select(CallRow))] == ["c1"]
        assert Repository(s).ticket_by_track_token("tok1") is found
        repo.end_command(SITE, None, bump=True)
    assert _issued(db, "ht") == 1
    seq, events, calls = _written(db)
    assert (seq, len(events), len(calls)) == (1, 1, 1)
    assert list(_states(db)) == ["1"]


def test_an_orm_read_in_a_command_sees_its_kept_updates(db: Database) -> None:
    _issue(db, 1)
    with db.write() as s:
        repo = Repository(s)
        [one] = repo.tickets_light(SITE, ["waiting"])
        repo.keep_updates()
        repo.save_ticket(replace(one, status=TicketStatus.CALLED), ticket_to_record(one))
        row = s.get(TicketRow, one.id)
        assert row is not None and row.status == "called"
        repo.end_command(SITE, None, bump=True)
    assert _states(db) == {"1": ("called", None)}


def test_a_read_of_other_tables_leaves_the_kept_writes_for_the_end(db: Database) -> None:
    """Only a statement on a table with kept rows writes them first: the command's last
    statement still carries them (one statement on PostgreSQL)."""
    with db.write() as s:
        repo = Repository(s)
        repo.insert_ticket(_new_ticket(1), track_token=None)
        repo.append_events(SITE, [_event(1)])
        assert s.get(SiteRow, SITE) is not None
        assert repo.site_version(SITE) is not None
        assert repo.end.holds_any
        repo.end_command(SITE, None, bump=False)
        assert not repo.end.holds_any
    assert list(_states(db)) == ["1"]


def test_a_kept_update_of_the_ticket_just_issued_lands(db: Database) -> None:
    """The parts of one statement see the tables as before it: an update of the ticket
    the command inserts is not kept beside the insert, but written after it."""
    ticket = _new_ticket(1)
    with db.write() as s:
        repo = Repository(s)
        record = repo.insert_ticket(ticket, track_token=None)
        repo.keep_updates()
        repo.save_ticket(replace(ticket, status=TicketStatus.CALLED, counter_id="2"), record)
        repo.end_command(SITE, None, bump=True)
    assert _states(db) == {"1": ("called", "2")}
