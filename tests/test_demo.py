"""``qms demo``: the README's first command, run as a person runs it."""

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from qms.cli import build_parser
from qms.demo import DemoLinks, app_commands, has_screen, open_windows
from tests.support.mqtt_probe import MqttProbe


def _read_links(proc: subprocess.Popen[str], timeout: float = 60.0) -> tuple[str, str]:
    """The HTTP base and MQTT URL the demo prints once it runs."""
    assert proc.stdout is not None
    http = mqtt = None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not (http and mqtt):
        line = proc.stdout.readline()
        if not line:
            raise AssertionError(f"demo ended early (exit {proc.wait()})")
        if m := re.search(r"health:\s+(http://\S+)/api/v1/health", line):
            http = m.group(1)
        if m := re.search(r"MQTT broker:\s+(mqtt://\S+)", line):
            mqtt = m.group(1)
    assert http and mqtt, "the demo did not print its URLs"
    return http, mqtt


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[tuple[str, str, Path]]:
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
    try:
        http, mqtt = _read_links(proc)
        yield http, mqtt, data_dir
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = proc.communicate(timeout=30)
        assert proc.returncode == 0, stderr
        assert "Traceback" not in stderr, stderr


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
    probe = MqttProbe(host, int(port), "qms/v1/hcm-main/display/+")
    try:
        board = probe.wait_for(lambda m: m.topic.endswith("/display/A")).json()
        assert board["site_name"].startswith("Trung tâm Phục vụ hành chính công")
        assert any(c["id"] == "2" for c in board["counters"])
    finally:
        probe.close()
    credentials = json.loads((data_dir / "demo-credentials.json").read_text(encoding="utf-8"))
    assert "kiosk-1" in credentials["devices"]


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
    probe = MqttProbe(host, int(port), "qms/v1/hcm-main/counters/2", "qms/v1/hcm-main/devices/+")
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
