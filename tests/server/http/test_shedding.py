"""The HTTP server sheds what it cannot serve (issue 14): idle sockets, half headers and
huge headers do not stop it serving, under ``ulimit -n 1024``.

The server runs in a process of its own (``serve_limited``) so its descriptor limit is
its own; the test opens more idle sockets than that limit allows it to hold.
"""

import json
import resource
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from server.config import Settings
from server.storage.seeding import CREDENTIALS_FILE, seed_demo
from tests.server.http.serve_limited import FD_LIMIT

IDLE_SOCKETS = 1010
HALF_HEADERS = 50
SITE = "hcm-main"


@dataclass
class Served:
    base: str
    port: int
    kiosk_token: str
    stderr: Path


@pytest.fixture
def limited_server(tmp_path: Path) -> Iterator[Served]:
    data = tmp_path / "var"
    settings = Settings(data_dir=data)
    seed_demo(settings.db_url, data, now=datetime.now(UTC), always_open=True)
    tokens = json.loads((data / CREDENTIALS_FILE).read_text(encoding="utf-8"))["devices"]
    root = Path(__file__).resolve().parents[3]
    err = tmp_path / "server.log"
    with err.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.server.http.serve_limited", str(data)],
            cwd=root,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
        )
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.strip().isdigit(), err.read_text()
            port = int(line)
            yield Served(f"http://127.0.0.1:{port}/api/v1", port, tokens["kiosk-1"], err)
        finally:
            assert process.stdin is not None
            process.stdin.close()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
            process.stdout.close()  # type: ignore[union-attr]


@pytest.fixture
def many_descriptors() -> Iterator[None]:
    """This process must hold more sockets than the server may."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4 * FD_LIMIT
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the test needs {wanted} file descriptors (hard limit {hard})")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def _open(port: int, first_bytes: bytes = b"") -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    if first_bytes:
        sock.sendall(first_bytes)
    return sock


def test_idle_sockets_and_half_headers_leave_health_and_issuing_working(
    limited_server: Served, many_descriptors: None
) -> None:
    served = limited_server
    half = b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: "
    sockets = [_open(served.port) for _ in range(IDLE_SOCKETS)]
    sockets += [_open(served.port, half) for _ in range(HALF_HEADERS)]
    try:
        health = httpx.get(served.base + "/health", timeout=30)
        assert health.status_code == 200
        assert health.json()["database"] == "sqlite"
        menu = httpx.get(f"{served.base}/sites/{SITE}/services", timeout=30).json()
        code = menu["departments"][0]["services"][0]["code"]
        issued = httpx.post(
            f"{served.base}/sites/{SITE}/tickets",
            json={"service": code},
            headers={"Authorization": f"Bearer {served.kiosk_token}", "Idempotency-Key": "i1"},
            timeout=30,
        )
        assert issued.status_code == 201, issued.text
    finally:
        for sock in sockets:
            sock.close()
    log = served.stderr.read_text(encoding="utf-8")
    assert "too many connections; the longest idle made room" in log


def test_a_connection_without_a_full_header_is_closed_and_logged(limited_server: Served) -> None:
    sock = _open(limited_server.port, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    try:
        sock.settimeout(60)
        assert sock.recv(1024) == b""  # closed by the server, no answer
    except ConnectionResetError:
        pass  # closed without lingering: also closed
    finally:
        sock.close()
    assert "no full request header in time" in limited_server.stderr.read_text(encoding="utf-8")


def test_a_huge_header_is_cut_off_early(limited_server: Served) -> None:
    """100 MB of header: the server answers 431 or closes long before it is all sent."""
    total = 100 * 1024 * 1024
    chunk = b"X-Filler: " + b"a" * (64 * 1024 - 12) + b"\r\n"
    sock = _open(limited_server.port, b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
    sent = 0
    answer = b""
    stop = threading.Event()

    def read() -> None:
        nonlocal answer
        try:
            while data := sock.recv(4096):
                answer += data
        except OSError:
            pass
        stop.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while sent < total and not stop.is_set():
            sock.sendall(chunk)
            sent += len(chunk)
    except OSError:
        pass  # reset by the server: cut off
    finally:
        stop.wait(30)
        sock.close()
        reader.join(10)
    assert sent < total
    assert answer == b"" or answer.startswith(b"HTTP/1.1 431")
    health = httpx.get(limited_server.base + "/health", timeout=30)
    assert health.status_code == 200
    assert "request header too large" in limited_server.stderr.read_text(encoding="utf-8")
