"""A city's history for the report benchmark: 1 main centre, 22 branches, 312 ward points,
about 13,000 tickets a working day, written with PostgreSQL's COPY.

    python -m bench.report_history --root /work/tmp-i/reports --year 2025

The PostgreSQL data directory is kept under ``--root`` and reused: a second run finds
the history there and only starts the server. The mix (fields, hours, outcomes, waits,
ratings) is drawn from a seeded random generator, so two runs write the same history.
Only the rows reports read are written: tickets (with the transfers' second legs),
ratings, and the "parked" events; not the calls or the rest of the event log.
"""

import argparse
import io
import json
import math
import random
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from server.seed.common import clerk_name
from server.seed.hcm_main import hcm_main
from server.seed.types import SiteSeed
from server.seed.ward import ward_thu_duc
from server.storage.db import Database
from server.storage.migrate import upgrade
from server.storage.models import UserRow
from server.storage.seeding import load_sites
from tests.support.postgres import _as_owner, _bin_dir, _free_port

ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
BRANCHES = 22
WARDS = 312
# Tickets a working day: the main centre, each branch, each ward point.
PER_DAY = {"main": 2000, "branch": 240, "ward": 18.5}
# Arrivals by local hour (the hall opens 7:30-11:30 and 13:00-17:00).
HOURS = {7: 0.5, 8: 1.4, 9: 1.5, 10: 1.2, 11: 0.3, 13: 0.8, 14: 1.2, 15: 1.0, 16: 0.6}
# Mean wait in minutes at each kind of site, before the hour's crowding.
MEAN_WAIT_MIN = {"main": 16.0, "branch": 11.0, "ward": 6.0}
WAIT_TARGET_MIN = 30
WEEKDAY_LOAD = (1.2, 1.05, 1.0, 0.95, 0.85)
HOLIDAYS_2025 = {
    date(2025, 1, 1),
    *(date(2025, 1, 27) + timedelta(days=n) for n in range(5)),  # Tết
    date(2025, 4, 30),
    date(2025, 5, 1),
    date(2025, 9, 1),
    date(2025, 9, 2),
}
RATINGS = ("very_satisfied", "satisfied", "neutral", "unsatisfied")
TICKET_COLUMNS = (
    "id, site_id, service, number, seq, business_day, status, issued_at, queue_at, priority, "
    "language, counter_id, transferred_from, called_at, call_count, started_at, finished_at, "
    "outcome, estimate_s, note, clerk"
)


@dataclass(frozen=True)
class Site:
    id: str
    kind: str
    services: tuple[str, ...]
    weights: tuple[float, ...]  # how often each field is chosen
    counters: dict[str, tuple[str, ...]]  # field -> counters serving it
    priorities: tuple[str, ...]


def with_targets(seed: SiteSeed) -> SiteSeed:
    """Every field promises a wait (the SLA): WAIT_TARGET_MIN where the seed has none."""
    services = tuple(
        s if s.wait_target_s is not None else replace(s, wait_target_s=WAIT_TARGET_MIN * 60)
        for s in seed.services
    )
    return replace(seed, services=services)


def city() -> list[SiteSeed]:
    """The city's sites: the seeded main centre, and branches and wards shaped like the
    seeded ward point (without accounts and devices: the history needs none)."""
    main = with_targets(hcm_main())
    ward = with_targets(ward_thu_duc())
    seeds = [replace(main, users=(), devices=())]
    for kind, count, name in (("branch", BRANCHES, "Chi nhánh"), ("ward", WARDS, "Điểm")):
        for n in range(1, count + 1):
            site = replace(
                ward.site, id=f"{kind}-{n:03d}", name=f"{name} {n:03d}", name_en=f"{kind} {n}"
            )
            seeds.append(replace(ward, site=site, users=(), devices=()))
    return seeds


def _sites(seeds: list[SiteSeed]) -> list[Site]:
    out = []
    for seed in seeds:
        kind = "main" if seed.site.id == "hcm-main" else seed.site.id.split("-")[0]
        codes = tuple(s.code for s in seed.services)
        counters = {
            code: tuple(c.id for c in seed.counters if code in c.services) or (seed.counters[0].id,)
            for code in codes
        }
        weights = tuple(1.0 / (rank + 1) for rank in range(len(codes)))  # a few busy fields
        priorities = tuple(p.code for p in seed.site.priority_categories)
        out.append(Site(seed.site.id, kind, codes, weights, counters, priorities))
    return out


