"""The call policy a site names in its settings decides both what a counter calls next
and what its screen shows as next up, on the real service and database."""

from dataclasses import replace

import pytest

from server.contract import topics
from server.contract.http import ActionOut, TicketIn
from server.contract.messages import CounterSnapshot
from server.engine.model import SiteConfig
from server.engine.policy import DefaultPolicy, FirstComeFirstServedPolicy, Policies
from tests.server.backends import SITE, World, make_world, tiny_site


def _world(db_url: str, policy: str) -> World:
    seed = tiny_site()
    return make_world(db_url, site=replace(seed, site=replace(seed.site, call_policy=policy)))


def _issue(world: World, key: str, priority: str | None = None) -> str:
    body = TicketIn(service="ht", priority=priority)
    result = world.service.tickets.issue(SITE, body, world.kiosk, key, body.model_dump_json())
    number: str = result.body["number"]
    return number


@pytest.mark.parametrize(
    ("policy", "first"),
    [("default", "priority"), ("first-come-first-served", "earliest")],
)
def test_call_next_calls_the_ticket_the_counter_showed_next_up(
    db_url: str, policy: str, first: str
) -> None:
    world = _world(db_url, policy)
    try:
        earliest = _issue(world, "k-1")
        world.clock.advance(60)
        priority = _issue(world, "k-2", priority="elderly")
        # Counter 2 serves "ht" alone: the default policy puts the priority ticket first,
        # first come, first served the one that came first.
        snapshot = world.publisher.snapshots[topics.counter(SITE, "2")]
        assert isinstance(snapshot, CounterSnapshot)
        shown = [t.number for t in snapshot.next_up]
        expected = {"priority": priority, "earliest": earliest}[first]
        assert shown[0] == expected

        clerk = world.actor("c2", "pw-c2")
        result = world.service.counters.act(
            SITE, "2", "call-next", clerk, key="c", request_hash="c"
        )
        called = ActionOut.model_validate(result.body).ticket
        assert called is not None and called.number == shown[0]
    finally:
        world.db.dispose()


def test_an_unknown_policy_name_falls_back_to_the_default_and_is_reported() -> None:
    policies = Policies()
    site = SiteConfig(id="x", name="X", name_en="X", call_policy="no-such-policy")
    assert isinstance(policies.for_site(site), DefaultPolicy)
    assert policies.unknown == {"x": "no-such-policy"}
    fcfs = replace(site, call_policy="first-come-first-served")
    assert isinstance(policies.for_site(fcfs), FirstComeFirstServedPolicy)
    assert policies.for_site(fcfs) is policies.for_site(fcfs)  # resolved once


def test_a_site_naming_an_unknown_policy_still_calls_and_says_so_once(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    world = _world(db_url, "no-such-policy")
    try:
        earliest = _issue(world, "k-1")
        world.clock.advance(60)
        priority = _issue(world, "k-2", priority="elderly")
        clerk = world.actor("c2", "pw-c2")
        result = world.service.counters.act(
            SITE, "2", "call-next", clerk, key="c", request_hash="c"
        )
        called = ActionOut.model_validate(result.body).ticket
        assert called is not None and called.number == priority != earliest  # the default
        unknown = [r for r in caplog.records if "unknown call policy" in r.getMessage()]
        assert len(unknown) == 1
    finally:
        world.db.dispose()
