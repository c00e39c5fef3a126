"""Many branches feeding one central server: the city's peak and a city-wide link cut.

    python -m bench.sync [--branches 334] [--seconds 60] [--peak 10] [--cut-minutes 60]

A real central server (``qms server`` on a throwaway PostgreSQL, with Mosquitto) owns
the main centre and the demo's ward point, plus ``--branches - 1`` copies of the ward;
every site but the main centre is registered as a branch (``Branches.add``, as ``qms
branch add`` does), so the city has ``--branches + 1`` sites. The branches are
simulated in this process: each keeps an outbox of its events and pushes it the way
``server.upstream.uplink.Uplink`` does (every second when it has events, an empty push
every ten seconds otherwise; at most ``uplink.BATCH`` events and ``MAX_PUSH_BYTES`` a
push), over HTTP with its own token, with the tickets' present state. The branch's own
database is not in the figure: its cost is the branch's, not the city's.

Phase 1, the peak: the city's ~13,000 tickets a day (over eight opening hours) arrive
``--peak`` times faster than the day's average, for ``--seconds``; a ticket is issued,
called, started and finished (half of them rated) within a minute or so. It prints the
events absorbed per second and the sync lag (an event's making at the branch to the
central server's acknowledgement) p50/p99.

Phase 2, the link's return after ``--cut-minutes`` of a city-wide cut at the peak: each
branch holds its share of the backlog and all push at once (eight pushing threads); it
prints how long the city took to absorb it and the events per second.
"""

import argparse
import itertools
import json
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from bench.sites import wards
from bench.throughput import machine, percentile
from server.messaging.publisher import RecordingPublisher
from server.service import QueueService
from server.storage.db import Database
from server.storage.seeding import load_sites, seed_demo
from server.upstream.central import Branches
from server.upstream.uplink import BATCH, MAX_PUSH_BYTES
from server.upstream.wire import PUSH_PATH, EventUp, Push
from tests.support.mosquitto import Mosquitto
from tests.support.postgres import PostgresServer

TICKETS_PER_DAY = 13_000
OPEN_HOURS = 8
HEARTBEAT_S = 10.0
PUSHERS = 8
SERVICE = "td-hotich"