def working_days(year: int) -> list[date]:
    day, out = date(year, 1, 1), []
    while day.year == year:
        if day.weekday() < 5 and day not in HOLIDAYS_2025:
            out.append(day)
        day += timedelta(days=1)
    return out


def _ts(at: datetime) -> str:
    return at.strftime("%Y-%m-%d %H:%M:%S+00")


class History:
    """Draws one site's day at a time and writes it as COPY text."""

    def __init__(self, seed: int = 17) -> None:
        self.rng = random.Random(seed)
        self.next_id = 0
        self.hours = tuple(HOURS)
        self.hour_weights = tuple(HOURS.values())

    def _id(self) -> str:
        self.next_id += 1
        return f"h{self.next_id:015d}"

    def _arrival(self, day: date) -> datetime:
        hour = self.rng.choices(self.hours, self.hour_weights)[0]
        minute = self.rng.uniform(30 if hour == 7 else 0, 30 if hour == 11 else 60)
        local = datetime(day.year, day.month, day.day, hour, tzinfo=ZONE)
        return (local + timedelta(minutes=minute)).astimezone(UTC)

    def day(
        self, site: Site, day: date, tickets: io.StringIO, ratings: io.StringIO, events: io.StringIO
    ) -> int:
        rng = self.rng
        load = PER_DAY[site.kind] * WEEKDAY_LOAD[day.weekday()]
        count = max(0, round(rng.gauss(load, math.sqrt(load))))
        arrivals = sorted(self._arrival(day) for _ in range(count))
        seqs: dict[str, int] = {}
        end_of_day = datetime(day.year, day.month, day.day, 23, 59, tzinfo=ZONE).astimezone(UTC)
        written = 0
        for issued in arrivals:
            service = rng.choices(site.services, site.weights)[0]
            seqs[service] = seq = seqs.get(service, 0) + 1
            number = f"{1000 + seq}"
            priority = rng.choice(site.priorities) if rng.random() < 0.07 else ""
            local_hour = issued.astimezone(ZONE).hour
            mean = MEAN_WAIT_MIN[site.kind] * HOURS.get(local_hour, 1.0) * 60
            wait = min(rng.expovariate(1 / mean), 4 * 3600)
            estimate = max(0, round(wait * rng.lognormvariate(0, 0.35) / 60) * 60)
            legs = [(self._id(), service, issued, wait, "")]
            if rng.random() < 0.04:  # sent on to another field after a first service
                other = rng.choice(site.services)
                moved = issued + timedelta(seconds=wait + rng.uniform(120, 600))
                legs.append((self._id(), other, moved, rng.expovariate(1 / (mean / 2)), legs[0][0]))
            r = rng.random()
            final = (
                "served"
                if r < 0.88
                else "no_show"
                if r < 0.95
                else "cancelled"
                if r < 0.98
                else "expired"
            )
            for n, (tid, svc, at, leg_wait, parent) in enumerate(legs):
                last = n == len(legs) - 1
                outcome = final if last else "transferred"
                counter = rng.choice(site.counters[svc])
                clerk = f"{site.id}-{counter}"
                called = at + timedelta(seconds=leg_wait)
                started = finished = None
                calls = 1
                if outcome in ("served", "transferred"):
                    started = called + timedelta(seconds=rng.uniform(20, 120))
                    service_s = rng.lognormvariate(math.log(420), 0.5)
                    finished = started + timedelta(seconds=service_s) if last else legs[n + 1][2]
                elif outcome == "no_show":
                    calls = rng.choice((2, 3))
                    finished = called + timedelta(seconds=180)
                else:  # cancelled or expired: never called
                    counter, clerk, calls = "", "", 0
                    gave_up = at + timedelta(seconds=leg_wait / 2)
                    finished = gave_up if outcome == "cancelled" else end_of_day
                    called = None  # type: ignore[assignment]
                status = {"served": "done"}.get(outcome, outcome)
                row = (
                    tid, site.id, svc, number, str(seq), day.isoformat(), status, _ts(at),
                    _ts(issued), priority or "\\N", "vi", counter or "\\N", parent or "\\N",
                    _ts(called) if called else "\\N", str(calls),
                    _ts(started) if started else "\\N", _ts(finished) if finished else "\\N",
                    outcome, str(estimate) if n == 0 else "\\N", "", clerk or "\\N",
                )  # fmt: skip
                tickets.write("\t".join(row) + "\n")
                written += 1
                if outcome == "served" and rng.random() < 0.03 and started is not None:
                    park = started + timedelta(seconds=60)
                    events.write(
                        f"{site.id}\t{tid}\tparked\t{_ts(park)}\t{clerk}\t{counter}\t{{}}\n"
                    )
                if last and outcome == "served" and rng.random() < 0.55 and finished is not None:
                    slow = min(1.0, wait / 3600)
                    weights = (0.55 - 0.3 * slow, 0.3, 0.1 + 0.15 * slow, 0.05 + 0.15 * slow)
                    rating = rng.choices(RATINGS, weights)[0]
                    ratings.write(
                        f"{site.id}\t{tid}\t{counter}\t{clerk}\t{day.isoformat()}\t{rating}\t"
                        f"{_ts(finished + timedelta(seconds=20))}\n"
                    )
        return written


