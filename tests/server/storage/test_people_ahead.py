"""The database counts people ahead of a waiting ticket by the engine's own rule."""

import random
from datetime import UTC, datetime, timedelta

from server.contract.vocab import TicketStatus
from server.engine.estimate import people_ahead
from server.engine.model import Ticket
from server.storage.repository import Repository
from tests.server.backends import SITE


def _queue(rng: random.Random, day: datetime) -> list[Ticket]:
    """Two fields; priority and normal tickets; some sent to a counter; ties in queue
    time broken by seq; a few not waiting any more."""
    tickets = []
    for n in range(60):
        status = rng.choice([TicketStatus.WAITING] * 5 + [TicketStatus.CALLED, TicketStatus.DONE])
        ticket = Ticket(
            id=f"{rng.randrange(16**8):08x}{n:024d}", site=SITE,
            service=rng.choice(["ht", "ct"]), number=str(1000 + n), seq=rng.randrange(1, 40),
            business_day=day.date(), status=status, issued_at=day,
            queue_at=day + timedelta(seconds=rng.choice([0, 0, 1, 2, 3.5, 7])),
            priority=rng.choice([None, None, None, "elderly"]),
            target_counter=rng.choice([None, None, None, "1", "2"]),
        )  # fmt: skip
        tickets.append(ticket)
    return tickets


def test_people_ahead_in_the_database_match_the_engine(world) -> None:
    day = datetime(2026, 3, 2, 1, 0, 0, 250000, tzinfo=UTC)
    rng = random.Random(20261130)
    tickets = _queue(rng, day)
    with world.db.write() as s:
        repo = Repository(s)
        for ticket in tickets:
            repo.save_ticket(ticket)
    waiting = [t for t in tickets if t.status is TicketStatus.WAITING]
    with world.db.read() as s:
        repo = Repository(s)
        counted = {t.id: repo.count_ahead_of(t) for t in waiting}
    assert counted == {t.id: people_ahead(t, tickets) for t in waiting}
    assert max(counted.values()) > 3  # the queue is long enough to mean something
