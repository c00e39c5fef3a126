"""The use-cases on SQLite and PostgreSQL: numbering, idempotency, calling, publishing."""

import pytest
from sqlalchemy import func, select

from server.contract import topics
from server.contract.http import CallIn, RateIn, TicketIn, TransferIn
from server.contract.messages import CallEvent, CounterSnapshot, DisplaySnapshot, QueueSnapshot
from server.contract.vocab import Rating
from server.engine.errors import Refusal
from server.service import ServiceError
from server.storage.models import CallRow, TicketEventRow
from server.storage.repository import Repository
from tests.server.backends import SITE


def issue(world, service="ht", key=None, **extra):
    body = TicketIn(service=service, **extra)
    return world.service.tickets.issue(SITE, body, world.kiosk, key, body.model_dump_json())


def act(world, actor, counter, action, key=None, body=None):
    return world.service.counters.act(
        SITE, counter, action, actor, key=key, request_hash=f"{action}{body}", body=body
    )


def test_numbers_follow_each_service_format(world) -> None:
    numbers = [issue(world).body["number"] for _ in range(3)]
    assert numbers == ["1001", "1002", "1003"]
    assert issue(world, "ct").body["number"] == "C001"
    fourth = issue(world).body
    assert fourth["people_ahead"] == 3
    assert fourth["track_url"].startswith("https://q.example/t/")
    assert fourth["id"] not in fourth["track_url"]


def test_same_key_returns_the_stored_answer_and_never_issues_twice(world) -> None:
    first = issue(world, key="k-1")
    again = issue(world, key="k-1")
    assert again.replayed and again.status == first.status == 201
    assert again.body == first.body
    assert issue(world, key="k-2").body["number"] == "1002"
    with pytest.raises(ServiceError) as err:
        issue(world, "ct", key="k-1")
    assert err.value.code == "idempotency_key_reused"


