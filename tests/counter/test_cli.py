"""``qms counter``: its options, refusals of bad combinations, and ``--screenshot``."""

import argparse
import io
import os
import subprocess
import sys

import pytest
from PIL import Image

from counter import cli
from counter.client import CounterClient
from counter.main import main, settings_from
from counter.settings import TerminalSettings
from server.contract.vocab import CounterState
from tests.counter.conftest import issue


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers()
    cli.register(sub)
    return parser.parse_args(["counter", *argv])


def test_every_flag_of_the_issue_is_there():
    args = parse(
        "--server", "http://127.0.0.1:1", "--mqtt", "mqtt://127.0.0.1:2", "--site", "s",
        "--counter", "7", "--user", "u", "--password-stdin", "--keypad", "/dev/ttyA",
        "--rating-pad", "/dev/ttyB", "--led", "/dev/ttyC", "--screenshot", "x.png",
    )  # fmt: skip
    assert args.func is cli.run
    settings = settings_from(args, TerminalSettings())
    assert (settings.server, settings.mqtt, settings.site, settings.counter) == (
        "http://127.0.0.1:1",
        "mqtt://127.0.0.1:2",
        "s",
        "7",
    )
    assert (args.keypad, args.rating_pad, args.led) == ("/dev/ttyA", "/dev/ttyB", "/dev/ttyC")


def test_saved_settings_stay_unless_overridden():
    saved = TerminalSettings(server="http://127.0.0.1:5", counter="9")
    settings = settings_from(parse("--site", "ward-1"), saved)
    assert settings.server == "http://127.0.0.1:5" and settings.counter == "9"
    assert settings.site == "ward-1"


@pytest.mark.parametrize(
    "argv",
    [
        ("--password-stdin",),
        ("--screenshot", "x.png"),
        ("--user", "u", "--screenshot", "x.png"),
        ("--user", "u", "--password-stdin", "--bus-address", "300"),
    ],
)
def test_bad_combinations_are_refused(argv, capsys, monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "stdin", io.StringIO("secret\n"))
    assert main(parse("--data-dir", str(tmp_path), *argv)) == 2
    assert capsys.readouterr().err.startswith("qms counter:")


@pytest.mark.gui
@pytest.mark.slow
def test_screenshot_with_live_data(live_server, tmp_path):
    ticket = issue(live_server, "tp-hotich", priority="elderly")
    issue(live_server, "tp-lltp")
    out = tmp_path / "counter.png"
    username, password = live_server.clerks["2"]
    command = [
        sys.executable, "-m", "qms", "counter",
        "--server", live_server.base_url,
        "--mqtt", live_server.mqtt_url("counter-pc-1"),
        "--site", live_server.site, "--counter", "2",
        "--user", username, "--password-stdin",
        "--data-dir", str(tmp_path / "data"), "--screenshot", str(out),
    ]  # fmt: skip
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        command,
        input=password + "\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    with Image.open(out) as image:
        assert image.size == (1280, 800)
        assert len(image.getcolors(1 << 16) or []) > 50  # drawn, not a blank window
    assert (tmp_path / "data" / "counter-terminal.json").exists()
    assert ticket["number"]
    # Only a look: the counter was neither opened nor paused by the screenshot.
    reader = CounterClient(live_server.base_url)
    try:
        state = next(c for c in reader.counters(live_server.site).counters if c.counter.id == "2")
    finally:
        reader.close()
    assert state.counter.state == CounterState.CLOSED
