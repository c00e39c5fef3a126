"""``/metrics`` of a real server (embedded broker, snapshot process), scraped over HTTP and
read with prometheus_client's own parser; and who may read it."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.config import ConfigError, load_settings
from tests.support.live_server import LiveServer, start_live_server

TOKEN = "scrape-" + "x" * 30


@pytest.fixture
def server(tmp_path: Path) -> Iterator[LiveServer]:
    live = start_live_server(tmp_path / "var", metrics_token=TOKEN)
    try:
        yield live
    finally:
        live.runtime.stop()


def scrape(live: LiveServer) -> dict[str, dict[tuple[tuple[str, str], ...], float]]:
    r = httpx.get(f"{live.base_url}/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    out: dict[str, dict[tuple[tuple[str, str], ...], float]] = {}
    for family in text_string_to_metric_families(r.text):
        for sample in family.samples:
            out.setdefault(sample.name, {})[tuple(sorted(sample.labels.items()))] = sample.value
    return out


def eventually(check, timeout: float = 30.0):
    """The snapshot process builds after the answer went out: wait for it."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_metrics_count_the_hall_and_the_server(server: LiveServer) -> None:
    site = server.site
    kiosk = {"Authorization": f"Bearer {server.kiosk_token}"}
    for n in range(3):
        r = httpx.post(
            f"{server.base_url}/api/v1/sites/{site}/tickets",
            json={"service": "tp-hotich"},
            headers={**kiosk, "Idempotency-Key": f"k{n}"},
        )
        assert r.status_code == 201, r.text
    user, password = server.clerks["2"]
    clerk = {"Authorization": f"Bearer {server.login(user, password)}"}
    for action in ("call-next", "start", "finish"):
        r = httpx.post(
            f"{server.base_url}/api/v1/sites/{site}/counters/2/{action}",
            headers={**clerk, "Idempotency-Key": action},
        )
        assert r.status_code == 200, r.text

    field = (("service", "tp-hotich"), ("site", site))
    m = scrape(server)
    assert m["qms_tickets_issued_total"][field] == 3
    assert m["qms_tickets_served_total"][field] == 1
    assert m["qms_waiting"][field] == 2
    assert m["qms_devices_silent"][(("site", site),)] == 0
    assert m["qms_command_seconds_count"][(("command", "issue_ticket"),)] == 3
    assert m["qms_command_seconds_count"][(("command", "counter_call-next"),)] == 1
    assert m["qms_command_seconds_sum"][(("command", "counter_finish"),)] > 0
    assert m["qms_mqtt_connected"][()] == 1
    assert m["qms_mqtt_state"][(("state", "connected"),)] == 1
    # The snapshot process built this server's changes (it republished everything too).
    built = eventually(
        lambda: scrape(server)["qms_snapshot_builds_total"][(("process", "snapshot_process"),)] >= 1
    )
    assert built


def test_metrics_are_not_public(server: LiveServer) -> None:
    url = f"{server.base_url}/metrics"
    assert httpx.get(url).status_code == 404
    wrong = httpx.get(url, headers={"Authorization": "Bearer " + "y" * 40})
    assert wrong.status_code == 404
    assert "/metrics" not in httpx.get(f"{server.base_url}/openapi.json").text


def test_metrics_off_by_default_and_the_settings_checked(tmp_path: Path) -> None:
    live = start_live_server(tmp_path / "var")
    try:
        assert httpx.get(f"{live.base_url}/metrics").status_code == 404
    finally:
        live.runtime.stop()
    allowed = start_live_server(tmp_path / "var2", metrics_allow="127.0.0.0/8, ::1")
    try:
        r = httpx.get(f"{allowed.base_url}/metrics")
        assert r.status_code == 200 and "qms_waiting" in r.text
    finally:
        allowed.runtime.stop()
    with pytest.raises(ConfigError, match="metrics_allow"):
        load_settings(overrides={"metrics_allow": "10.0.0.0/8, nonsense"}, environ={})
    with pytest.raises(ConfigError, match="metrics_token"):
        load_settings(overrides={"metrics_token": "short"}, environ={})
    settings = load_settings(environ={"QMS_METRICS_TOKEN": TOKEN})
    assert settings.metrics_token == TOKEN
