"""Numbering and calling are serialised per site: many callers over two connection
pools (as two server processes would be), on SQLite and on a real PostgreSQL."""

from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from server.contract.http import TicketIn
from server.engine.errors import Refusal
from server.messaging.publisher import RecordingPublisher
from server.service import QueueService
from server.storage.db import Database
from server.storage.models import TicketEventRow, TicketRow
from tests.server.backends import SITE

THREADS = 8


def second_process(world) -> QueueService:
    """Another engine and pool on the same database: what a second server would use."""
    db = Database(world.db.url, pool_size=THREADS)
    return QueueService(db, RecordingPublisher(), clock=world.clock)


def test_concurrent_issuing_gives_unique_numbers(world) -> None:
    services = [world.service, second_process(world)]
    kiosk = world.kiosk
    per_thread = 6

    def run(i: int) -> list[str]:
        service = services[i % 2]
        out = []
        for j in range(per_thread):
            body = TicketIn(service="ht")
            result = service.tickets.issue(SITE, body, kiosk, f"k-{i}-{j}", "h")
            out.append(result.body["number"])
        return out

    with ThreadPoolExecutor(THREADS) as pool:
        numbers = [n for chunk in pool.map(run, range(THREADS)) for n in chunk]
    total = THREADS * per_thread
    assert sorted(numbers) == [str(1000 + k) for k in range(1, total + 1)]
    services[1].db.dispose()


def test_concurrent_call_next_calls_every_ticket_exactly_once(world) -> None:
    tickets = 40
    for k in range(tickets):
        body = TicketIn(service="ht")
        world.service.tickets.issue(SITE, body, world.kiosk, f"t-{k}", "h")
    services = [world.service, second_process(world)]
    clerks = {"1": world.actor("c1", "pw-c1"), "2": world.actor("c2", "pw-c2")}

    def run(i: int) -> list[str]:
        service = services[i % 2]
        counter = "1" if i % 4 < 2 else "2"
        called = []
        n = 0
        while True:
            n += 1
            try:
                result = service.counters.act(
                    SITE, counter, "call-next", clerks[counter], key=f"{i}-{n}", request_hash="x"
                )
            except Refusal as refusal:
                assert refusal.code == "nothing_waiting"
                return called
            called.append(result.body["ticket"]["id"])

    with ThreadPoolExecutor(THREADS) as pool:
        called = [t for chunk in pool.map(run, range(THREADS)) for t in chunk]
    assert len(called) == tickets
    assert len(set(called)) == tickets
    with world.db.read() as session:
        events = session.scalars(
            select(TicketEventRow.ticket_id).where(TicketEventRow.kind == "called")
        ).all()
        ids = set(session.scalars(select(TicketRow.id)).all())
    assert Counter(events) == dict.fromkeys(ids, 1)
    services[1].db.dispose()
