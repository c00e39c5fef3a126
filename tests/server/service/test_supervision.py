"""A supervisor's commands on SQLite and PostgreSQL: counter state, today's extra fields,
moving a waiting ticket; each idempotent, audited, and seen by the snapshots."""

from dataclasses import replace

import pytest

from server.contract import topics
from server.contract.http import CounterStateIn, DayServicesIn, MoveIn, TicketIn
from server.contract.messages import CounterSnapshot, DisplaySnapshot
from server.contract.vocab import CounterState
from server.engine.errors import Refusal
from server.service import ServiceError
from tests.server.backends import SITE, make_world, tiny_site


def issue(world, service="ht"):
    body = TicketIn(service=service)
    return world.service.tickets.issue(SITE, body, world.kiosk, None, body.model_dump_json()).body


def boss(world):
    return world.actor("boss", "pw-boss")


def set_state(world, actor, counter, state, key=None):
    body = CounterStateIn(state=state)
    return world.service.supervision.set_counter_state(
        SITE, counter, body, actor, key=key, request_hash=body.model_dump_json()
    )


def set_today(world, actor, counter, services, key=None):
    body = DayServicesIn(services=services)
    return world.service.supervision.set_day_services(
        SITE, counter, body, actor, key=key, request_hash=body.model_dump_json()
    )


def move(world, actor, ticket, key=None, **target):
    body = MoveIn(**target)
    return world.service.supervision.move_ticket(
        SITE, ticket, body, actor, key=key, request_hash=body.model_dump_json()
    )


def counter_snapshot(world, counter) -> CounterSnapshot:
    world.service.flush()
    snap = world.publisher.snapshots[topics.counter(SITE, counter)]
    assert isinstance(snap, CounterSnapshot)
    return snap


