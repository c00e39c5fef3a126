"""Two real ``qms server`` processes on one PostgreSQL database, driven over HTTP at
once: no number is given twice and every ticket is called exactly once."""

import json
import re
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from server.storage.seeding import CREDENTIALS_FILE, seed_demo

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

SITE = "hcm-main"
SERVICE = "tp-hotich"  # served by counters 1 (priority) and 2-4 of zone A
COUNTERS = ("1", "2", "3", "4")


def start_server(db_url: str, data_dir: Path) -> tuple[subprocess.Popen[str], str]:
    """``qms server`` on a free port; returns the process and its base URL."""
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "qms", "server", "--db", db_url),
            *("--http", "127.0.0.1:0", "--data-dir", str(data_dir)),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        if m := re.search(r"serving (http://127\.0\.0\.1:\d+)", line):
            # keep draining stderr so the server never blocks on a full pipe
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, m.group(1)
    proc.kill()
    raise AssertionError(f"qms server did not start (exit {proc.wait()})")


@pytest.fixture
def two_servers(postgres_url: str, tmp_path: Path) -> Iterator[tuple[list[str], dict]]:
    seed_demo(postgres_url, tmp_path, now=datetime.now(UTC), always_open=True)
    credentials = json.loads((tmp_path / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    procs = []
    try:
        for n in (1, 2):
            proc, url = start_server(postgres_url, tmp_path / f"server-{n}")
            procs.append((proc, url))
        yield [url for _, url in procs], credentials
    finally:
        for proc, _ in procs:
            proc.terminate()
        for proc, _ in procs:
            proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.close()


def test_two_server_processes_never_give_a_number_twice_nor_call_a_ticket_twice(
    two_servers,
) -> None:
    urls, credentials = two_servers
    kiosk = credentials["devices"]["kiosk-1"]
    per_client, clients = 10, 6

    def issue(i: int) -> list[str]:
        base = urls[i % 2]
        with httpx.Client(base_url=base, timeout=30) as http:
            out = []
            for j in range(per_client):
                r = http.post(
                    f"/api/v1/sites/{SITE}/tickets",
                    json={"service": SERVICE},
                    headers={"Authorization": f"Bearer {kiosk}", "Idempotency-Key": f"{i}-{j}"},
                )
                assert r.status_code == 201, r.text
                out.append(r.json()["id"])
        return out

    with ThreadPoolExecutor(clients) as pool:
        issued = [t for chunk in pool.map(issue, range(clients)) for t in chunk]
    assert len(set(issued)) == len(issued) == per_client * clients

    clerks = {u["counter"]: u for u in credentials["users"] if u["counter"] in COUNTERS}

    def call(i: int) -> list[str]:
        """One clerk calling and finishing until nothing is waiting, through one server."""
        counter = COUNTERS[i]
        user = clerks[counter]
        with httpx.Client(base_url=urls[i % 2], timeout=30) as http:
            r = http.post(
                "/api/v1/auth/login",
                json={"username": user["username"], "password": user["password"]},
            )
            r.raise_for_status()
            auth = {"Authorization": f"Bearer {r.json()['token']}"}
            called, n = [], 0
            while True:
                n += 1
                r = http.post(
                    f"/api/v1/sites/{SITE}/counters/{counter}/call-next",
                    headers={**auth, "Idempotency-Key": f"c{counter}-{n}"},
                )
                if r.status_code == 409 and r.json()["error"] == "nothing_waiting":
                    return called
                assert r.status_code == 200, r.text
                called.append(r.json()["ticket"]["id"])
                for action in ("start", "finish"):
                    r = http.post(
                        f"/api/v1/sites/{SITE}/counters/{counter}/{action}",
                        headers={**auth, "Idempotency-Key": f"{action}{counter}-{n}"},
                    )
                    assert r.status_code == 200, r.text

    with ThreadPoolExecutor(len(COUNTERS)) as pool:
        called = [t for chunk in pool.map(call, range(len(COUNTERS))) for t in chunk]
    counts = Counter(called)
    assert counts.most_common(1)[0][1] == 1, "a ticket was called twice"
    assert set(called) == set(issued), "a ticket was never called"