@dataclass
class Outbox:
    """One simulated branch: its token, its site, its events not yet acknowledged."""

    id: str
    site: str
    token: str
    next_event: int = 1
    next_number: int = 1001
    pending: deque[tuple[EventUp, float]] = field(default_factory=deque)
    tickets: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_push: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def new_ticket(self, now: datetime) -> str:
        ticket_id = uuid.uuid4().hex
        number = self.next_number
        self.next_number += 1
        self.tickets[ticket_id] = {
            "id": ticket_id,
            "site_id": self.site,
            "service": SERVICE,
            "number": str(number),
            "seq": number - 1000,
            "business_day": now.date().isoformat(),
            "status": "waiting",
            "issued_at": now.isoformat(),
            "queue_at": now.isoformat(),
            "priority": None,
            "language": "vi",
            "citizen_key": None,
            "counter_id": None,
            "target_counter": None,
            "transferred_from": None,
            "called_at": None,
            "call_count": 0,
            "started_at": None,
            "finished_at": None,
            "outcome": None,
            "estimate_s": 600,
            "note": "",
            "clerk": None,
        }
        return ticket_id

    def event(self, ticket_id: str, kind: str, now: datetime, made: float) -> None:
        """A change of a ticket at the branch: its state and its event, in one step."""
        ticket = self.tickets[ticket_id]
        data: dict[str, Any] = {}
        if kind == "called":
            ticket.update(status="called", counter_id="td-2", called_at=now.isoformat())
            ticket["call_count"] += 1
            ticket["clerk"] = "thuduc02"
        elif kind == "started":
            ticket.update(status="serving", started_at=now.isoformat())
        elif kind == "finished":
            ticket.update(status="done", finished_at=now.isoformat(), outcome="served")
        elif kind == "rated":
            data = {"rating": "satisfied"}
        with self.lock:
            up = EventUp(
                id=self.next_event,
                site=self.site,
                ticket_id=ticket_id,
                kind=kind,
                at=now,
                actor="thuduc02" if kind != "issued" else f"{self.site}-kiosk",
                counter_id=None if kind == "issued" else "td-2",
                data=data,
            )
            self.next_event += 1
            self.pending.append((up, made))

    def next_push(self) -> tuple[Push, list[float]]:
        with self.lock:
            taken = list(itertools.islice(self.pending, BATCH))
            tickets = {e.ticket_id: dict(self.tickets[e.ticket_id]) for e, _ in taken}
        while True:
            push = Push(
                events=[e for e, _ in taken],
                tickets=[tickets[t] for t in dict.fromkeys(e.ticket_id for e, _ in taken)],
            )
            if len(taken) <= 1 or len(push.model_dump_json()) <= MAX_PUSH_BYTES:
                return push, [made for _, made in taken]
            taken = taken[: len(taken) // 2]

    def acknowledged(self, count: int) -> None:
        with self.lock:
            for _ in range(count):
                self.pending.popleft()


@dataclass
class Tally:
    lags: list[float] = field(default_factory=list)
    answers: list[float] = field(default_factory=list)
    events: int = 0
    pushes: int = 0
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


def push_once(http: httpx.Client, box: Outbox, tally: Tally) -> int:
    push, made = box.next_push()
    started = time.monotonic()
    r = http.post(
        PUSH_PATH,
        content=push.model_dump_json(),
        headers={"Authorization": f"Bearer {box.token}", "Content-Type": "application/json"},
    )
    done = time.monotonic()
    box.last_push = done
    with tally.lock:
        tally.pushes += 1
        tally.answers.append(done - started)
        if r.status_code != 200:
            tally.failures += 1
            return 0
        tally.events += len(made)
        tally.lags.extend(done - m for m in made)
    box.acknowledged(len(made))
    return len(made)


def pusher(base: str, boxes: list[Outbox], tally: Tally, stop: threading.Event) -> None:
    """The uplinks of some branches: every second, each one with events pushes them
    (until drained), and each quiet one beats every ``HEARTBEAT_S``."""
    with httpx.Client(base_url=base, timeout=60) as http:
        while not stop.is_set():
            turn = time.monotonic()
            for box in boxes:
                if box.pending:
                    while box.pending and push_once(http, box, tally):
                        pass
                elif turn - box.last_push >= HEARTBEAT_S:
                    push_once(http, box, tally)
            stop.wait(max(0.0, 1.0 - (time.monotonic() - turn)))


def drain(base: str, boxes: list[Outbox], tally: Tally) -> None:
    with httpx.Client(base_url=base, timeout=120) as http:
        for box in boxes:
            while box.pending and push_once(http, box, tally):
                pass


def simulate_peak(boxes: list[Outbox], rate: float, seconds: float, rng: random.Random) -> float:
    """Tickets arrive (Poisson, ``rate`` a second over all branches); each is called
    after 5-40 s, started 2 s later, finished 10-40 s after that, half of them rated.
    Returns how long events were being made."""
    plan: list[tuple[float, Outbox, str, str]] = []  # (when, branch, ticket, kind)
    start = time.monotonic()
    next_arrival = start + rng.expovariate(rate)
    while True:
        now = time.monotonic()
        if now - start >= seconds and not plan:
            return now - start
        if now >= next_arrival and now - start < seconds:
            box = rng.choice(boxes)
            ticket = box.new_ticket(datetime.now(UTC))
            box.event(ticket, "issued", datetime.now(UTC), now)
            called = now + rng.uniform(5, 40)
            finished = called + 2 + rng.uniform(10, 40)
            plan += [(called, box, ticket, "called"), (called + 2, box, ticket, "started")]
            plan.append((finished, box, ticket, "finished"))
            if rng.random() < 0.5:
                plan.append((finished + 1, box, ticket, "rated"))
            plan.sort(key=lambda p: p[0])
            next_arrival += rng.expovariate(rate)
        while plan and plan[0][0] <= now:
            _, box, ticket, kind = plan.pop(0)
            box.event(ticket, kind, datetime.now(UTC), now)
        time.sleep(0.01)


def backlog(boxes: list[Outbox], events: int, rng: random.Random) -> None:
    """``events`` made during a cut, spread over the branches: whole tickets' lives."""
    now = datetime.now(UTC) - timedelta(minutes=1)
    made = time.monotonic()
    while events > 0:
        box = rng.choice(boxes)
        ticket = box.new_ticket(now)
        for kind in ("issued", "called", "started", "finished", "rated")[: min(5, events)]:
            box.event(ticket, kind, now, made)
            events -= 1


def start_central(db_url: str, data_dir: Path, mqtt_url: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [
            *(sys.executable, "-m", "qms", "server", "--db", db_url),
            *("--data-dir", str(data_dir), "--http", "127.0.0.1:0", "--mqtt", mqtt_url),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    for line in proc.stderr:
        if m := re.search(r"serving (http://127\.0\.0\.1:\d+)", line):
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            return proc, m.group(1)
    raise RuntimeError("the central server did not start")


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50_ms": round(percentile(values, 50) * 1000, 1),
        "p99_ms": round(percentile(values, 99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sync")
    parser.add_argument("--branches", type=int, default=334, help="sites fed by branches")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the peak")
    parser.add_argument("--peak", type=float, default=10.0, help="peak / the day's average")
    parser.add_argument("--cut-minutes", type=float, default=60.0)
    args = parser.parse_args(argv)
    rng = random.Random(11)
    rate = TICKETS_PER_DAY / (OPEN_HOURS * 3600) * args.peak
    with tempfile.TemporaryDirectory(prefix="qms-bench-sync-") as tmp:
        root = Path(tmp)
        pg = PostgresServer()
        pg.start()
        broker = Mosquitto(root)
        broker.start()
        proc: subprocess.Popen[str] | None = None
        try:
            db_url = pg.create_database()
            data_dir = root / "central"
            seed_demo(db_url, data_dir, now=datetime.now(UTC), always_open=True)
            db = Database(db_url)
            try:
                with db.write() as session:
                    load_sites(session, wards(args.branches - 1), now=datetime.now(UTC))
                branches = Branches(QueueService(db, RecordingPublisher()).core)
                sites = ["phuong-thu-duc", *(f"ward-{n}" for n in range(2, args.branches + 1))]
                boxes = [
                    Outbox(f"b-{site}", site, branches.add(f"b-{site}", [site])) for site in sites
                ]
            finally:
                db.dispose()
            proc, base = start_central(db_url, data_dir, broker.url)

            # Phase 1: the peak.
            peak = Tally()
            stop = threading.Event()
            threads = [
                threading.Thread(target=pusher, args=(base, boxes[i::PUSHERS], peak, stop))
                for i in range(PUSHERS)
            ]
            for t in threads:
                t.start()
            began = time.monotonic()
            made_s = simulate_peak(boxes, rate, args.seconds, rng)
            while any(b.pending for b in boxes) and time.monotonic() - began < args.seconds + 120:
                time.sleep(0.1)
            stop.set()
            for t in threads:
                t.join()
            peak_s = time.monotonic() - began

            # Phase 2: a city-wide cut at the peak, then the link's return.
            cut_events = int(rate * 4.5 * args.cut_minutes * 60)
            backlog(boxes, cut_events, rng)
            cut = Tally()
            began = time.monotonic()
            threads = [
                threading.Thread(target=drain, args=(base, boxes[i::PUSHERS], cut))
                for i in range(PUSHERS)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            cut_s = time.monotonic() - began
        finally:
            if proc is not None:
                proc.terminate()
                proc.wait(30)
            broker.stop()
            pg.stop()
    print(
        json.dumps(
            {
                "benchmark": "sync",
                "machine": machine(),
                "branches": args.branches,
                "peak": {
                    "tickets_per_s": round(rate, 2),
                    "arrivals_s": args.seconds,
                    "phase_s": round(peak_s, 1),
                    "events": peak.events,
                    "pushes": peak.pushes,
                    "failed_pushes": peak.failures,
                    # events offered while tickets arrived and lived; all were absorbed
                    "events_per_s": round(peak.events / made_s, 1),
                    "sync_lag": summary(peak.lags),
                    "push_answer": summary(peak.answers),
                },
                "link_return": {
                    "cut_minutes": args.cut_minutes,
                    "backlog_events": cut_events,
                    "absorbed_in_s": round(cut_s, 1),
                    "events_per_s": round(cut.events / cut_s, 1),
                    "pushes": cut.pushes,
                    "failed_pushes": cut.failures,
                    "push_answer": summary(cut.answers),
                },
            },
            indent=2,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
