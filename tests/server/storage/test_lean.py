"""Lean statements (``server.storage.lean``) run the repository's hot SQL on the driver's
cursor, skipping SQLAlchemy's execution. They are only safe if nothing else changes:
the same values and Python types as through ``session.execute`` (dates, aware UTC
datetimes, booleans, JSON), the row counts of writes, the ORM's pending changes
flushed first, and the Session's own transaction (its uncommitted writes, its
rollback). Statements they cannot run as fixed SQL must be refused, not run wrongly.
Each test runs on SQLite and on PostgreSQL."""

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError

from server.storage import call_statements as calls_sql
from server.storage import statements as st
from server.storage.db import Database
from server.storage.idempotency import answer
from server.storage.lean import Lean
from server.storage.migrate import upgrade
from server.storage.models import CallRow, SiteRow, TicketRow
from server.storage.records import (
    CALL_COLUMNS,
    COUNTER_COLUMNS,
    TICKET_COLUMNS,
    CounterRecord,
    TicketRecord,
)
from server.storage.repository import Repository

SITE = "s1"
DAY = date(2026, 3, 2)
HANOI = timezone(timedelta(hours=7))
T = TicketRow.__table__.c
SET_NOTE = update(st.TICKETS).where(T.id == bindparam("tid")).values(note=bindparam("p_note"))


def _site(site_id: str) -> SiteRow:
    return SiteRow(id=site_id, name="Điểm", name_en="Point", time_zone="Asia/Ho_Chi_Minh")


def _ticket(ticket_id: str, status: str = "waiting") -> TicketRow:
    return TicketRow(
        id=ticket_id, site_id=SITE, service="ht", number="1001", seq=7, business_day=DAY,
        status=status, issued_at=datetime(2026, 3, 2, 9, 4, 5, 678901, tzinfo=HANOI),
        queue_at=datetime(2026, 3, 2, 2, 4, 6, tzinfo=UTC), priority="elderly", language="en",
        citizen_key=None, counter_id=None, target_counter="2", transferred_from=None,
        called_at=None, call_count=3, started_at=datetime(2026, 3, 2, 2, 5, tzinfo=UTC),
        finished_at=None, outcome=None, estimate_s=120, note="ghi chú", track_token=None,
        clerk=None,
    )  # fmt: skip


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    upgrade(database.engine)
    with database.write() as s:
        s.add(_site(SITE))
        s.flush()
        s.add_all([_ticket("a" * 32), _ticket("b" * 32, status="done")])
    yield database
    database.dispose()


def _same_as_sqlalchemy(db: Database, stmt: Any, params: dict[str, Any]) -> list[Any]:
    """The lean rows, checked value by value and type by type against SQLAlchemy's."""
    with db.read() as s:
        lean_rows = Repository(s).sql.rows(stmt, params)
        orm_rows = s.execute(stmt, params).all()
    assert len(lean_rows) == len(orm_rows) > 0
    for lean_row, orm_row in zip(lean_rows, orm_rows, strict=True):
        assert lean_row._fields == orm_row._fields
        for name, mine, theirs in zip(lean_row._fields, lean_row, orm_row, strict=True):
            assert type(mine) is type(theirs), name
            assert mine == theirs, name
            if isinstance(mine, datetime):
                assert mine.utcoffset() == theirs.utcoffset() == timedelta(0), name
    return lean_rows


def test_lean_reads_give_what_sqlalchemy_gives(db: Database) -> None:
    [row] = _same_as_sqlalchemy(db, st.tickets_by_status(("waiting",)), {"site": SITE})
    assert row.id == "a" * 32  # the "done" ticket is left out by one_of
    assert row.business_day == DAY
    assert row.issued_at == datetime(2026, 3, 2, 2, 4, 5, 678901, tzinfo=UTC)
    assert (row.priority, row.seq, row.call_count, row.called_at) == ("elderly", 7, 3, None)

    at = datetime(2026, 3, 2, 2, 6, tzinfo=UTC)
    with db.write() as s:
        s.add(
            CallRow(call_id="c1", site_id=SITE, area="A", counter_id="2", ticket_id="a" * 32,
                    at=at, recall=True, call_count=2)
        )  # fmt: skip
    [call] = _same_as_sqlalchemy(
        db, calls_sql.RECENT_CALLS_LIGHT, {"site": SITE, "area": "A", "limit": 5}
    )
    assert (call.recall, call.at, call.ticket_priority) == (True, at, "elderly")
    counts = _same_as_sqlalchemy(db, st.WAITING_COUNTS, {"site": SITE, "day": DAY})
    assert [tuple(r) for r in counts] == [("ht", 1)]


def test_json_answers_round_trip(db: Database) -> None:
    response = {"ticket": {"number": "1001", "ahead": 3}, "ok": True, "tags": ["ư", None]}
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    with db.write() as s:
        row = answer("issue", "k1", request_hash="h", status_code=201, response=response, now=now)
        Repository(s).remember(row)
    with db.read() as s:
        found = Repository(s).idempotent("issue", "k1")
        assert Repository(s).idempotent("issue", "other") is None
    assert (found.request_hash, found.status_code, found.response) == ("h", 201, response)
    _same_as_sqlalchemy(db, st.IDEMPOTENT, {"scope": "issue", "key": "k1"})


