"""The snapshot process: the server's merged changes are built and published by a child
process from the committed database, against a real Mosquitto (SQLite and PostgreSQL);
it is started again when it dies, and ends with the server."""

import json
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.publish as publish
import pytest

from bench.env import descendants
from server.config import Settings
from server.contract import topics
from server.projection import snapshot_process
from server.projection.effects import Effects
from server.projection.snapshot_process import serve
from server.runtime import Runtime
from server.storage.seeding import CREDENTIALS_FILE, seed_demo
from tests.support.mosquitto import Mosquitto
from tests.support.mqtt_probe import MqttProbe

SITE = "hcm-main"


class Recording:
    """Stands in for the child's Projector: what it was asked to publish."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Effects]] = []

    def publish(self, site_id: str, effects: Effects) -> None:
        self.published.append((site_id, effects))


def test_the_child_merges_what_queued_up_into_one_build_per_site() -> None:
    ours, theirs = multiprocessing.Pipe(duplex=True)
    ours.send(("build", "a", Effects(areas={"A"}, counters={"1"}, calls=["c1"])))
    ours.send(("build", "b", Effects(queue=True)))
    ours.send(("build", "a", Effects(areas={"B"}, counters={"2"}, calls=["c2"])))
    ours.send(("flush", 7))
    ours.send(("stop",))
    core = Recording()
    serve(theirs, core)
    by_site = dict(core.published)
    assert [site for site, _ in core.published] == ["a", "b"]
    assert by_site["a"].areas == {"A", "B"} and by_site["a"].counters == {"1", "2"}
    assert by_site["a"].calls == ["c1", "c2"]  # announced in the order they were made
    assert by_site["b"].queue
    assert ours.recv() == ("flushed", 7)  # only after the builds before it


def test_the_child_ends_when_the_server_end_of_the_pipe_closes() -> None:
    ours, theirs = multiprocessing.Pipe(duplex=True)
    ours.send(("build", "a", Effects(queue=True)))
    ours.close()
    core = Recording()
    serve(theirs, core)  # returns: EOF, the server is gone
    assert [site for site, _ in core.published] == ["a"]


def test_an_unknown_message_is_logged_and_skipped(caplog: pytest.LogCaptureFixture) -> None:
    ours, theirs = multiprocessing.Pipe(duplex=True)
    ours.send(("rebuild-everything",))
    ours.send(("build", "a", Effects(queue=True)))
    ours.send(("stop",))
    core = Recording()
    serve(theirs, core)
    assert "unknown message" in caplog.text
    assert len(core.published) == 1


# ---- the real server with its child, against Mosquitto ------------------------------


def _backend_url(request: pytest.FixtureRequest, data_dir: Path) -> str | None:
    if request.param == "postgresql":
        url: str = request.getfixturevalue("postgres_url")
        return url
    return None  # SQLite in the data directory


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def server(
    request: pytest.FixtureRequest, tmp_path: Path, mosquitto: Mosquitto
) -> Iterator[tuple[Runtime, dict[str, Any]]]:
    data_dir = tmp_path / "var"
    settings = Settings(
        data_dir=data_dir,
        db=_backend_url(request, data_dir),
        mqtt=mosquitto.url,
        http="127.0.0.1:0",
    )
    seed_demo(settings.db_url, data_dir, now=datetime.now(UTC), always_open=True)
    credentials = json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    runtime = Runtime(settings)
    runtime.start()
    try:
        yield runtime, credentials
    finally:
        runtime.stop()


def _login(base: str) -> dict[str, str]:
    reply = httpx.post(
        f"{base}/api/v1/auth/login",
        json={"username": "supervisor", "password": "demo-giam-sat"},
        timeout=10,
    )
    reply.raise_for_status()
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def _issue_and_call(base: str, credentials: dict[str, Any], key: str) -> dict[str, Any]:
    kiosk = next(v for k, v in credentials["devices"].items() if k.startswith("kiosk-"))
    issued = httpx.post(
        f"{base}/api/v1/sites/{SITE}/tickets",
        json={"service": "tp-hotich"},
        headers={"Authorization": f"Bearer {kiosk}", "Idempotency-Key": f"i-{key}"},
        timeout=10,
    )
    assert issued.status_code == 201, issued.text
    called = httpx.post(
        f"{base}/api/v1/sites/{SITE}/counters/2/call-next",
        headers={**_login(base), "Idempotency-Key": f"c-{key}"},
        timeout=10,
    )
    assert called.status_code == 200, called.text
    body: dict[str, Any] = called.json()
    assert body["ticket"]["number"] == issued.json()["number"]
    return body


def _shows(call_id: str) -> Any:
    """A display snapshot calling this call (call ids are unique across tests)."""

    def match(received: Any) -> bool:
        calling = received.json().get("calling")
        return bool(calling) and calling["call_id"] == call_id

    return match


def test_a_call_reaches_the_board_through_the_snapshot_process(
    server: tuple[Runtime, dict[str, Any]], mosquitto: Mosquitto
) -> None:
    runtime, credentials = server
    builder = runtime._builder
    assert builder is not None and builder.pid not in (None, os.getpid())
    base = f"http://127.0.0.1:{runtime.port}"
    probe = MqttProbe(
        "127.0.0.1",
        mosquitto.port,
        topics.display(SITE, "A"),
        topics.calls(SITE),
        "qms/v1/server/status",
    )
    try:
        body = _issue_and_call(base, credentials, "1")
        board = probe.wait_for(_shows(body["call_id"]), timeout=15)
        assert board.json()["seq"] > 0
        event = probe.wait_for(lambda r: r.topic == topics.calls(SITE), timeout=15)
        assert event.json()["call"]["call_id"] == body["call_id"]
        # The server's own connection still announces it; the child's sets no will.
        status = probe.wait_for(lambda r: r.topic == "qms/v1/server/status", timeout=15)
        assert status.json()["state"] == "online"
        assert runtime.service.flush(10)
    finally:
        probe.close()


def test_a_dead_snapshot_process_is_started_again_and_heals_the_boards(
    server: tuple[Runtime, dict[str, Any]], mosquitto: Mosquitto
) -> None:
    runtime, credentials = server
    builder = runtime._builder
    assert builder is not None and builder.pid is not None
    os.kill(builder.pid, signal.SIGKILL)
    base = f"http://127.0.0.1:{runtime.port}"
    deadline = time.monotonic() + 10
    while builder.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    health = httpx.get(f"{base}/api/v1/health", timeout=10).json()
    assert health["status"] == "degraded" and health["mqtt"] == "snapshot process down"
    time.sleep(snapshot_process.RESTART_AFTER_S + 0.2)
    body = _issue_and_call(base, credentials, "2")  # the command never notices
    assert runtime.service.flush(15)
    assert builder.starts == 2
    assert httpx.get(f"{base}/api/v1/health", timeout=10).json()["status"] == "ok"
    # A board connecting now gets the retained snapshot with the call made meanwhile.
    probe = MqttProbe("127.0.0.1", mosquitto.port, topics.display(SITE, "A"))
    try:
        probe.wait_for(_shows(body["call_id"]), timeout=15)
    finally:
        probe.close()


def test_the_snapshot_process_ends_with_the_server(
    server: tuple[Runtime, dict[str, Any]],
) -> None:
    runtime, _credentials = server
    builder = runtime._builder
    assert builder is not None
    pid = builder.pid
    assert pid is not None
    runtime.stop()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _running(pid):
        time.sleep(0.05)
    assert not _running(pid)


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_service_manager_stop_ends_the_server_and_its_snapshot_process(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    """``qms server`` stopped the way systemd stops a service: SIGTERM to every process
    of it at once. The child ignores it and ends with the server, no process is left."""

    data_dir = tmp_path / "var"
    seed_demo(f"sqlite:///{data_dir / 'qms.sqlite3'}", data_dir, now=datetime.now(UTC))
    command = [sys.executable, "-m", "qms", "server", "--data-dir", str(data_dir)]
    command += ["--http", "127.0.0.1:0", "--mqtt", mosquitto.url]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True, start_new_session=True)
    assert proc.stderr is not None
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line, f"qms server ended (exit {proc.poll()})"
            if re.search(r"serving http://127\.0\.0\.1:\d+", line):
                break
        family = descendants(proc.pid)
        assert len(family) >= 2  # the fork server and the snapshot process (and a tracker)
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(30) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(pid) for pid in family):
            time.sleep(0.05)
        assert not [pid for pid in family if _running(pid)]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        proc.stderr.close()


def test_a_restarted_server_republishes_the_device_statuses_on_its_own_connection(
    tmp_path: Path, mosquitto: Mosquitto
) -> None:
    """Snapshots come from the snapshot process; the device statuses still come from the
    server process, at start as on every reconnect."""

    data_dir = tmp_path / "var"
    settings = Settings(data_dir=data_dir, mqtt=mosquitto.url, http="127.0.0.1:0")
    seed_demo(settings.db_url, data_dir, now=datetime.now(UTC))
    credentials = json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    kiosk_id, token = next((k, v) for k, v in credentials["devices"].items() if "kiosk" in k)
    topic = topics.device(SITE, kiosk_id)
    first = Runtime(settings)
    first.start()
    try:
        reply = httpx.post(
            f"http://127.0.0.1:{first.port}/api/v1/devices/status",
            json={"online": True, "printer": "paper_low", "detail": "restart test"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        assert reply.status_code == 200, reply.text
    finally:
        first.stop()
    # As if the broker had lost its retained state while the server was down.
    publish.single(topic, b"", retain=True, hostname="127.0.0.1", port=mosquitto.port)
    second = Runtime(settings)
    second.start()
    probe = MqttProbe("127.0.0.1", mosquitto.port, topic)
    try:
        status = probe.wait_for(lambda r: bool(r.payload), timeout=15)
        assert status.json()["printer"] == "paper_low" and status.json()["detail"] == "restart test"
    finally:
        probe.close()
        second.stop()


def test_without_a_snapshot_process_the_server_builds_its_snapshots_itself(
    tmp_path: Path, mosquitto: Mosquitto, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine where no child process can be started still gets a working server."""

    def cannot_start() -> Any:
        raise OSError("no fork server here")

    monkeypatch.setattr(snapshot_process, "_context", cannot_start)
    data_dir = tmp_path / "var"
    settings = Settings(data_dir=data_dir, mqtt=mosquitto.url, http="127.0.0.1:0")
    seed_demo(settings.db_url, data_dir, now=datetime.now(UTC), always_open=True)
    credentials = json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    runtime = Runtime(settings)
    runtime.start()
    probe = MqttProbe("127.0.0.1", mosquitto.port, topics.display(SITE, "A"))
    try:
        assert runtime._builder is None
        body = _issue_and_call(f"http://127.0.0.1:{runtime.port}", credentials, "fallback")
        probe.wait_for(_shows(body["call_id"]), timeout=15)
    finally:
        probe.close()
        runtime.stop()
