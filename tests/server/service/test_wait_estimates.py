"""The wait a citizen is promised comes from the site's estimator, on the real service and
database: at issue (kept in the issued event) and refreshed on each tracking read."""

from dataclasses import replace

import pytest

from server.contract import topics
from server.contract.http import TicketIn
from server.contract.messages import QueueSnapshot, ServiceStatus
from server.contract.vocab import TicketStatus
from server.engine.lookahead import look_ahead
from server.engine.model import SiteConfig
from server.projection.site_state import read_state
from server.projection.waits import FIELD_WAITS_FOR, FIELD_WAITS_GAP
from server.storage.mapping import ticket_from_row
from tests.server.backends import SITE, World, make_world, tiny_site


def _world(db_url: str, estimator: str) -> World:
    seed = tiny_site()
    site: SiteConfig = replace(seed.site, wait_estimator=estimator)
    return make_world(db_url, site=replace(seed, site=site))


def _issue(world: World, key: str) -> dict:
    body = TicketIn(service="ht")
    result = world.service.tickets.issue(SITE, body, world.kiosk, key, body.model_dump_json())
    out: dict = result.body
    return out


def _act(world: World, clerk: str, counter: str, action: str, key: str) -> None:
    actor = world.actor(clerk, f"pw-{clerk}")
    world.service.counters.act(SITE, counter, action, actor, key=key, request_hash=key)


def test_look_ahead_waits_for_the_open_counter_and_says_when_none_is_open(db_url: str) -> None:
    world = _world(db_url, "look-ahead")
    try:
        first = _issue(world, "k-1")
        # No counter open yet: the ticket says so (the test site is open around the
        # clock, so there is no next session to name).
        assert first["counters_open"] is False and first["first_call_after"] is None
        _act(world, "c2", "2", "resume", "open-2")  # counter 2 serves "ht" alone
        _issue(world, "k-2")
        third = _issue(world, "k-3")
        assert third["counters_open"] is True
        # Two ahead, one counter, the field's default service time (600 s) each.
        assert third["estimated_wait_s"] == 2 * 600
        assert third["estimated_wait_low_s"] < 1200 < third["estimated_wait_high_s"]
        _act(world, "c2", "2", "call-next", "call-1")
        world.clock.advance(300)
        later = world.service.tickets.get(SITE, third["id"])
        # One ahead now, and counter 2 is half way through the first ticket.
        assert later.people_ahead == 1
        assert later.estimated_wait_s == 300 + 600
    finally:
        world.db.dispose()


@pytest.mark.parametrize(("estimator", "expected"), [("queue-length", 300), ("look-ahead", 0)])
def test_the_site_setting_chooses_the_estimator(db_url: str, estimator: str, expected: int) -> None:
    """Counters 1 and 2 both serve "ht": with one ticket ahead, the queue-length estimator
    shares its service between them (300 s); the look-ahead sees the second counter free
    for this ticket at once."""
    world = _world(db_url, estimator)
    try:
        _act(world, "c1", "1", "resume", "open-1")
        _act(world, "c2", "2", "resume", "open-2")
        _issue(world, "k-1")
        second = _issue(world, "k-2")
        assert second["estimated_wait_s"] == expected
        assert second["counters_open"] is True
    finally:
        world.db.dispose()


def _ids(tickets: list) -> list[str]:
    return [t.id for t in tickets]


def test_a_burst_of_issues_reads_the_site_once_and_keeps_what_the_database_holds(
    db_url: str,
) -> None:
    """Issues keep the site's state themselves (the state before plus their ticket, at
    the number after): it is the state a fresh read gives, and an estimate from it is the
    estimate a fresh read gives. A call moves the number: the next issue reads again."""
    world = _world(db_url, "look-ahead")
    try:
        _act(world, "c1", "1", "resume", "open-1")
        _act(world, "c2", "2", "resume", "open-2")
        estimates = world.service.tickets.estimates
        out = []
        for i, (field, priority) in enumerate(
            [("ht", None), ("ct", None), ("ht", "elderly"), ("ht", None), ("ct", "elderly")]
        ):
            body = TicketIn(service=field, priority=priority)
            result = world.service.tickets.issue(SITE, body, world.kiosk, f"b-{i}", f"b-{i}")
            out.append(result.body)
            world.clock.advance(20)
        _act(world, "c1", "1", "call-next", "call-1")
        world.clock.advance(20)
        out.append(_issue(world, "after-call"))
        out.append(_issue(world, "after-call-2"))
        with world.service.core.reading(SITE) as view:
            kept = estimates._kept[SITE]
            assert kept.seq == view.seq  # the last issue kept the state after it
            fresh = read_state(view.repo, SITE, seq=view.seq, day=view.day, now=view.now)
            assert sorted(_ids(kept.waiting)) == sorted(_ids(fresh.waiting))
            assert {k: _ids(v) for k, v in kept.lines.items()} == {
                k: _ids(v) for k, v in fresh.lines.items()
            }
            assert {c: t.id for c, t in kept.held.items()} == {
                c: t.id for c, t in fresh.held.items()
            }
            assert dict(kept.history.issued) == dict(fresh.history.issued)
            compared = 0
            for body in out:
                ticket = ticket_from_row(view.repo.ticket_row(body["id"]))
                if ticket.status is not TicketStatus.WAITING:
                    continue
                assert look_ahead(ticket, kept.line(view.bundle, view.now)) == look_ahead(
                    ticket, fresh.line(view.bundle, view.now)
                )
                compared += 1
            assert compared >= 5
    finally:
        world.db.dispose()


def _button(world: World, service: str) -> ServiceStatus:
    queue = world.publisher.snapshots[topics.queue(SITE)]
    assert isinstance(queue, QueueSnapshot)
    return next(s for s in queue.services if s.code == service)


def test_the_field_buttons_show_the_site_estimators_wait_for_a_ticket_taken_now(
    db_url: str,
) -> None:
    """The queue snapshot and the menu carry the look-ahead's wait for the next ticket of
    each field, as the ticket then issued is promised it; "no counter open" clears when
    the field's first counter opens, without waiting for the next refresh."""
    world = _world(db_url, "look-ahead")
    try:
        _issue(world, "k-1")
        _issue(world, "k-2")
        closed = _button(world, "ht")
        assert closed.wait_counters_open is False
        menu = world.service.reads.menu(SITE)
        entry = next(s for d in menu.departments for s in d.services if s.code == "ht")
        assert entry.wait_counters_open is False
        world.clock.advance(FIELD_WAITS_GAP.total_seconds())
        _act(world, "c2", "2", "resume", "open-2")  # counter 2 serves "ht" alone
        button = _button(world, "ht")
        assert button.wait_counters_open is True
        # Two ahead, one counter, the field's default service time (600 s) each.
        assert button.estimated_wait_s == 2 * 600
        assert button.estimated_wait_low_s is not None and button.estimated_wait_high_s
        assert button.estimated_wait_low_s < 1200 < button.estimated_wait_high_s
        third = _issue(world, "k-3")
        assert third["estimated_wait_s"] == button.estimated_wait_s
        assert third["estimated_wait_low_s"] == button.estimated_wait_low_s
        # The buttons' waits are kept a few seconds (each is a look-ahead), then follow.
        assert _button(world, "ht").estimated_wait_s == 2 * 600
        world.clock.advance(FIELD_WAITS_FOR.total_seconds())
        _issue(world, "k-4")
        assert _button(world, "ht").estimated_wait_s == 4 * 600  # four ahead now
    finally:
        world.db.dispose()