def test_call_next_start_finish_and_publish(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    with pytest.raises(Refusal) as err:
        act(world, clerk, "2", "call-next")
    assert err.value.code == "nothing_waiting"
    ticket = issue(world).body
    called = act(world, clerk, "2", "call-next", key="a").body
    assert called["ticket"]["id"] == ticket["id"]
    assert called["counter"]["counter"]["state"] == "open"
    assert called["counter"]["current"]["status"] == "called"
    event = world.publisher.events[-1][1]
    assert isinstance(event, CallEvent) and event.call.call_id == called["call_id"]
    display = world.publisher.snapshots[topics.display(SITE, "A")]
    assert isinstance(display, DisplaySnapshot)
    assert display.calling is not None and display.calling.ticket_number == "1001"
    assert display.seq == event.seq
    recalled = act(world, clerk, "2", "recall", key="b").body
    assert recalled["call_id"] != called["call_id"]
    assert world.publisher.events[-1][1].call.recall is True
    act(world, clerk, "2", "start", key="c")
    world.clock.advance(300)
    done = act(world, clerk, "2", "finish", key="d").body
    assert done["ticket"]["status"] == "done"
    assert done["counter"]["current"] is None
    snap = world.publisher.snapshots[topics.counter(SITE, "2")]
    assert isinstance(snap, CounterSnapshot) and snap.current is None
    queue = world.publisher.snapshots[topics.queue(SITE)]
    assert isinstance(queue, QueueSnapshot) and queue.waiting_total == 0
    act(world, clerk, "2", "rate", key="e", body=RateIn(rating=Rating.SATISFIED))
    day = world.service.reads.clerk_day(SITE, "2", clerk)
    assert (day.served, day.average_service_s, day.average_rating, day.ratings) == (1, 300, 3.0, 1)


def test_actions_refused_in_the_wrong_state_change_nothing(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    issue(world)
    act(world, clerk, "2", "call-next", key="a")
    with pytest.raises(Refusal) as err:
        act(world, clerk, "2", "finish", key="b")  # the site requires start before finish
    assert err.value.code == "invalid_transition"
    with world.db.read() as s:
        kinds = [r.kind for r in s.query(TicketEventRow).order_by(TicketEventRow.id)]
    assert kinds == ["issued", "called"]


def test_seq_grows_with_every_change(world) -> None:
    clerk = world.actor("c1", "pw-c1")
    issue(world)
    seq1 = world.publisher.snapshots[topics.queue(SITE)].seq
    act(world, clerk, "1", "call-next")
    seq2 = world.publisher.snapshots[topics.queue(SITE)].seq
    assert seq2 > seq1


def test_specific_call_park_and_transfer_keep_the_tracking_link(world) -> None:
    clerk = world.actor("c1", "pw-c1")
    a = issue(world).body
    b = issue(world).body
    called = act(world, clerk, "1", "call", body=CallIn(ticket=b["number"], reason="hồ sơ bổ sung"))
    assert called.body["ticket"]["id"] == b["id"]
    act(world, clerk, "1", "park")
    assert world.service.tickets.get(SITE, b["id"]).status == "parked"
    act(world, clerk, "1", "call", body=CallIn(ticket=b["id"], reason="quay lại"))
    moved = act(world, clerk, "1", "transfer", body=TransferIn(to_service="ct", to_counter="3"))
    new_id = moved.body["ticket"]["id"]
    assert new_id != b["id"] and moved.body["ticket"]["service"] == "ct"
    token = b["track_url"].rsplit("/", 1)[1]
    tracked = world.service.tickets.track(token)
    assert tracked is not None and tracked.id == new_id and tracked.service == "ct"
    # counter 3 calls the transferred ticket first; counter 2 never sees it
    c3 = world.actor("c3", "pw-c3")
    issue(world, "ct")
    assert act(world, c3, "3", "call-next").body["ticket"]["id"] == new_id
    c2 = world.actor("c2", "pw-c2")
    assert act(world, c2, "2", "call-next").body["ticket"]["id"] == a["id"]


def test_calling_next_closes_the_ticket_still_at_the_counter(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    first, second = issue(world).body, issue(world).body
    act(world, clerk, "2", "call-next")
    act(world, clerk, "2", "call-next")
    assert world.service.tickets.get(SITE, first["id"]).status == "no_show"
    assert world.service.tickets.get(SITE, second["id"]).status == "called"


def test_a_new_business_day_restarts_numbers_and_expires_old_tickets(world) -> None:
    old = issue(world, key="early").body
    world.clock.advance(24 * 3600)
    assert issue(world).body["number"] == "1001"
    assert world.service.tickets.get(SITE, old["id"]).status == "expired"
    world.clock.advance(24 * 3600)
    assert world.service.core.sweep_days() == 1
    assert issue(world, key="early").body == old  # still remembered after a day
    world.clock.advance(48 * 3600)
    world.service.core.sweep_days()
    assert issue(world, key="early").body["id"] != old["id"]  # forgotten after two days


def test_quota_and_priority_refusals(world) -> None:
    with pytest.raises(Refusal) as err:
        issue(world, priority="vip")
    assert err.value.code == "unknown_priority"
    with pytest.raises(ServiceError) as err2:
        issue(world, "nope")
    assert err2.value.code == "unknown_service"
    assert issue(world, priority="elderly").body["priority"] == "elderly"


def test_logout_pauses_the_clerks_counter(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    issue(world)
    act(world, clerk, "2", "call-next")
    world.service.accounts.logout(clerk)
    counters = {c.counter.id: c for c in world.service.reads.counters(SITE).counters}
    assert counters["2"].counter.state == "paused"
    with pytest.raises(ServiceError) as err:
        act(world, world.service.accounts.authenticate("x" * 10), "2", "resume")
    assert err.value.status == 401


def test_republish_all_sends_every_snapshot(world) -> None:
    world.service.projector.republish_all()
    assert set(world.publisher.snapshots) == {
        topics.display(SITE, "A"),
        topics.counter(SITE, "1"),
        topics.counter(SITE, "2"),
        topics.counter(SITE, "3"),
        topics.queue(SITE),
    }


def test_device_status_is_stored_and_published(world) -> None:
    from server.contract.http import DeviceStatusIn

    status = world.service.devices.report_status(world.kiosk, DeviceStatusIn(printer="paper_low"))
    topic = topics.device(SITE, f"{SITE}-kiosk")
    assert world.publisher.snapshots[topic] == status
    world.publisher.snapshots.clear()
    world.service.projector.republish_all()
    assert world.publisher.snapshots[topic].printer == "paper_low"


def test_no_show_pause_resume_and_the_notice_reach_the_snapshots(world) -> None:
    from server.contract.http import NoticeIn

    clerk = world.actor("c2", "pw-c2")
    t = issue(world).body
    act(world, clerk, "2", "call-next")
    assert act(world, clerk, "2", "no-show").body["ticket"]["status"] == "no_show"
    assert world.service.tickets.get(SITE, t["id"]).status == "no_show"
    act(world, clerk, "2", "pause")
    snap = world.publisher.snapshots[topics.counter(SITE, "2")]
    assert snap.counter.state == "paused" and snap.clerk == "c2"
    act(world, clerk, "2", "resume")
    assert world.publisher.snapshots[topics.counter(SITE, "2")].counter.state == "open"
    boss = world.actor("boss", "pw-boss")
    body = NoticeIn(text="Nghỉ trưa từ 11:30")
    world.service.notices.set(SITE, body, boss, "n1", body.model_dump_json())
    assert world.publisher.snapshots[topics.display(SITE, "A")].notice == "Nghỉ trưa từ 11:30"
    with pytest.raises(ServiceError) as err:
        world.service.notices.set(SITE, body, clerk, "n2", "x")
    assert err.value.status == 403


def test_transfer_to_the_front_of_the_line(world) -> None:
    clerk = world.actor("c1", "pw-c1")
    first = issue(world, "ct").body
    waiting = issue(world, "ct").body
    act(world, clerk, "1", "call", body=CallIn(ticket=first["id"]))
    moved = act(
        world,
        clerk,
        "1",
        "transfer",
        body=TransferIn(to_service="ct", keep_place=False, note="bổ sung"),
    )
    assert moved.body["ticket"]["number"] == first["number"]
    c3 = world.actor("c3", "pw-c3")
    assert act(world, c3, "3", "call-next").body["ticket"]["id"] == moved.body["ticket"]["id"]
    assert world.service.tickets.get(SITE, waiting["id"]).people_ahead == 0
    snap = world.publisher.snapshots[topics.counter(SITE, "3")]
    assert [b.id for b in snap.next_up] == [waiting["id"]]


def test_estimates_are_kept_beside_the_actual_wait(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    issue(world)
    issue(world)
    act(world, clerk, "2", "call-next")
    world.clock.advance(600)
    act(world, clerk, "2", "start")
    world.clock.advance(600)
    act(world, clerk, "2", "finish")
    act(world, clerk, "2", "call-next")
    figures = world.service.reads.estimate_accuracy(SITE)
    assert figures["count"] == 2


def test_the_issued_event_keeps_the_wait_announced_to_the_citizen(world) -> None:
    issue(world)
    second = issue(world).body
    assert second["estimated_wait_s"] > 0
    with world.db.read() as s:
        issued = [
            r.data
            for r in s.query(TicketEventRow).order_by(TicketEventRow.id)
            if r.kind == "issued"
        ]
    assert [d["estimate_s"] for d in issued][-1] == second["estimated_wait_s"]


def test_call_next_ends_in_one_go_and_a_retry_calls_nobody_else(world) -> None:
    """A call-next closes the served ticket, calls the next and counts the priority
    streak, all written with the command's end (one statement on PostgreSQL): the
    database holds each change once, and the same key again answers the same call."""
    clerk = world.actor("c1", "pw-c1")
    first = issue(world, priority="elderly").body
    second = issue(world).body
    act(world, clerk, "1", "call-next", key="n1")
    act(world, clerk, "1", "start", key="s1")
    world.clock.advance(120)
    called = act(world, clerk, "1", "call-next", key="n2")
    again = act(world, clerk, "1", "call-next", key="n2")
    assert again.replayed and again.body == called.body
    assert called.body["ticket"]["id"] == second["id"]
    ids = [first["id"], second["id"]]
    with world.db.read() as s:
        repo = Repository(s)
        rows = {
            r.id: (r.status, r.outcome, r.counter_id) for r in repo.tickets_by_ids(ids).values()
        }
        counter, held = repo.counter_and_held(SITE, "1")
        by_id = select(TicketEventRow.kind).where(TicketEventRow.ticket_id.in_(ids))
        kinds = list(s.scalars(by_id.order_by(TicketEventRow.id)))
        calls = s.scalar(select(func.count()).select_from(CallRow))
    assert rows[first["id"]][:2] == ("done", "served")
    assert rows[second["id"]] == ("called", None, "1")
    assert counter is not None and held is not None and held.id == second["id"]
    assert counter.priority_streak == 0  # the elderly ticket's streak ended with a normal one
    assert kinds == ["issued", "issued", "called", "started", "finished", "called"]
    assert calls == 2