class KeptPostgres:
    """A PostgreSQL whose data directory stays under ``root`` between runs."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.data = root / "data"
        self.bin = _bin_dir()
        self.user = "postgres"
        self.port = _free_port()

    def _run(self, *cmd: str) -> None:
        subprocess.run([*_as_owner(self.user), *cmd], check=True, cwd=self.root)

    def start(self) -> str:
        self.root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["chown", self.user, str(self.root)], check=True)
        if not self.data.exists():
            self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                      "postgres", "--no-sync", "-E", "UTF8")  # fmt: skip
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB"
        )
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.root / "log"), "-w", "start")  # fmt: skip
        admin = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = 'city'").fetchone() is None:
                conn.execute("CREATE DATABASE city")
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/city"

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "stop")


def _copy(conn: psycopg.Connection, table: str, columns: str, text: io.StringIO) -> None:
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        copy.write(text.getvalue())


def generate(url: str, year: int) -> dict[str, object]:
    """Write the year's history unless the database holds it already."""
    db = Database(url)
    upgrade(db.engine)
    raw = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(raw) as conn:
        found = conn.execute("SELECT count(*) FROM tickets").fetchone()
    if found and found[0] > 0:
        db.dispose()
        return {"tickets": found[0], "generated": False}
    seeds = city()
    now = datetime(year, 1, 1, tzinfo=UTC)
    with db.write() as session:
        load_sites(session, seeds, now=now)
        for seed in seeds:
            for i, counter in enumerate(seed.counters):
                session.add(
                    UserRow(
                        username=f"{seed.site.id}-{counter.id}",
                        display_name=clerk_name(i + len(seed.site.id)),
                        role="clerk",
                        site_id=seed.site.id,
                        password_hash="!",  # no login: history only
                        created_at=now,
                    )
                )
    db.dispose()
    sites = _sites(seeds)
    history = History()
    total, began = 0, time.perf_counter()
    with psycopg.connect(raw) as conn:
        for day in working_days(year):
            tickets, ratings, events = io.StringIO(), io.StringIO(), io.StringIO()
            for site in sites:
                total += history.day(site, day, tickets, ratings, events)
            _copy(conn, "tickets", TICKET_COLUMNS, tickets)
            _copy(
                conn,
                "ratings",
                "site_id, ticket_id, counter_id, clerk, business_day, rating, at",
                ratings,
            )
            _copy(
                conn,
                "ticket_events",
                "site_id, ticket_id, kind, at, actor, counter_id, data",
                events,
            )
            conn.commit()
        conn.execute("ANALYZE")
        conn.commit()
    return {"tickets": total, "generated": True, "seconds": round(time.perf_counter() - began, 1)}


def open_history(root: Path, year: int) -> Iterator[str]:
    """Start the kept PostgreSQL (generating the history the first time); yields its URL."""
    server = KeptPostgres(root)
    url = server.start()
    try:
        generate(url, year)
        yield url
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path("/work/tmp-i/reports"))
    parser.add_argument("--year", type=int, default=2025)
    args = parser.parse_args()
    server = KeptPostgres(args.root)
    url = server.start()
    try:
        print(json.dumps(generate(url, args.year)))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
