"""CPU per operation of the service layer, in-process, on the demo hall.

    python -m bench.service_costs [--db sqlite|postgresql]

Seeds the demo (``hcm-main``) into a throwaway SQLite file, issues 1,000 tickets, then
prints the CPU time (``time.process_time``, median of three rounds) of an issue and a
call-next transaction and of the snapshot builds that follow them, each snapshot
serialised as the MQTT publisher would. Publishing here is synchronous (no pump, no
held-back snapshots): the figures are the cost of each piece, as docs/performance.md
("What limits it") lists them. Each line also gives the SQL statements it runs (round
trips to the database: what costs most on PostgreSQL). ``--db postgresql`` runs the
same on a throwaway PostgreSQL (the tests' ``tests/support/postgres.py``).
"""

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel
from sqlalchemy import event

from bench.throughput import SITE, issue_plan
from server.contract.http import TicketIn
from server.projection.effects import Effects
from server.service import QueueService
from server.storage import lean
from server.storage.db import Database, sqlite_url
from server.storage.seeding import CREDENTIALS_FILE, seed_demo


class Serialising:
    """A publisher that only serialises (the MQTT publisher's share of a build)."""

    def __init__(self) -> None:
        self.count = 0

    def publish_snapshot(self, topic: str, message: BaseModel) -> None:
        self.count += 1
        message.model_dump_json()

    def publish_event(self, topic: str, message: BaseModel) -> None:
        self.publish_snapshot(topic, message)


def cpu_ms_of(fn: Callable[[], object], n: int) -> float:
    rounds = []
    for _ in range(3):
        start = time.process_time()
        for _ in range(n):
            fn()
        rounds.append((time.process_time() - start) * 1000 / n)
    return statistics.median(rounds)


@contextmanager
def database_url(db: str, data: Path) -> Iterator[str]:
    if db == "sqlite":
        yield sqlite_url(data)
        return
    from tests.support.postgres import PostgresServer

    pg = PostgresServer()
    pg.start()
    try:
        yield pg.create_database()
    finally:
        pg.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.service_costs")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    args = parser.parse_args(argv)
    with ExitStack() as stack:
        data = Path(tempfile.mkdtemp(prefix="qms-costs-"))
        measure(stack.enter_context(database_url(args.db, data)), data, args.db)


def measure(url: str, data: Path, db: str) -> None:
    seed_demo(url, data, now=datetime.now(UTC), always_open=True)
    creds = json.loads((data / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    publisher = Serialising()
    database = Database(url)
    statements = [0]

    @event.listens_for(database.engine, "before_cursor_execute")
    def count(*_args: object) -> None:
        statements[0] += 1

    def cpu_ms(fn: Callable[[], object], n: int) -> tuple[float, float]:
        # Statements through SQLAlchemy, and the lean ones on the driver's cursor.
        before = statements[0] + lean.executed[0]
        ms = cpu_ms_of(fn, n)
        return ms, (statements[0] + lean.executed[0] - before) / (3 * n)

    service = QueueService(database, publisher)
    token = next(v for k, v in creds["devices"].items() if k.startswith("kiosk-"))
    kiosk = service.accounts.authenticate(token)
    staff = service.accounts.authenticate(
        service.accounts.login("supervisor", "demo-giam-sat").token
    )
    plan = issue_plan(1900)
    for i in range(1000):
        service.tickets.issue(SITE, TicketIn(service=plan[i]), kiosk, f"seed-{i}", "h")
    with service.core.reading(SITE) as view:
        counters = list(view.bundle.counters)
    step = [1000]
    seen: list[Effects] = []
    publish = service.projector.publish

    def issue() -> None:
        step[0] += 1
        body = TicketIn(service=plan[step[0]])
        service.tickets.issue(SITE, body, kiosk, f"i-{step[0]}", "h")

    def call() -> None:
        step[0] += 1
        counter = counters[(step[0] * 7) % len(counters)]
        service.counters.act(
            SITE, counter, "call-next", staff, key=f"c-{step[0]}", request_hash="h"
        )

    service.projector.publish = lambda site_id, effects: seen.append(effects)  # type: ignore[method-assign]
    rows = [("issue-ticket transaction", *cpu_ms(issue, 100))]
    issued = seen[-1]
    rows.append(("call-next transaction", *cpu_ms(call, 100)))
    called = seen[-1]
    service.projector.publish = publish  # type: ignore[method-assign]

    def build(effects: Effects, n: int) -> tuple[float, float, float]:
        before = publisher.count
        ms, sql = cpu_ms(lambda: service.projector._publish_now(SITE, effects), n)
        return ms, sql, (publisher.count - before) / (3 * n)

    at_once = Effects(areas=set(issued.areas), counters=set(issued.counters), calls=[])
    everything = Effects(counts=set(counters), queue=True)
    for name, effects, n in (
        ("snapshots after one issue, all of them", issued, 50),
        ("  of which sent at once by the pump", at_once, 50),
        ("snapshots after one call-next", called, 50),
        ("every counter snapshot and the queue", everything, 10),
    ):
        ms, sql, messages = build(effects, n)
        rows.append((f"{name} ({messages:.0f} messages)", ms, sql))
    print(
        f"qms service costs on {SITE}, ~1,000 waiting, {db} (CPU ms, median of 3; SQL statements)"
    )
    for name, ms, sql in rows:
        print(f"  {name:<58} {ms:7.2f} ms {sql:5.1f} stmts")


if __name__ == "__main__":
    main()