def test_write_gives_the_rows_it_changed(db: Database) -> None:
    with db.write() as s:
        repo = Repository(s)
        assert repo.sql.write(SET_NOTE, {"tid": "x" * 32, "p_note": "n"}) == 0
        assert repo.sql.write(SET_NOTE, {"tid": "a" * 32, "p_note": "n"}) == 1
        assert repo.sql.write(st.BUMP_SEQ, {"site": SITE}) == 1
        assert repo.sql.write(st.BUMP_SEQ, {"site": "nowhere"}) == 0


def test_pending_orm_changes_are_flushed_first(db: Database) -> None:
    with db.write() as s:
        s.add(_site("s2"))  # pending, not flushed
        site = s.get(SiteRow, SITE)
        assert site is not None
        site.config_version = 5  # dirty
        repo = Repository(s)
        assert tuple(repo.sql.first(st.SITE_VERSION, {"site": "s2"})) == (0, 1, None)
        assert repo.sql.first(st.SITE_VERSION, {"site": SITE}).config_version == 5


def test_lean_statements_share_the_sessions_transaction(db: Database) -> None:
    waiting = st.tickets_by_status(("waiting",))
    with pytest.raises(RuntimeError), db.write() as s:
        repo = Repository(s)
        repo.sql.write(SET_NOTE, {"tid": "a" * 32, "p_note": "changed"})
        s.execute(update(st.TICKETS).where(T.id == "b" * 32).values(status="waiting"))
        notes = {r.id: r.note for r in repo.sql.rows(waiting, {"site": SITE})}
        assert notes == {"a" * 32: "changed", "b" * 32: "ghi chú"}
        assert s.scalar(select(T.note).where(T.id == "a" * 32)) == "changed"
        raise RuntimeError("roll it back")
    with db.read() as s:
        assert [(r.id, r.note) for r in Repository(s).sql.rows(waiting, {"site": SITE})] == [
            ("a" * 32, "ghi chú")
        ]


def test_statements_that_cannot_be_fixed_are_refused(db: Database) -> None:
    dialect = db.engine.dialect
    expanding = select(T.id).where(T.status.in_(bindparam("s", expanding=True)))
    with pytest.raises(ValueError, match="expand"):
        Lean(expanding, dialect)
    with pytest.raises(ValueError, match="expand"):
        Lean(select(T.id).where(T.status.in_(["a", "b"])), dialect)
    keys = [c.key for c in st.TICKETS.c if c.key != "note"]
    with pytest.raises(ValueError, match="note"):
        Lean(insert(st.TICKETS), dialect, keys)
    Lean(insert(st.TICKETS), dialect, [*keys, "note"])  # every column given: accepted
    with pytest.raises(ValueError, match="constant"):
        st.one_of(T.status, ["waiting", "x' OR 1=1"])


def test_driver_errors_come_as_sqlalchemys(db: Database) -> None:
    """The API answers SQLAlchemy's exceptions (503 for a busy or lost database): a lean
    statement's driver error is raised as the same SQLAlchemy class, and nothing of
    its transaction is written."""
    now = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    row = answer("issue", "dup", request_hash="h", status_code=201, response={}, now=now)
    with db.write() as s:
        Repository(s).remember(row)
    with pytest.raises(IntegrityError), db.write() as s:
        Repository(s).sql.write(st.BUMP_SEQ, {"site": "nowhere"})
        Repository(s).remember(row)
    with db.read() as s:
        assert Repository(s).idempotent("issue", "dup") is not None


def test_records_have_the_columns_of_their_tables() -> None:
    """A record is read from and written to its table by column name."""
    assert set(TICKET_COLUMNS) == set(TicketRecord.__slots__)
    assert set(COUNTER_COLUMNS) == set(CounterRecord.__slots__)
    calls = set(CallRow.__table__.c.keys()) - {"id"}
    assert set(CALL_COLUMNS) == calls


def test_recent_calls_of_several_areas_are_those_of_each(db: Database) -> None:
    """A build after a burst reads every board's recent calls at once (PostgreSQL: one
    statement): the same rows, newest first, as one area at a time; none for a quiet one."""
    at = datetime(2026, 3, 2, 2, 6, tzinfo=UTC)
    with db.write() as s:
        for n in range(7):
            s.add(
                CallRow(call_id=f"c{n}", site_id=SITE, area="AB"[n % 2], counter_id=str(n),
                        ticket_id="ab"[n % 3 % 2] * 32, at=at + timedelta(seconds=n),
                        recall=n == 4, call_count=1)
            )  # fmt: skip
            s.flush()
    with db.read() as s:
        repo = Repository(s)
        together = repo.recent_calls_of_areas(SITE, ["A", "B", "C"], 3)
        one_by_one = {area: repo.recent_calls_light(SITE, area, 3) for area in "ABC"}
    assert [c.call_id for c in together["A"]] == ["c6", "c4", "c2"]
    assert [c.call_id for c in together["B"]] == ["c5", "c3", "c1"]
    assert together["C"] == []
    for area in "ABC":
        assert [c[:11] for c in together[area]] == [tuple(c) for c in one_by_one[area]]
