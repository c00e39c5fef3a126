"""``/metrics`` of a real server (embedded broker, snapshot process), scraped over HTTP and
read with prometheus_client's own parser; and who may read it."""

import json
import re
import ssl
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from server.config import ConfigError, load_settings
from tests.server.api.test_behind_nginx import nginx_in_front
from tests.support.live_server import LiveServer, start_live_server

TOKEN = "scrape-" + "x" * 30
DASHBOARD = Path(__file__).parents[3] / "deploy" / "grafana" / "qms-hall.json"
# Every sample name a scrape has (a histogram's buckets, count and sum; counters' _total
# and _created when prometheus_client adds them).
EXPOSED = {
    "qms_tickets_issued_total",
    "qms_tickets_served_total",
    "qms_waiting",
    "qms_devices_silent",
    "qms_command_seconds_bucket",
    "qms_command_seconds_count",
    "qms_command_seconds_sum",
    "qms_command_seconds_created",
    "qms_snapshot_builds_total",
    "qms_mqtt_connected",
    "qms_mqtt_state",
}
__all__ = ["nginx_in_front"]


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
    assert set(m) == EXPOSED
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


def test_the_sample_dashboard_reads_only_metrics_the_server_has() -> None:
    """Every metric an expression of deploy/grafana/qms-hall.json names is one /metrics
    exposes (the histogram's and counters' suffixes as Prometheus adds them)."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    named = {m for e in exprs for m in re.findall(r"\bqms_[a-z_]+", e)}
    assert named <= EXPOSED, named - EXPOSED
    assert {p["id"] for p in dashboard["panels"]} == set(range(1, len(dashboard["panels"]) + 1))


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


def test_the_sample_nginx_answers_metrics_itself(api, nginx_in_front) -> None:
    """Through nginx every client is 127.0.0.1 to the server: nginx must not pass
    ``/metrics`` on (its own 404 page, not the server's answer)."""
    https, _http, cert = nginx_in_front
    trust = ssl.create_default_context(cafile=str(cert))
    with httpx.Client(base_url=https, verify=trust, timeout=30) as client:
        r = client.get("/metrics")
        assert r.status_code == 404 and "nginx" in r.text
        assert client.get("/api/v1/health").status_code == 200
