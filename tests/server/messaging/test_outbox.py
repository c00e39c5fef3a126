import threading
from datetime import UTC, datetime

from server.contract.messages import CallEvent, QueueSnapshot
from server.messaging.examples import call_info
from server.messaging.outbox import Outbox


def queue_snapshot(seq: int) -> QueueSnapshot:
    return QueueSnapshot(
        site="hcm-main",
        seq=seq,
        generated_at=datetime(2026, 1, 5, 2, 0, tzinfo=UTC),
        site_name="Trung tâm",
        business_day="2026-01-05",
        services=[],
        waiting_total=seq,
    )


def event(seq: int) -> CallEvent:
    return CallEvent(site="hcm-main", seq=seq, call=call_info())


def test_snapshots_of_one_topic_coalesce_in_place_events_never():
    box = Outbox()
    box.put_snapshot("t/queue", queue_snapshot(1))
    box.put_event("t/calls", event(2))
    box.put_snapshot("t/display", queue_snapshot(2))
    box.put_snapshot("t/queue", queue_snapshot(3))
    box.put_event("t/calls", event(4))
    items = box.take()
    assert [(i.topic, i.message.seq, i.retain) for i in items] == [
        ("t/queue", 3, True),
        ("t/calls", 2, False),
        ("t/display", 2, True),
        ("t/calls", 4, False),
    ]
    assert box.take(timeout=0) == []


def test_an_older_snapshot_never_replaces_a_newer_pending_one():
    box = Outbox()
    box.put_snapshot("t/queue", queue_snapshot(7))
    box.put_snapshot("t/queue", queue_snapshot(6))
    assert [i.message.seq for i in box.take()] == [7]


def test_without_coalescing_every_snapshot_is_kept():
    box = Outbox(coalesce=False)
    for seq in (1, 2, 3):
        box.put_snapshot("t/queue", queue_snapshot(seq))
    assert [i.message.seq for i in box.take()] == [1, 2, 3]


def test_take_waits_until_something_arrives_and_close_releases_it():
    box = Outbox()
    got: list[int] = []

    def taker() -> None:
        got.extend(i.message.seq for i in box.take(timeout=30))

    thread = threading.Thread(target=taker)
    thread.start()
    box.put_event("t/calls", event(9))
    thread.join(30)
    assert got == [9]
    box.close()
    assert box.closed
    assert box.take(timeout=30) == []


def test_wake_returns_an_empty_batch():
    box = Outbox()
    box.wake()
    assert box.take(timeout=30) == []
