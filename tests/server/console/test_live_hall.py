"""The live hall's model, device expiry and alert log through the real service and database
(both backends), driven by the hub's ``refresh`` with a hand-moved clock: no thread, no
browser."""

import json
from collections.abc import Iterator

import pytest

from server.console.live_hub import LiveHub
from server.contract import topics
from server.contract.http import DeviceStatusIn, TicketIn
from server.contract.messages import DeviceStatus
from tests.server.backends import SITE, World, db_url, make_world

__all__ = ["db_url"]  # the fixture, over SQLite and PostgreSQL


@pytest.fixture
def hall(db_url: str) -> Iterator[tuple[World, LiveHub]]:
    world = make_world(db_url)
    hub = LiveHub(world.service)
    yield world, hub
    hub.stop()
    world.db.dispose()


def _issue(world: World, key: str, service: str = "ht") -> None:
    body = TicketIn(service=service)
    world.service.tickets.issue(SITE, body, world.kiosk, key, body.model_dump_json())


def _act(world: World, counter: str, action: str, key: str) -> None:
    clerk = world.actor(f"c{counter}", f"pw-c{counter}")
    world.service.counters.act(SITE, counter, action, clerk, key=key, request_hash=key)


def _feed(hub: LiveHub) -> dict:
    return json.loads(hub.payload(SITE))


def test_the_hall_shows_fields_counters_and_is_built_once_per_change(
    hall: tuple[World, LiveHub],
) -> None:
    world, hub = hall
    hub.refresh()
    builds = hub.builds()
    hub.refresh()
    hub.refresh()
    assert hub.builds() == builds  # nothing changed: nothing built
    _issue(world, "k1")
    world.clock.advance(120)
    _issue(world, "k2")
    hub.refresh()
    assert hub.builds() == builds + 1  # two changes between two looks: one build
    fields = {f["code"]: f for f in _feed(hub)["fields"]}
    assert fields["ht"]["waiting"] == 2
    assert fields["ht"]["issued"] == 2
    assert fields["ht"]["oldest_at"] is not None
    _act(world, "2", "resume", "o")
    _act(world, "2", "call-next", "c")
    _act(world, "2", "start", "s")
    world.clock.advance(300)
    _act(world, "2", "finish", "f")
    hub.refresh()
    data = _feed(hub)
    counters = {c["id"]: c for c in data["counters"]}
    assert counters["2"]["state"] == "open"
    assert counters["2"]["clerk"] == "c2"
    assert counters["2"]["served"] == 1
    assert counters["2"]["avg_s"] == 300
    assert counters["3"]["state"] == "closed"
    fields = {f["code"]: f for f in data["fields"]}
    assert fields["ht"]["served"] == 1 and fields["ht"]["waiting"] == 1


def test_a_kiosk_that_stops_reporting_goes_silent_raises_an_alert_and_it_clears(
    hall: tuple[World, LiveHub],
) -> None:
    world, hub = hall
    kiosk = world.kiosk
    world.service.devices.report_status(kiosk, DeviceStatusIn(printer="paper_out", heartbeat_s=10))
    hub.refresh()
    devices = {d["id"]: d for d in _feed(hub)["devices"]}
    assert devices[kiosk.name]["silent"] is False
    kinds = [a["kind"] for a in _feed(hub)["alerts"]]
    assert kinds == ["paper"]
    world.clock.advance(26)  # two heartbeats of 10 s and the grace: silent
    hub.poke()
    hub.refresh()
    data = _feed(hub)
    devices = {d["id"]: d for d in data["devices"]}
    assert devices[kiosk.name]["silent"] is True
    assert devices[kiosk.name]["online"] is False
    assert [a["kind"] for a in data["alerts"]] == ["device_silent"]  # paper state is not live
    assert world.service.devices.silent_counts() == {SITE: 1}
    # Whoever reads the device's retained status sees it silent, not its last word.
    status = world.publisher.snapshots[topics.device(SITE, kiosk.name)]
    assert isinstance(status, DeviceStatus) and status.silent and not status.online

    boss = world.actor("boss", "pw-boss")
    alert = world.service.alerts.open(SITE)[0]
    world.service.alerts.acknowledge(boss, SITE, alert.id)
    hub.poke()
    hub.refresh()
    assert _feed(hub)["alerts"][0]["acknowledged_by"] == "boss"

    world.service.devices.report_status(kiosk, DeviceStatusIn(printer="ok", heartbeat_s=10))
    hub.poke()
    hub.refresh()
    assert _feed(hub)["alerts"] == []
    log = world.service.alerts.log(SITE)
    silent = next(a for a in log if a.kind == "device_silent")
    assert silent.acknowledged_by == "boss" and silent.cleared_at is not None
    assert world.service.devices.silent_counts() == {}


def test_a_wait_over_target_and_an_unattended_field_raise_once_each(
    hall: tuple[World, LiveHub], db_url: str
) -> None:
    world, hub = hall
    _issue(world, "k1", "ct")
    hub.refresh()
    assert [a["kind"] for a in _feed(hub)["alerts"]] == ["unattended"]
    for _ in range(3):
        world.clock.advance(1)
        hub.poke()
        hub.refresh()
    assert len(world.service.alerts.log(SITE)) == 1  # the same trouble is one alert
    _act(world, "3", "resume", "o")
    hub.refresh()
    assert _feed(hub)["alerts"] == []
    assert world.service.alerts.log(SITE)[0].cleared_at is not None
    # A second server process watching the same database raises nothing twice.
    _act(world, "3", "pause", "x")
    other = LiveHub(world.service)
    hub.refresh()
    other.refresh()
    assert len([a for a in world.service.alerts.log(SITE) if a.cleared_at is None]) == 1


def test_the_installation_puts_the_troubled_site_first(hall: tuple[World, LiveHub]) -> None:
    world, hub = hall
    hub.refresh()
    [line] = hub.installation()
    assert line.site == SITE and line.alerts == 0 and line.counters == 3
    _issue(world, "k1", "ct")
    hub.refresh()
    [line] = hub.installation()
    assert line.waiting == 1 and line.alerts == 1 and line.counters_open == 0
