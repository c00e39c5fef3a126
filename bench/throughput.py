"""Tickets issued and calls made per second over HTTP, and call-to-display latency.

    python -m bench.throughput --db sqlite|postgresql [--broker embedded|mosquitto]

Starts the real server in its own process (a fresh database seeded with the demo hall,
opening hours lifted), then, with a few client threads on keep-alive connections:

1. issues tickets (kiosk token) for the fields of hcm-main, in proportion to the counters
   that serve each field;
2. calls the next ticket at the 67 counters as fast as the clients can;
3. calls at a steady hall-like pace (one thread, one call every ``--pace-ms``).

It prints requests per second and p50/p99 latency of each, and p50/p99 of the time from
a call-next request being sent to the display snapshot that shows the call arriving at
an MQTT subscriber (and to the call event). Every loop is bounded by a request count.
"""

import argparse
import gc
import json
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench.env import Server, cpu_by_thread, cpu_seconds, running_server
from bench.load import Api, DisplayWatcher, PhaseResult, login, run_phase
from server.seed import demo_sites

SITE = "hcm-main"


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values_s: Sequence[float]) -> dict[str, float]:
    if not values_s:
        return {"n": 0}
    ms = [v * 1000 for v in values_s]
    return {
        "n": len(ms),
        "p50_ms": round(percentile(ms, 50), 2),
        "p99_ms": round(percentile(ms, 99), 2),
        "max_ms": round(max(ms), 2),
    }


def issue_plan(total: int, seed: int = 7) -> list[str]:
    """Field codes for ``total`` tickets: busier where more counters serve, under quotas."""
    main = next(s for s in demo_sites(always_open=True) if s.site.id == SITE)
    served = Counter(code for c in main.counters for code in c.services)
    limit = {s.code: min(s.daily_quota or 999, 999) for s in main.services}
    rng = random.Random(seed)
    codes = sorted(served)
    weights = [served[c] for c in codes]
    plan: list[str] = []
    used: Counter[str] = Counter()
    while len(plan) < total:
        code = rng.choices(codes, weights)[0]
        if used[code] < limit[code]:
            used[code] += 1
            plan.append(code)
        elif all(used[c] >= limit[c] for c in codes):
            raise ValueError(f"the demo hall cannot take {total} tickets in one day")
    return plan


class Bench:
    def __init__(self, server: Server, threads: int) -> None:
        self.server = server
        self.threads = threads
        creds: dict[str, Any] = server.credentials
        devices: dict[str, str] = creds["devices"]
        users: list[dict[str, Any]] = creds["users"]
        self.kiosk_token = devices["kiosk-1"]
        clerks = [
            u for u in users if u["role"] == "clerk" and u["counter"] and u["counter"].isdigit()
        ]
        self.counters = [u["counter"] for u in clerks]
        # A few threads call at every counter: as the site's supervisor, who may act at any
        # counter (a clerk at a counter another clerk holds is refused, counter_held).
        chief = next(u for u in users if u["role"] == "supervisor" and u["site"] == SITE)
        self.clerk_tokens = [
            login(server.base_url, chief["username"], chief["password"]) for _ in range(threads)
        ]
        self.plan_index = 0

    def kiosks(self, n: int) -> list[Api]:
        return [Api(self.server.base_url, self.kiosk_token) for _ in range(n)]

    def clerks(self, n: int) -> list[Api]:
        return [
            Api(self.server.base_url, self.clerk_tokens[i % len(self.clerk_tokens)])
            for i in range(n)
        ]

    def issue(self, name: str, total: int, threads: int) -> PhaseResult:
        plan = issue_plan(self.plan_index + total)[self.plan_index :]
        self.plan_index += total
        clients = self.kiosks(threads)
        try:
            return run_phase(
                name,
                clients,
                total,
                lambda api, i: api.post(f"/sites/{SITE}/tickets", {"service": plan[i]}),
            )
        finally:
            for api in clients:
                api.close()

    def call(self, name: str, total: int, threads: int, pace_s: float = 0.0) -> PhaseResult:
        counters = self.counters
        clients = self.clerks(threads)
        offset = random.Random(len(name)).randrange(len(counters))
        try:
            return run_phase(
                name,
                clients,
                total,
                lambda api, i: api.post(
                    f"/sites/{SITE}/counters/{counters[(offset + i) % len(counters)]}/call-next"
                ),
                pace_s=pace_s,
            )
        finally:
            for api in clients:
                api.close()


def http_report(result: PhaseResult, ok_status: int, cpu_s: float) -> dict[str, Any]:
    ok = result.with_status(ok_status)
    others = Counter(s.status for s in result.samples if s.status != ok_status)
    return {
        "phase": result.name,
        "requests": len(result.samples),
        "ok": len(ok),
        "other_statuses": {str(k): v for k, v in sorted(others.items())},
        "wall_s": round(result.wall_s, 3),
        "per_s": round(len(ok) / result.wall_s, 1) if result.wall_s else 0.0,
        "latency_ok": summary([s.seconds for s in ok]),
        # CPU the server process spent per request: unlike rates, this hardly depends on
        # what else the machine is doing, so it gives the capacity of one free core.
        "server_cpu_ms_per_request": round(cpu_s * 1000 / len(result.samples), 2)
        if result.samples
        else 0.0,
        "load_avg_1m_after": round(os.getloadavg()[0], 2),
    }


