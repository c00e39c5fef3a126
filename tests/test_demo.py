"""``qms demo``: the README's first command, run as a person runs it."""

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from qms.cli import build_parser
from qms.demo import DemoLinks, app_commands, has_screen, open_windows
from tests.support.mqtt_probe import MqttProbe


class Output:
    """The demo's standard output, line by line, read on a thread (never blocks a test)."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def close(self, proc: subprocess.Popen[str]) -> None:
        """After the process ended: the reader reaches the end, then the pipe is closed."""
        self._thread.join(timeout=10)
        assert proc.stdout is not None
        proc.stdout.close()

    def _read(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def next_line(self, deadline: float) -> str:
        try:
            line = self.lines.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise AssertionError("the demo printed nothing more in time") from None
        if line is None:
            raise AssertionError("the demo ended early")
        return line

    def wait_for(self, pattern: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while not re.search(pattern, line := self.next_line(deadline)):
            pass
        return line


def _read_links(out: Output, timeout: float = 60.0) -> tuple[str, str]:
    """The HTTP base and MQTT URL the demo prints once it runs."""
    http = mqtt = None
    deadline = time.monotonic() + timeout
    while not (http and mqtt):
        line = out.next_line(deadline)
        if m := re.search(r"health:\s+(http://\S+)/api/v1/health", line):
            http = m.group(1)
        if m := re.search(r"MQTT broker:\s+(mqtt://\S+)", line):
            mqtt = m.group(1)
    assert http and mqtt, "the demo did not print its URLs"
    return http, mqtt


def _display(data_dir: Path) -> dict[str, str]:
    """A probe's broker credentials: the demo display's id and token (no anonymous)."""
    credentials = json.loads((data_dir / "demo-credentials.json").read_text(encoding="utf-8"))
    return {"username": "display-A", "password": credentials["devices"]["display-A"]}


def _post(url: str, body: dict, token: str, key: str) -> dict:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {token}",
            "Idempotency-Key": key,
        },
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def demo_process(tmp_path: Path) -> Iterator[tuple[Output, str, str, Path]]:
    data_dir = tmp_path / "var"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "qms", "demo", "--headless"),
            *("--data-dir", str(data_dir), "--http", "127.0.0.1:0", "--mqtt-port", "0"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    out = Output(proc)
    try:
        http, mqtt = _read_links(out)
        yield out, http, mqtt, data_dir
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        out.close(proc)
        assert proc.stderr is not None
        stderr = proc.stderr.read()
        proc.stderr.close()
        assert proc.returncode == 0, stderr
        assert "Traceback" not in stderr, stderr


@pytest.fixture
def demo(demo_process) -> tuple[str, str, Path]:
    _out, http, mqtt, data_dir = demo_process
    return http, mqtt, data_dir


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.mosquitto
def test_headless_demo_serves_the_api_and_retained_boards(demo) -> None:
    http, mqtt, data_dir = demo
    assert _get(f"{http}/api/v1/health")["status"] == "ok"
    menu = _get(f"{http}/api/v1/sites/hcm-main/services")
    assert any("Hộ tịch" in str(item) for item in menu["departments"])
    host, port = mqtt.removeprefix("mqtt://").rsplit(":", 1)
    probe = MqttProbe(host, int(port), "qms/v1/hcm-main/display/+", **_display(data_dir))
    try:
        board = probe.wait_for(lambda m: m.topic.endswith("/display/A")).json()
        assert board["site_name"].startswith("Trung tâm Phục vụ hành chính công")
        assert any(c["id"] == "2" for c in board["counters"])
    finally:
        probe.close()


@pytest.mark.mosquitto
def test_a_call_in_the_headless_demo_reaches_the_simulated_led(demo_process) -> None:
    out, http, _mqtt, data_dir = demo_process
    credentials = json.loads((data_dir / "demo-credentials.json").read_text(encoding="utf-8"))
    kiosk = credentials["devices"]["kiosk-1"]
    site = f"{http}/api/v1/sites/hcm-main"
    ticket = _post(f"{site}/tickets", {"service": "tp-hotich"}, kiosk, "t-1")
    clerk = next(u for u in credentials["users"] if u["counter"] == "2")
    login = _post(
        f"{http}/api/v1/auth/login",
        {"username": clerk["username"], "password": clerk["password"]},
        "",
        "l-1",
    )
    called = _post(f"{site}/counters/2/call-next", {}, login["token"], "c-1")
    assert called["ticket"]["number"] == ticket["number"]
    out.wait_for(rf"LED\s+2: {ticket['number']}")


@pytest.mark.gui
@pytest.mark.slow
def test_the_demo_windows_start_and_reach_the_server(demo, tmp_path) -> None:
    """What ``qms demo`` opens with a screen, run offscreen: the clerk's counter opens
    and the kiosk reports itself online."""
    http, mqtt, data_dir = demo
    credentials = json.loads((data_dir / "demo-credentials.json").read_text(encoding="utf-8"))
    commands = app_commands(DemoLinks(http, mqtt, data_dir), credentials, no_sound=True)
    for _name, argv, _env, _stdin in commands:  # every flag is one the apps accept
        build_parser().parse_args(argv[3:])
    host, port = mqtt.removeprefix("mqtt://").rsplit(":", 1)
    probe = MqttProbe(
        host,
        int(port),
        "qms/v1/hcm-main/counters/2",
        "qms/v1/hcm-main/devices/+",
        **_display(data_dir),
    )
    children = open_windows(
        [(n, a, {**e, "QT_QPA_PLATFORM": "offscreen"}, s) for n, a, e, s in commands]
    )
    try:
        probe.wait_for(lambda m: m.json().get("clerk") == "clerk02", timeout=60)
        kiosk = probe.wait_for(
            lambda m: m.topic.endswith("/devices/kiosk-1") and m.json()["online"], timeout=60
        )
        assert kiosk.json()["online"] is True
        for name, child in children:
            assert child.poll() is None, f"{name} exited with {child.returncode}"
    finally:
        probe.close()
        for _, child in children:
            child.terminate()
        for _, child in children:
            child.wait(timeout=20)


def test_no_screen_means_headless(monkeypatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert not has_screen()
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert not has_screen()
    monkeypatch.setenv("QT_QPA_PLATFORM", "xcb")
    assert has_screen()
