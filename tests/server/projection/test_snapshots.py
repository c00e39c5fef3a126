"""The counter snapshot carries the site's settings the clerk's screen needs."""

from collections.abc import Iterator
from dataclasses import replace

import pytest

from server.contract import topics
from server.contract.messages import CounterSnapshot
from server.messaging.publisher import RecordingPublisher
from server.service import QueueService
from server.storage.db import Database
from server.storage.migrate import upgrade
from server.storage.seeding import load_sites
from tests.server.backends import SITE, Clock, db_url, tiny_site

__all__ = ["db_url"]  # the database fixture, on SQLite and on PostgreSQL


@pytest.fixture(params=[True, False], ids=["keeps-place", "to-front"])
def seeded(request: pytest.FixtureRequest, db_url: str) -> Iterator[tuple[QueueService, bool]]:
    """The tiny site with its transfer rule set either way, and a service over it."""
    keeps: bool = request.param
    seed = tiny_site()
    seed = replace(seed, site=replace(seed.site, transfer_keeps_place=keeps))
    db = Database(db_url)
    upgrade(db.engine)
    clock = Clock()
    with db.write() as session:
        load_sites(session, [seed], now=clock())
    yield QueueService(db, RecordingPublisher(), clock=clock), keeps
    db.dispose()


def test_the_counter_snapshot_carries_the_site_transfer_rule(seeded) -> None:
    service, keeps = seeded
    with service.core.reading(SITE) as view:
        built = view.counter("1")
    assert built.transfer_keeps_place is keeps
    # What goes out on every counter's topic says it too, and reads back the same.
    service.projector.republish_all()
    assert isinstance(service.projector.publisher, RecordingPublisher)
    for counter in ("1", "2", "3"):
        sent = service.projector.publisher.snapshots[topics.counter(SITE, counter)]
        assert isinstance(sent, CounterSnapshot) and sent.transfer_keeps_place is keeps
        again = CounterSnapshot.model_validate_json(sent.model_dump_json())
        assert again.transfer_keeps_place is keeps


def test_the_counters_answer_carries_the_site_transfer_rule(seeded) -> None:
    """What a counter terminal reads over HTTP while MQTT is away."""
    service, keeps = seeded
    assert service.reads.counters(SITE).transfer_keeps_place is keeps


def test_a_counter_snapshot_without_the_field_reads_as_keep() -> None:
    """A snapshot from a server older than the field still parses, as the engine's default."""
    sent = CounterSnapshot.model_validate(
        {
            "site": SITE,
            "seq": 1,
            "generated_at": "2026-03-02T02:00:00Z",
            "counter": {
                "id": "1",
                "number": 1,
                "name": "Quầy 1",
                "area": "A",
                "state": "open",
                "services": ["ht"],
            },
        }
    )
    assert sent.transfer_keeps_place is True
