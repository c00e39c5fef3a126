"""What each command republishes, the pump's held-back slow snapshots, and that every
snapshot sent is still complete and ends at the final state."""

import threading
import time
from dataclasses import fields
from datetime import UTC, date, datetime

from server.contract import topics
from server.contract.http import TicketIn
from server.contract.messages import CounterSnapshot, DisplaySnapshot, QueueSnapshot
from server.contract.vocab import Outcome, TicketStatus
from server.engine.model import Ticket
from server.messaging.publisher import RecordingPublisher
from server.projection.effects import Effects
from server.projection.pump import BurstMeter, Pump
from server.service import QueueService
from server.storage.mapping import ticket_from_row, ticket_to_row
from tests.server.backends import SITE


class TopicLog(RecordingPublisher):
    """A recording publisher that also keeps the order of topics."""

    def __init__(self) -> None:
        super().__init__()
        self.topics: list[str] = []

    def publish_snapshot(self, topic, message) -> None:  # type: ignore[no-untyped-def]
        super().publish_snapshot(topic, message)
        self.topics.append(topic)


def issue(world, service="ht", **extra):
    body = TicketIn(service=service, **extra)
    return world.service.tickets.issue(SITE, body, world.kiosk, None, body.model_dump_json())


def act(world, actor, counter, action):
    return world.service.counters.act(SITE, counter, action, actor, key=None, request_hash=action)


def spy_effects(world) -> list[Effects]:
    seen: list[Effects] = []
    publish = world.service.projector.publish

    def spy(site_id: str, effects: Effects) -> None:
        seen.append(effects)
        publish(site_id, effects)

    world.service.projector.publish = spy
    return seen


def counter_snapshot(world, counter: str) -> CounterSnapshot:
    snap = world.publisher.snapshots[topics.counter(SITE, counter)]
    assert isinstance(snap, CounterSnapshot)
    return snap


def test_an_issue_far_back_in_its_line_changes_only_waiting_counts(world) -> None:
    effects = spy_effects(world)
    first = [issue(world).body["number"] for _ in range(5)]
    # within the first five of the line: the counters of the field show it next
    assert all(e.counters == {"1", "2"} and not e.counts for e in effects)
    effects.clear()
    sixth = issue(world).body
    assert sixth["people_ahead"] == 5
    (change,) = effects
    assert change.counters == set() and change.counts == {"1", "2"}
    assert change.areas == {"A"} and change.queue
    # what went out is complete: same next tickets, the new count, boards and queue too
    for counter in ("1", "2"):
        snap = counter_snapshot(world, counter)
        assert [t.number for t in snap.next_up] == first
        assert {w.code: w.waiting for w in snap.waiting}["ht"] == 6
    display = world.publisher.snapshots[topics.display(SITE, "A")]
    assert isinstance(display, DisplaySnapshot)
    assert {w.code: w.waiting for w in display.waiting}["ht"] == 6
    queue = world.publisher.snapshots[topics.queue(SITE)]
    assert isinstance(queue, QueueSnapshot) and queue.waiting_total == 6


def test_a_priority_ticket_behind_a_long_normal_line_goes_out_at_once(world) -> None:
    for _ in range(6):
        issue(world)
    effects = spy_effects(world)
    prio = issue(world, priority="elderly").body
    (change,) = effects
    assert change.counters == {"1", "2"} and not change.counts
    assert counter_snapshot(world, "2").next_up[0].id == prio["id"]


