"""``qms user passwd|disable|enable|remove`` and ``qms device list|revoke`` against a
running server: what they end stops working there at once (another process, so the
server learns it from the database, not from its own cache)."""

import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from qms.cli import main
from server.config import Settings
from server.messaging.publisher import RecordingPublisher
from server.runtime import Runtime
from server.storage.seeding import CREDENTIALS_FILE, seed_demo

SITE = "hcm-main"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Runtime, Path]]:
    data = tmp_path / "var"
    settings = Settings(data_dir=data, http="127.0.0.1:0", snapshot_process=False)
    seed_demo(settings.db_url, data, now=datetime.now(UTC), always_open=True)
    runtime = Runtime(settings, publisher=RecordingPublisher())
    runtime.start()
    try:
        yield runtime, data
    finally:
        runtime.stop()


def _until_refused(url: str, token: str) -> int:
    """The status once the token is refused, polling with a generous limit."""
    deadline = time.monotonic() + 30
    status = 200
    while time.monotonic() < deadline:
        status = httpx.get(
            url, headers={"Authorization": f"Bearer {token}"}, timeout=10
        ).status_code
        if status != 200:
            break
        time.sleep(0.05)
    return status


def _login(base: str, username: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{base}/api/v1/auth/login", json={"username": username, "password": password}, timeout=10
    )


def test_passwd_disable_and_remove_end_the_sessions_in_the_running_server(
    running, monkeypatch, capsys
) -> None:
    runtime, data = running
    base = f"http://127.0.0.1:{runtime.port}"
    queue = f"{base}/api/v1/sites/{SITE}/queue"
    at = ["--data-dir", str(data)]
    token = _login(base, "clerk01", "demo-quay-01").json()["token"]
    assert httpx.get(queue, headers={"Authorization": f"Bearer {token}"}).status_code == 200
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["user", "passwd", "clerk01", "--password-stdin", *at]) == 2
    assert "at least 10 characters" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("mot-mat-khau-moi\n"))
    assert main(["user", "passwd", "clerk01", "--password-stdin", *at]) == 0
    assert "sessions ended" in capsys.readouterr().out
    assert _until_refused(queue, token) == 401
    assert _login(base, "clerk01", "demo-quay-01").status_code == 401
    token = _login(base, "clerk01", "mot-mat-khau-moi").json()["token"]

    assert main(["user", "disable", "clerk01", *at]) == 0
    assert _until_refused(queue, token) == 401
    assert _login(base, "clerk01", "mot-mat-khau-moi").status_code == 401
    assert main(["user", "enable", "clerk01", *at]) == 0
    token = _login(base, "clerk01", "mot-mat-khau-moi").json()["token"]
    assert main(["user", "remove", "clerk01", *at]) == 0
    assert "removed" in capsys.readouterr().out
    assert _until_refused(queue, token) == 401
    assert main(["user", "remove", "clerk01", *at]) == 2


def test_device_list_and_revoke(running, capsys) -> None:
    runtime, data = running
    at = ["--data-dir", str(data)]
    base = f"http://127.0.0.1:{runtime.port}"
    tokens = json.loads((data / CREDENTIALS_FILE).read_text(encoding="utf-8"))["devices"]
    status = f"{base}/api/v1/devices/status"
    kiosk = {"Authorization": f"Bearer {tokens['kiosk-1']}"}
    assert httpx.post(status, json={"online": True}, headers=kiosk).status_code == 200
    capsys.readouterr()
    assert main(["device", "list", "--site", SITE, *at]) == 0
    listed = capsys.readouterr().out.splitlines()
    kiosk_line = next(line for line in listed if "\tkiosk-1\t" in line)
    assert kiosk_line.startswith(f"{SITE}\tkiosk-1\tkiosk\tactive\t2")  # last seen: a date
    assert all(line.startswith(SITE) for line in listed)
    assert main(["device", "revoke", "kiosk-1", *at]) == 0
    deadline = time.monotonic() + 30
    code = 200
    while code == 200 and time.monotonic() < deadline:
        code = httpx.post(status, json={"online": True}, headers=kiosk).status_code
        time.sleep(0.05)
    assert code == 401
    assert main(["device", "list", *at]) == 0
    assert "\tkiosk-1\tkiosk\trevoked\t" in capsys.readouterr().out
    assert main(["device", "revoke", "no-such-device", *at]) == 2


def test_a_clerk_needs_a_site_on_the_command_line(tmp_path, monkeypatch, capsys) -> None:
    at = ["--data-dir", str(tmp_path / "var")]
    monkeypatch.setattr("sys.stdin", io.StringIO("long-enough-pass\n"))
    assert main(["user", "add", "lonely", "--role", "clerk", "--password-stdin", *at]) == 2
    assert "--site" in capsys.readouterr().err
