"""Schema, mapping and seeding on SQLite and PostgreSQL."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from server.contract.vocab import Outcome, TicketStatus
from server.engine.model import Ticket
from server.storage.bundles import load_bundle
from server.storage.heads import PG_HEADS
from server.storage.mapping import ticket_from_row
from server.storage.models import (
    Base,
    CounterServiceRow,
    SiteRow,
    TicketRow,
    UserRow,
    exists_on,
)
from server.storage.repository import Repository
from server.storage.seeding import load_sites
from tests.server.backends import SITE, tiny_site


def test_migrations_match_the_models(world) -> None:
    with world.db.engine.connect() as conn:
        options = {"include_object": exists_on(conn.dialect.name)}
        diff = compare_metadata(MigrationContext.configure(conn, opts=options), Base.metadata)
    assert diff == []


def test_the_line_head_indexes_are_used_on_postgresql_only(world) -> None:
    with world.db.engine.connect() as conn:
        names = {i["name"] for i in inspect(conn).get_indexes("tickets")}
    heads = {"ix_tickets_head_normal", "ix_tickets_head_priority"}
    postgresql = world.db.engine.dialect.name == "postgresql"
    assert heads & names == (heads if postgresql else set())
    if not postgresql:
        return
    # The line heads statement reads them (the waiting status is written into its SQL,
    # so even a plan made for any parameter values implies the indexes' condition).
    compiled = PG_HEADS[True].compile(dialect=world.db.engine.dialect)
    params = compiled.construct_params(
        {"site": SITE, "day": world.clock().date(), "services": ["a", "b"], "limit": 1}
        | {"counter": "1"}
    )
    with world.db.engine.connect() as conn:
        conn.exec_driver_sql("SET enable_seqscan = off")  # a tiny table: as when it is big
        plan = "\n".join(r[0] for r in conn.exec_driver_sql(f"EXPLAIN {compiled}", params))
    assert "ix_tickets_head_normal" in plan and "ix_tickets_head_priority" in plan


def test_sqlite_runs_in_wal_with_foreign_keys(tmp_path) -> None:
    from server.storage.db import Database

    db = Database(f"sqlite:///{tmp_path / 'x.db'}")
    with db.read() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    db.dispose()


def test_configuration_round_trips(world) -> None:
    seed = tiny_site()
    with world.db.read() as s:
        bundle = load_bundle(s, s.get(SiteRow, SITE))
    assert bundle.site == seed.site
    assert list(bundle.services.values()) == list(seed.services)
    assert list(bundle.counters.values()) == list(seed.counters)
    assert list(bundle.areas.values()) == list(seed.areas)


def test_every_ticket_field_round_trips_with_aware_times(world) -> None:
    now = datetime(2026, 3, 2, 3, 4, 5, 678000, tzinfo=UTC)
    ticket = Ticket(
        id="t" * 32, site=SITE, service="ht", number="1001", seq=1, business_day=now.date(),
        status=TicketStatus.DONE, issued_at=now, queue_at=now, priority="elderly", language="en",
        citizen_key="k" * 64, counter_id="1", target_counter="2", transferred_from="x",
        called_at=now, call_count=2, started_at=now, finished_at=now, outcome=Outcome.SERVED,
        estimate_s=120, note="ghi chú",
    )  # fmt: skip
    with world.db.write() as s:
        Repository(s).save_ticket(ticket)
    with world.db.read() as s:
        loaded = ticket_from_row(s.get(TicketRow, ticket.id))
        light = Repository(s).live_tickets(SITE, now.date())
    assert loaded == ticket
    assert loaded.issued_at.tzinfo is not None
    assert light == []  # done is not live
    with world.db.write() as s:
        Repository(s).save_ticket(replace(ticket, id="u" * 32, status=TicketStatus.WAITING))
    with world.db.read() as s:
        assert [t.id for t in Repository(s).live_tickets(SITE, now.date())] == ["u" * 32]


def test_seeding_twice_changes_nothing_but_the_version(world) -> None:
    with world.db.read() as s:
        version = s.get(SiteRow, SITE).config_version
        users = s.scalar(select(func.count()).select_from(UserRow))
        links = s.scalar(select(func.count()).select_from(CounterServiceRow))
        hashes = dict(s.execute(select(UserRow.username, UserRow.password_hash)).all())
    with world.db.write() as s:
        tokens = load_sites(s, [tiny_site()], now=world.clock(), known_tokens=world.tokens)
    assert tokens == world.tokens
    with world.db.read() as s:
        assert s.get(SiteRow, SITE).config_version == version + 1
        assert s.scalar(select(func.count()).select_from(UserRow)) == users
        assert s.scalar(select(func.count()).select_from(CounterServiceRow)) == links
        assert dict(s.execute(select(UserRow.username, UserRow.password_hash)).all()) == hashes
    world.service.accounts.authenticate(tokens[f"{SITE}-kiosk"])


def test_secrets_are_stored_hashed(world) -> None:
    login = world.service.accounts.login("c1", "pw-c1")
    with world.db.read() as s:
        user = s.scalars(select(UserRow).where(UserRow.username == "c1")).one()
        assert user.password_hash.startswith("scrypt$") and "pw-c1" not in user.password_hash
        from server.storage.models import DeviceRow, SessionRow

        assert s.get(SessionRow, login.token) is None
        stored = set(s.scalars(select(DeviceRow.token_hash)))
    assert not stored & set(world.tokens.values())


def _finished(n: int, service: str, start: datetime, seconds: float | None) -> Ticket:
    """A ticket whose service began at ``start`` and lasted ``seconds`` (None: still on)."""
    return Ticket(
        id=f"{n:032d}", site=SITE, service=service, number=str(1000 + n), seq=n,
        business_day=start.date(), issued_at=start, queue_at=start, called_at=start,
        call_count=1, started_at=start,
        status=TicketStatus.DONE if seconds is not None else TicketStatus.SERVING,
        finished_at=start + timedelta(seconds=seconds) if seconds is not None else None,
        outcome=Outcome.SERVED if seconds is not None else None,
    )  # fmt: skip


def test_service_times_are_the_length_of_each_finished_service(world) -> None:
    """Computed by the database (SQLite: julianday of the stored text) to the millisecond,
    newest first; open counters counted per field from the counters' state."""
    day = datetime(2026, 3, 2, 1, 0, 0, 123456, tzinfo=UTC)
    services = [("ht", 61.25), ("ht", 300.0), ("ht", 7.5), ("ct", 120.125), ("ht", None)]
    with world.db.write() as s:
        repo = Repository(s)
        for n, (service, seconds) in enumerate(services):
            repo.save_ticket(_finished(n, service, day + timedelta(minutes=10 * n), seconds))
    with world.db.read() as s:
        repo = Repository(s)
        assert repo.service_times_of(SITE, day.date(), "ht") == [7.5, 300.0, 61.25]
        assert repo.service_times_of(SITE, day.date(), "ht", limit=1) == [7.5]
        assert repo.recent_service_times(SITE, day.date()) == {
            "ct": [120.125],
            "ht": [7.5, 300.0, 61.25],
        }
        # the tiny site: counters 1 and 2 serve "ht", 1 and 3 serve "ct"; all closed
        assert repo.count_open_for(SITE, "ht") == 0
    world.service.counters.act(
        SITE, "2", "resume", world.actor("c2", "pw-c2"), key="open-2", request_hash="h"
    )
    with world.db.read() as s:
        assert Repository(s).count_open_for(SITE, "ht") == 1
        assert Repository(s).count_open_for(SITE, "ct") == 0


def test_postgresql_plans_a_prepared_statement_once(world) -> None:
    """The line-heads statement was re-planned at every call (0.9 ms of planning for
    0.14 ms of work) under PostgreSQL's default choice of plan."""
    if world.db.engine.dialect.name != "postgresql":
        return
    with world.db.engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW plan_cache_mode").scalar() == "force_generic_plan"