def test_closing_the_ticket_at_a_counter_republishes_only_that_counter(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    issue(world)
    issue(world)
    act(world, clerk, "2", "call-next")
    log = TopicLog()
    world.service.projector.publisher = log
    act(world, clerk, "2", "start")
    assert topics.counter(SITE, "1") not in log.topics
    assert topics.counter(SITE, "2") in log.topics
    assert topics.display(SITE, "A") in log.topics and topics.queue(SITE) in log.topics
    started = log.snapshots[topics.counter(SITE, "2")]
    assert isinstance(started, CounterSnapshot) and started.current is not None
    assert started.current.status == TicketStatus.SERVING
    # calling the next one takes a ticket out of the line: every counter of the field
    log.topics.clear()
    act(world, clerk, "2", "call-next")
    assert topics.counter(SITE, "1") in log.topics
    one = log.snapshots[topics.counter(SITE, "1")]
    assert isinstance(one, CounterSnapshot) and one.next_up == []


def test_the_held_back_snapshots_end_at_the_final_state(world) -> None:
    publisher = RecordingPublisher()
    service = QueueService(world.db, publisher, clock=world.clock, background=True)
    try:
        kiosk = service.accounts.authenticate(world.tokens[f"{SITE}-kiosk"])
        for i in range(12):
            body = TicketIn(service="ct" if i % 3 == 0 else "ht")
            service.tickets.issue(SITE, body, kiosk, None, body.model_dump_json())
        assert service.flush()
        queue = publisher.snapshots[topics.queue(SITE)]
        assert isinstance(queue, QueueSnapshot) and queue.waiting_total == 12
        for counter, counts in (("1", {"ht": 8, "ct": 4}), ("2", {"ht": 8}), ("3", {"ct": 4})):
            snap = publisher.snapshots[topics.counter(SITE, counter)]
            assert isinstance(snap, CounterSnapshot)
            assert {w.code: w.waiting for w in snap.waiting} == counts
        two = publisher.snapshots[topics.counter(SITE, "2")]
        assert isinstance(two, CounterSnapshot)
        assert [t.number for t in two.next_up] == ["1001", "1002", "1003", "1004", "1005"]
    finally:
        service.close()


class Builds:
    """A fake publish function for the pump: keeps each build, signals it."""

    def __init__(self) -> None:
        self.done: list[tuple[str, Effects]] = []
        self.event = threading.Event()

    def __call__(self, site_id: str, effects: Effects) -> None:
        self.done.append((site_id, effects))
        self.event.set()

    def next(self) -> Effects:
        assert self.event.wait(10)
        self.event.clear()
        return self.done[-1][1]


def test_the_pump_holds_slow_snapshots_but_never_boards_calls_or_next_tickets() -> None:
    builds = Builds()
    pump = Pump(builds, slow_interval=3600)
    try:
        pump.submit("s", Effects(areas={"A"}, queue=True, counts={"1"}))
        first = builds.next()  # nothing went out before: everything at once
        assert first.queue and first.counts == {"1"} and first.areas == {"A"}
        pump.submit("s", Effects(areas={"A"}, queue=True, counts={"1", "2"}, counters={"2"}))
        second = builds.next()
        assert second.areas == {"A"} and second.counters == {"2"}
        assert not second.queue and not second.counts
        pump.submit("s", Effects(calls=["c1"], counters={"3"}))
        third = builds.next()
        assert third.calls == ["c1"] and third.counters == {"3"} and not third.queue
        assert pump.flush()  # a flush sends what was held
        builds.event.clear()
        held = builds.done[-1][1]
        assert held.queue and held.counts == {"1"} and not held.areas and not held.counters
        pump.submit("s", Effects(everything=True))
        assert builds.next().everything
    finally:
        pump.close()


def test_the_pump_sends_held_snapshots_when_their_interval_ends() -> None:
    builds = Builds()
    pump = Pump(builds, slow_interval=0.05)
    try:
        pump.submit("s", Effects(queue=True))
        assert builds.next().queue
        pump.submit("s", Effects(queue=True, areas={"A"}))
        builds.next()
        if not builds.done[-1][1].queue:  # held back: it follows on its own
            assert builds.next().queue
        assert pump.flush()
    finally:
        pump.close()


def test_a_burst_is_many_changes_in_a_short_time_not_one_during_a_slow_build() -> None:
    meter = BurstMeter(changes=5, window=0.1)
    for at in (0.0, 0.05, 0.1, 0.15):  # a hall calling 20 times a second
        meter.note(at)
    assert not meter.busy(0.15)
    meter.note(0.2)
    assert not meter.busy(0.2)  # five changes, but spread over 200 ms
    for at in (0.201, 0.202, 0.203, 0.204):  # then five within 4 ms
        meter.note(at)
    assert meter.busy(0.21)
    assert not meter.busy(0.5)  # and it ended


def test_a_change_during_a_slow_build_goes_out_at_once_at_a_halls_pace() -> None:
    """Before, any change arriving during a build made the next build wait up to the
    longest gap (100 ms): a call at a paced hall then reached the boards late."""
    started, release = threading.Event(), threading.Event()
    builds = Builds()

    def slow_first(site_id: str, effects: Effects) -> None:
        if not builds.done:
            started.set()
            assert release.wait(10)
        builds(site_id, effects)

    # A gap far longer than the test may wait: the second build must not wait for it.
    pump = Pump(slow_first, share=1e-9, min_gap=3600, max_gap=3600, slow_interval=3600)
    try:
        pump.submit("s", Effects(areas={"A"}))
        assert started.wait(10)
        pump.submit("s", Effects(calls=["c1"], areas={"A"}))  # arrives during the build
        release.set()
        deadline = time.monotonic() + 10  # not a timing assertion: the gap is an hour
        while len(builds.done) < 2 and time.monotonic() < deadline:
            builds.event.wait(0.05)
        assert [effects.calls for _, effects in builds.done] == [[], ["c1"]]
    finally:
        pump.close()


def test_ticket_from_row_gives_the_same_ticket_as_the_constructor() -> None:
    at = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
    ticket = Ticket(
        id="t1",
        site=SITE,
        service="ht",
        number="1001",
        seq=1,
        business_day=date(2026, 3, 2),
        status=TicketStatus.DONE,
        issued_at=at,
        queue_at=at,
        priority="elderly",
        language="en",
        citizen_key="k",
        counter_id="1",
        target_counter="2",
        transferred_from="t0",
        called_at=at,
        call_count=2,
        started_at=at,
        finished_at=at,
        outcome=Outcome.SERVED,
        estimate_s=60,
        note="n",
    )
    again = ticket_from_row(ticket_to_row(ticket))
    assert again == ticket and again.status is TicketStatus.DONE
    assert set(vars(again)) == {f.name for f in fields(Ticket)}


def test_the_call_event_made_by_the_command_matches_the_stored_call(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    issue(world)
    called = act(world, clerk, "2", "call-next").body
    recalled = act(world, clerk, "2", "recall").body
    sent = [m for _, m in world.publisher.events]
    assert [e.call.call_id for e in sent] == [called["call_id"], recalled["call_id"]]
    with world.service.core.reading(SITE) as view:
        for event in sent:
            stored = view.repo.call_by_id(event.call.call_id)
            assert stored is not None
            assert view.call_event(stored).call == event.call
    assert sent[1].call.recall and sent[1].call.ticket_number == "1001"


def test_a_handing_over_pump_gathers_a_burst_by_its_rate_alone() -> None:
    """For the snapshot process a build only hands over, so no change ever arrives
    during one: with ``by_rate`` a burst (many changes in a short time) is gathered
    into one hand-over per gap anyway, while changes at a hall's pace go at once."""
    builds = Builds()
    pump = Pump(builds, min_gap=3600, max_gap=3600, slow_interval=3600, by_rate=True)
    pump._arrivals = BurstMeter(changes=5, window=60)  # a slow CI machine is still "fast"
    try:
        for n in range(5):  # not yet a burst: each goes out at once
            pump.submit("s", Effects(calls=[f"a{n}"], areas={"A"}))
            assert builds.next().calls == [f"a{n}"]
        # Five changes within the burst window: the next ones wait for the gap (an hour).
        for n in range(7):
            pump.submit("s", Effects(calls=[f"b{n}"], areas={"A"}))
        time.sleep(0.2)
        assert len(builds.done) == 5
        assert pump.flush()  # a flush hands over what was gathered, in one build
        assert [effects.calls for _, effects in builds.done[5:]] == [[f"b{n}" for n in range(7)]]
    finally:
        pump.close()
