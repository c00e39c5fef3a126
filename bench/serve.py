"""Run the real server in its own process for a benchmark.

``python -m bench.serve --data-dir DIR [--db URL] [--mqtt URL]`` starts
``server.runtime.Runtime`` on 127.0.0.1 (a free HTTP port; the embedded broker when no
``--mqtt``), prints one JSON line with its ports, and stops when stdin closes. The
load generator runs in another process so the two never share one GIL. Each line
``cpu`` on stdin is answered with one JSON line: the CPU seconds each kind of thread of
this process has used so far (Linux /proc), to see where a request's CPU goes; the
processes it started (the snapshot process) count as one kind.
"""

import argparse
import json
import logging
import os
import sys
import threading
from pathlib import Path

from bench.env import descendants
from server.config import Settings
from server.runtime import Runtime, freeze_start_up_objects

ROLES = (
    ("AnyIO worker", "request threads"),
    ("commands-", "command lanes"),
    ("http", "HTTP event loop"),
    ("snapshot-pump", "snapshot pump"),
    ("mqtt-publisher", "MQTT outbox"),
    ("paho-mqtt", "MQTT network"),
)


def role_of(name: str) -> str:
    return next((role for prefix, role in ROLES if name.startswith(prefix)), "other")


def thread_cpu() -> dict[str, object]:
    """The process's CPU seconds and each live thread's (by native id, with its kind)."""
    tick = os.sysconf("SC_CLK_TCK")

    def used(stat: str) -> float:
        fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / tick

    threads: dict[str, tuple[str, float]] = {}
    for thread in threading.enumerate():
        try:
            cpu = used(f"/proc/self/task/{thread.native_id}/stat")
        except OSError:
            continue  # ended meanwhile
        threads[str(thread.native_id)] = (role_of(thread.name), cpu)
    total = used("/proc/self/stat")
    # The snapshot process (and the fork server that starts it) work for this server.
    for pid in descendants(os.getpid()):
        try:
            cpu = used(f"/proc/{pid}/stat")
        except OSError:
            continue
        total += cpu
        threads[f"child-{pid}"] = ("snapshot process", cpu)
    return {"total": total, "threads": threads}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--db")
    parser.add_argument("--mqtt")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="server: %(levelname)s %(name)s %(message)s")
    settings = Settings(data_dir=args.data_dir, db=args.db, mqtt=args.mqtt, http="127.0.0.1:0")
    runtime = Runtime(settings)
    runtime.start()
    freeze_start_up_objects()  # as `qms server` does
    host, port = runtime.broker_address()
    print(json.dumps({"http_port": runtime.port, "mqtt_host": host, "mqtt_port": port}), flush=True)
    try:
        for line in sys.stdin:  # until the benchmark closes our stdin
            if line.strip() == "cpu":
                print(json.dumps(thread_cpu()), flush=True)
    finally:
        runtime.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
