"""The benchmark's surroundings: a throwaway PostgreSQL or Mosquitto, a seeded database
and the server process. The same throwaway servers the tests use."""

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from server.seed.types import SiteSeed
from server.storage.db import Database, sqlite_url
from server.storage.seeding import CREDENTIALS_FILE, load_sites, seed_demo
from tests.support.mosquitto import Mosquitto
from tests.support.postgres import PostgresServer


@dataclass(frozen=True)
class Server:
    base_url: str
    mqtt_host: str
    mqtt_port: int
    credentials: dict[str, object]
    db: str
    broker: str
    pid: int  # the server process, for its CPU time
    thread_cpu: Callable[[], dict[str, Any]]  # see bench.serve.thread_cpu


def process_cpu_seconds(pid: int) -> float:
    """User + system CPU time one process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """The live child processes of a process, their children, and so on (Linux /proc)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue  # ended meanwhile
        for task in tasks:
            try:
                children = [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
            found.extend(children)
            todo.extend(children)
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time the server has used so far: its process and the processes it started
    (the snapshot process, and the fork server that starts it)."""
    total = process_cpu_seconds(pid)
    for child in descendants(pid):
        with suppress(OSError):
            total += process_cpu_seconds(child)
    return total


@contextmanager
def running_server(
    db: str, broker: str, *, extra_sites: Sequence[SiteSeed] = ()
) -> Iterator[Server]:
    """``db``: sqlite or postgresql; ``broker``: embedded or mosquitto; ``extra_sites``
    are loaded beside the demo's (``bench.sites``)."""
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qms-bench-")))
        data_dir = workdir / "var"
        if db == "postgresql":
            pg = PostgresServer()
            pg.start()
            stack.callback(pg.stop)
            db_url = pg.create_database()
        elif db == "sqlite":
            db_url = sqlite_url(data_dir)
        else:
            raise ValueError(f"--db must be sqlite or postgresql, not {db!r}")
        mqtt_url: str | None = None
        if broker == "mosquitto":
            mosquitto = Mosquitto(workdir)
            mosquitto.start()
            stack.callback(mosquitto.stop)
            mqtt_url = mosquitto.url
        elif broker != "embedded":
            raise ValueError(f"--broker must be embedded or mosquitto, not {broker!r}")
        data_dir.mkdir(parents=True)
        seed_demo(db_url, data_dir, now=datetime.now(UTC), always_open=True)
        if extra_sites:
            database = Database(db_url)
            try:
                with database.write() as session:
                    load_sites(session, extra_sites, now=datetime.now(UTC))
            finally:
                database.dispose()
        credentials = json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))
        cmd = [sys.executable, "-m", "bench.serve", "--data-dir", str(data_dir), "--db", db_url]
        if mqtt_url:
            cmd += ["--mqtt", mqtt_url]
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        stack.callback(_stop, proc)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the server process did not start (see its log above)")
        ports = json.loads(line)
        yield Server(
            base_url=f"http://127.0.0.1:{ports['http_port']}",
            mqtt_host=ports["mqtt_host"],
            mqtt_port=ports["mqtt_port"],
            credentials=credentials,
            db=db,
            broker=broker,
            pid=proc.pid,
            thread_cpu=lambda: _ask_cpu(proc),
        )


def _ask_cpu(proc: "subprocess.Popen[str]") -> dict[str, Any]:
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("cpu\n")
    proc.stdin.flush()
    answer: dict[str, Any] = json.loads(proc.stdout.readline())
    return answer


def cpu_by_thread(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
    """CPU seconds each kind of server thread used between two ``thread_cpu`` answers.
    A thread that ended in between (the HTTP stack retires idle workers) took CPU no
    answer saw: it is counted in "other" (the process total minus the threads seen)."""
    spent: dict[str, float] = {}
    for tid, (role, cpu) in after["threads"].items():
        earlier = before["threads"].get(tid)
        spent[role] = spent.get(role, 0.0) + cpu - (earlier[1] if earlier else 0.0)
    spent["other"] = spent.get("other", 0.0) + max(
        0.0, after["total"] - before["total"] - sum(spent.values())
    )
    return spent


def _stop(proc: "subprocess.Popen[str]") -> None:
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(10)
    if proc.stdout is not None:
        proc.stdout.close()