def test_supervisor_opens_pauses_and_closes_a_counter_keeping_its_clerk(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    world.service.counters.act(SITE, "2", "resume", clerk, key=None, request_hash="r")
    paused = set_state(world, boss(world), "2", CounterState.PAUSED, key="p1").body
    assert paused["counter"]["counter"]["state"] == "paused"
    assert paused["counter"]["clerk"] == "c2"  # the clerk stays on the counter
    again = set_state(world, boss(world), "2", CounterState.PAUSED, key="p1")
    assert again.replayed and again.body == paused
    opened = set_state(world, boss(world), "2", CounterState.OPEN, key="o1").body
    assert (opened["counter"]["counter"]["state"], opened["counter"]["clerk"]) == ("open", "c2")
    closed = set_state(world, boss(world), "2", CounterState.CLOSED, key="c1").body
    assert (closed["counter"]["counter"]["state"], closed["counter"]["clerk"]) == ("closed", None)
    assert counter_snapshot(world, "2").counter.state is CounterState.CLOSED
    actions = [(e.action, e.actor, e.target) for e in world.service.audit.entries(site=SITE)]
    assert sorted(actions) == sorted(
        [
            ("counter.pause", "boss", "2"),
            ("counter.resume", "boss", "2"),
            ("counter.close", "boss", "2"),
        ]
    )
    # The clerk, back, opens the counter as before (no take-over refusal).
    world.service.counters.act(SITE, "2", "resume", clerk, key=None, request_hash="r2")


def test_closing_a_counter_that_holds_a_ticket_is_refused(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    issue(world)
    world.service.counters.act(SITE, "2", "call-next", clerk, key=None, request_hash="n")
    with pytest.raises(Refusal) as err:
        set_state(world, boss(world), "2", CounterState.CLOSED)
    assert err.value.code == "counter_holds_ticket" and "1001" in err.value.message_vi
    assert world.service.audit.entries(site=SITE) == []


def test_only_a_supervisor_of_the_site_supervises(world) -> None:
    clerk = world.actor("c2", "pw-c2")
    for call in (
        lambda: set_state(world, clerk, "2", CounterState.PAUSED),
        lambda: set_today(world, clerk, "2", ["ct"]),
        lambda: move(world, clerk, "1001", to_service="ct"),
        lambda: world.service.counters.act(
            SITE, "2", "call-next", clerk, key=None, request_hash="x", supervise=True
        ),
    ):
        with pytest.raises(ServiceError) as err:
            call()
        assert err.value.code == "forbidden"


def test_a_counter_serves_an_extra_field_today_only(world) -> None:
    supervisor = boss(world)
    clerk = world.actor("c2", "pw-c2")
    ticket = issue(world, "ct")
    out = set_today(world, supervisor, "2", ["ct", "ht"], key="d1").body
    assert (out["configured"], out["today"]) == (["ht"], ["ct"])
    assert set_today(world, supervisor, "2", ["ct", "ht"], key="d1").replayed
    read = world.service.supervision.day_services(SITE, "2", supervisor)
    assert (read.configured, read.today) == (["ht"], ["ct"])
    snap = counter_snapshot(world, "2")
    assert snap.counter.services == ["ht", "ct"]
    assert [t.number for t in snap.next_up] == [ticket["number"]]
    display = world.publisher.snapshots[topics.display(SITE, "A")]
    assert isinstance(display, DisplaySnapshot)
    assert next(c for c in display.counters if c.id == "2").services == ["ht", "ct"]
    called = world.service.counters.act(SITE, "2", "call-next", clerk, key=None, request_hash="n")
    assert called.body["ticket"]["number"] == ticket["number"]
    [entry] = world.service.audit.entries(site=SITE, action="counter.day_services")
    assert entry.after == {"day": "2026-03-02", "services": ["ct"]}
    # The next business day the counter serves its configured fields again.
    world.clock.advance(24 * 3600)
    assert world.service.core.roll_day(SITE) == 1
    assert counter_snapshot(world, "2").counter.services == ["ht"]
    assert world.service.supervision.day_services(SITE, "2", supervisor).today == []


def test_clearing_the_extra_fields_and_an_unknown_field(world) -> None:
    set_today(world, boss(world), "3", ["ht"])
    assert counter_snapshot(world, "3").counter.services == ["ct", "ht"]
    assert set_today(world, boss(world), "3", []).body["today"] == []
    assert counter_snapshot(world, "3").counter.services == ["ct"]
    with pytest.raises(ServiceError) as err:
        set_today(world, boss(world), "3", ["zz"])
    assert err.value.code == "unknown_service"


def test_moving_a_waiting_ticket_keeps_its_number_and_wait(world) -> None:
    first = issue(world)
    world.clock.advance(600)
    issue(world, "ct")
    moved = move(world, boss(world), first["number"], key="m1", to_service="ct").body
    assert moved["ticket"]["id"] == first["id"]
    assert moved["ticket"]["number"] == "1001" and moved["ticket"]["service"] == "ct"
    assert moved["ticket"]["waited_s"] == 600  # the wait the citizen lived
    assert move(world, boss(world), first["number"], key="m1", to_service="ct").replayed
    # It kept its place: issued first, it is first in its new line.
    assert [t.number for t in counter_snapshot(world, "3").next_up] == ["1001", "C001"]
    assert world.service.tickets.get(SITE, first["id"]).status == "waiting"
    # To one counter: only that one calls it.
    out = move(world, boss(world), first["id"], to_counter="1").body
    assert out["target_counter"] == "1"
    assert [t.number for t in counter_snapshot(world, "3").next_up] == ["C001"]
    assert counter_snapshot(world, "1").next_up[0].number == "1001"
    actions = [e.action for e in world.service.audit.entries(site=SITE)]
    assert actions.count("ticket.move") == 2


def test_move_refusals(world) -> None:
    ticket = issue(world)
    with pytest.raises(Refusal) as err:
        move(world, boss(world), ticket["number"], to_counter="3")
    assert err.value.code == "move_target_invalid"
    assert "quầy số 3 không phục vụ" in err.value.message_vi
    with pytest.raises(ServiceError) as missing:
        move(world, boss(world), "9999", to_service="ct")
    assert missing.value.code == "unknown_ticket"
    clerk = world.actor("c2", "pw-c2")
    world.service.counters.act(SITE, "2", "call-next", clerk, key=None, request_hash="n")
    with pytest.raises(Refusal) as called:
        move(world, boss(world), ticket["id"], to_service="ct")
    assert called.value.code == "invalid_transition"
    assert [e.action for e in world.service.audit.entries(site=SITE)] == []


@pytest.mark.parametrize("estimator", ["queue-length", "look-ahead"])
def test_a_counter_open_for_a_field_today_counts_as_open_at_issue(db_url, estimator) -> None:
    """The wait promised at issue and on the tracking page counts a counter that serves
    the field today only, as the snapshots do."""
    seed = tiny_site()
    world = make_world(
        db_url, site=replace(seed, site=replace(seed.site, wait_estimator=estimator))
    )
    try:
        supervisor = boss(world)
        set_state(world, supervisor, "2", CounterState.OPEN)  # counter 3 (ct) stays closed
        assert issue(world, "ct")["counters_open"] is False
        set_today(world, supervisor, "2", ["ct"])
        ticket = issue(world, "ct")
        assert ticket["counters_open"] is True
        assert world.service.tickets.get(SITE, ticket["id"]).counters_open is True
    finally:
        world.db.dispose()