def phase_line(p: dict[str, Any]) -> str:
    """One phase of ``http_report`` as the benchmarks print it."""
    lat = p["latency_ok"]
    extra = f" other={p['other_statuses']}" if p["other_statuses"] else ""
    return (
        f"  {p['phase']:<18} {p['ok']:>5} ok in {p['wall_s']:>6.2f} s = {p['per_s']:>7.1f}/s"
        f"   p50 {lat.get('p50_ms', 0):>6.1f} ms  p99 {lat.get('p99_ms', 0):>6.1f} ms"
        f"  max {lat.get('max_ms', 0):>6.1f} ms"
        f"  server CPU {p['server_cpu_ms_per_request']:>5.1f} ms/req{extra}"
    )


def display_report(result: PhaseResult, watcher: DisplayWatcher) -> dict[str, Any]:
    to_display: list[float] = []
    to_event: list[float] = []
    missing = 0
    for s in result.with_status(200):
        body = s.body
        call_id, ticket = body.get("call_id"), body.get("ticket") or {}
        counter = (body.get("counter") or {}).get("counter", {}).get("id")
        if not call_id:
            continue
        seen = watcher.first_seen(call_id, counter, ticket.get("number", ""))
        if seen is None:
            missing += 1
        else:
            to_display.append(seen - s.started)
        event = watcher.event_time(call_id)
        if event is not None:
            to_event.append(event - s.started)
    return {
        "phase": result.name,
        "call_to_display": summary(to_display),
        "call_to_event": summary(to_event),
        "calls_not_seen_on_a_display": missing,
    }


def reference_ms() -> float:
    """CPU ms of a fixed piece of pure Python (best of five): this shared VM's speed
    moves by up to 60 % from hour to hour, and with it every figure below; two runs
    compare only when their reference is close."""
    best = float("inf")
    for _ in range(5):
        start = time.process_time()
        total = 0
        for i in range(200_000):
            total += i % 7
        best = min(best, time.process_time() - start)
    return round(best * 1000, 1)


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "cpu": model,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "load_avg_1m_at_start": round(load[0], 2),
        "reference_ms": reference_ms(),
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    report: dict[str, Any] = {
        "db": args.db,
        "broker": args.broker,
        "threads": args.threads,
        "machine": machine(),
        "phases": [],
    }
    with running_server(args.db, args.broker) as server:
        bench = Bench(server, args.threads)
        display = "display-A"  # a device of the site: the embedded broker refuses strangers
        devices = server.credentials["devices"]
        assert isinstance(devices, dict)
        watcher = DisplayWatcher(
            server.mqtt_host, server.mqtt_port, SITE, (display, str(devices[display]))
        )
        try:
            bench.issue("warm-up issue", 100, 1)
            bench.call("warm-up call", 30, 1)

            def measured(phase: Callable[[], PhaseResult], ok: int) -> PhaseResult:
                before, threads = cpu_seconds(server.pid), server.thread_cpu()
                # The load generator's own full collections (50 ms and more, with the
                # samples and snapshots it keeps) would count as the server's latency.
                gc.collect()
                gc.disable()
                try:
                    result = phase()
                finally:
                    gc.enable()
                part = http_report(result, ok, cpu_seconds(server.pid) - before)
                after = server.thread_cpu()
                n = max(1, len(result.samples))
                part["server_cpu_ms_by_thread"] = {
                    role: round(seconds * 1000 / n, 2)
                    for role, seconds in cpu_by_thread(threads, after).items()
                }
                report["phases"].append(part)
                return result

            measured(lambda: bench.issue("issue ticket", args.issues, args.threads), 201)
            called = measured(lambda: bench.call("call next", args.calls, args.threads), 200)
            bench.issue("refill", args.paced + 50, 1)
            paced = measured(
                lambda: bench.call("call next, paced", args.paced, 1, pace_s=args.pace_ms / 1000),
                200,
            )
            time.sleep(1.0)  # let the last snapshots arrive
            report["display"] = [display_report(called, watcher), display_report(paced, watcher)]
            report["snapshots_received"] = watcher.snapshots
        finally:
            watcher.close()
    return report


def show(report: dict[str, Any]) -> None:
    m = report["machine"]
    print(
        f"\nqms throughput: db={report['db']} broker={report['broker']} "
        f"client threads={report['threads']} (server in its own process)"
    )
    print(
        f"machine: {m['usable_cpus']}/{m['cpus']} CPUs {m['cpu']}, {m['system']}, "
        f"Python {m['python']}, load {m['load_avg_1m_at_start']} at start, "
        f"reference loop {m['reference_ms']} ms (lower is faster)"
    )
    for p in report["phases"]:
        print(phase_line(p))
        by_thread = sorted(p.get("server_cpu_ms_by_thread", {}).items(), key=lambda kv: -kv[1])
        if by_thread:
            print("      of which " + ", ".join(f"{role} {ms:.2f}" for role, ms in by_thread))
    for d in report.get("display", []):
        for key in ("call_to_display", "call_to_event"):
            s = d[key]
            print(
                f"  {d['phase'] + ': ' + key.replace('_', ' '):<40} n={s['n']:>5}"
                f"   p50 {s.get('p50_ms', 0):>6.1f} ms  p99 {s.get('p99_ms', 0):>6.1f} ms"
                f"  max {s.get('max_ms', 0):>6.1f} ms"
            )
        if d["calls_not_seen_on_a_display"]:
            print(f"    calls never seen on a display: {d['calls_not_seen_on_a_display']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="qms HTTP and MQTT throughput benchmark")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--broker", choices=["embedded", "mosquitto"], default="mosquitto")
    parser.add_argument("--threads", type=int, default=4, help="client threads (default 4)")
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=1000)
    parser.add_argument("--paced", type=int, default=200, help="calls in the paced phase")
    parser.add_argument("--pace-ms", type=float, default=50.0)
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if args.calls + args.paced > args.issues + args.paced + 50:
        parser.error("--calls must not exceed --issues (every call needs a waiting ticket)")
    report = run(args)
    show(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
