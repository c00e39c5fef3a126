"""Real ``qms server`` processes for the branch tests: a central server and branch
servers, and a hall's kiosk and clerks driven over HTTP."""

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from server.contract import paths
from server.contract.http import API_PREFIX
from server.storage.db import sqlite_url

START_TIMEOUT_S = 90


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.2)


@dataclass
class Server:
    """One ``qms server`` process; ``start`` again after ``stop`` or ``kill``."""

    args: list[str]
    url: str = ""
    proc: subprocess.Popen[str] | None = None
    log: list[str] = field(default_factory=list)
    _drain: threading.Thread | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "qms", "server", *self.args],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stderr is not None
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            line = self.proc.stderr.readline()
            if not line:
                break
            self.log.append(line)
            if m := re.search(r"serving (http://127\.0\.0\.1:\d+)", line):
                self.url = m.group(1)
                # keep draining stderr so the server never blocks on a full pipe
                self._drain = threading.Thread(
                    target=self.log.extend, args=(self.proc.stderr,), daemon=True
                )
                self._drain.start()
                return
        self.proc.kill()
        raise AssertionError(f"qms server did not start: {''.join(self.log[-20:])}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
        self._ended()

    def kill(self) -> None:
        """``kill -9``: nothing of the process runs after it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
        self._ended()

    def _ended(self) -> None:
        if self.proc is None:
            return
        self.proc.wait(timeout=60)
        if self._drain is not None:
            self._drain.join(timeout=30)  # the pipe's end comes with the process's
        if self.proc.stderr is not None:
            self.proc.stderr.close()
        self.proc, self._drain = None, None


@dataclass
class Hall:
    """A site's kiosk and one clerk at one counter, talking to the branch server."""

    server: Server
    site: str
    service: str
    kiosk_token: str
    clerk: dict[str, Any]
    _n: int = 0
    _session: str | None = None

    def _key(self) -> str:
        self._n += 1
        return f"{self.site}-{time.monotonic_ns()}-{self._n}"

    def issue(self, count: int) -> None:
        with httpx.Client(base_url=self.server.url, timeout=30) as http:
            for _ in range(count):
                r = http.post(
                    f"/api/v1/sites/{self.site}/tickets",
                    json={"service": self.service},
                    headers={
                        "Authorization": f"Bearer {self.kiosk_token}",
                        "Idempotency-Key": self._key(),
                    },
                )
                assert r.status_code == 201, r.text

    def serve(self, count: int, *, rate: bool = True) -> None:
        """Call, start and finish ``count`` tickets at the clerk's counter; rate each."""
        counter = self.clerk["counter"]
        with httpx.Client(base_url=self.server.url, timeout=30) as http:
            r = http.post(
                "/api/v1/auth/login",
                json={"username": self.clerk["username"], "password": self.clerk["password"]},
            )
            assert r.status_code == 200, r.text
            auth = {"Authorization": f"Bearer {r.json()['token']}"}
            for _ in range(count):
                for action, body in (
                    ("call-next", None),
                    ("start", None),
                    ("finish", None),
                    ("rate", {"rating": "satisfied"} if rate else None),
                ):
                    if body is None and action == "rate":
                        continue
                    r = http.post(
                        f"/api/v1/sites/{self.site}/counters/{counter}/{action}",
                        json=body,
                        headers={**auth, "Idempotency-Key": self._key()},
                    )
                    assert r.status_code == 200, r.text

    def ready(self) -> bool:
        """Whether the branch already took its site from the city and issues."""
        try:
            r = httpx.get(
                f"{self.server.url}{API_PREFIX}{paths.menu(self.site)}",
                headers={"Authorization": f"Bearer {self.kiosk_token}"},
                timeout=10,
            )
        except httpx.HTTPError:
            return False
        return r.status_code == 200


def credentials(data_dir: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads(
        (data_dir / "demo-credentials.json").read_text(encoding="utf-8")
    )
    return found


def branch_log(data_dir: Path) -> tuple[list[tuple[int, str, str]], dict[str, tuple[Any, ...]]]:
    """A branch's events (id, kind, ticket) and tickets (id -> number, status, counter)."""
    engine = create_engine(sqlite_url(data_dir))
    try:
        with engine.connect() as c:
            events = [
                (int(i), k, t)
                for i, k, t in c.execute(
                    text("SELECT id, kind, ticket_id FROM ticket_events ORDER BY id")
                )
            ]
            tickets = {
                r[0]: tuple(r[1:])
                for r in c.execute(text("SELECT id, number, status, counter_id FROM tickets"))
            }
    finally:
        engine.dispose()
    return events, tickets


def central_log(
    db_url: str, branch: str, site: str
) -> tuple[list[tuple[int, str, str]], dict[str, tuple[Any, ...]]]:
    """What the central database holds of one branch: its events by their branch id,
    and the tickets of its site."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as c:
            events = [
                (int(i), k, t)
                for i, k, t in c.execute(
                    text(
                        "SELECT origin_id, kind, ticket_id FROM ticket_events "
                        "WHERE origin = :b ORDER BY origin_id"
                    ),
                    {"b": branch},
                )
            ]
            tickets = {
                r[0]: tuple(r[1:])
                for r in c.execute(
                    text("SELECT id, number, status, counter_id FROM tickets WHERE site_id = :s"),
                    {"s": site},
                )
            }
    finally:
        engine.dispose()
    return events, tickets


def in_sync(db_url: str, branch: str, site: str, data_dir: Path) -> bool:
    return central_log(db_url, branch, site) == branch_log(data_dir)


def today_local() -> date:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
