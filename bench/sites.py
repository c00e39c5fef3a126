"""Many sites at once: the city's case, where one installation serves ~335 sites.

    python -m bench.sites --db sqlite|postgresql [--sites 8] [--issues 2000] [--calls 1000]

``bench.throughput`` measures the harder case of one busy site, whose commands are
serialised by design. Here the same load is spread over the main centre and
``--sites - 1`` ward points (copies of the demo's ward, opening hours and quotas lifted),
through the same real server process: tickets issued round-robin over the sites, then
the next ticket called round-robin over every counter of every site, each with a
supervisor's token of its site (staff may issue at a counter). It prints
the rates, p50/p99 and the server's CPU per request (its snapshot process included).
"""

import argparse
import itertools
from dataclasses import replace
from typing import Any

from bench.env import cpu_seconds, running_server
from bench.load import Api, Sample, login, run_phase
from bench.throughput import SITE, http_report, issue_plan, machine, phase_line
from server.contract.vocab import DeviceKind, Role
from server.seed.common import ALWAYS_OPEN
from server.seed.types import DeviceSeed, SiteSeed, UserSeed
from server.seed.ward import ward_thu_duc

PASSWORD = "bench-ward"


class Sites:
    """One client thread's connections, one per site (each with that site's supervisor),
    used as one: ``post`` picks the connection by the site in the path."""

    def __init__(self, base_url: str, tokens: dict[str, str]) -> None:
        self._apis = {site: Api(base_url, token) for site, token in tokens.items()}

    def post(self, path: str, json_body: dict[str, Any] | None = None) -> Sample:
        return self._apis[path.split("/")[2]].post(path, json_body)

    def close(self) -> None:
        for api in self._apis.values():
            api.close()


def wards(count: int) -> list[SiteSeed]:
    """``count`` ward points like the demo's, each with its own id, one kiosk and one
    supervisor (user names are unique across sites)."""
    seeds = []
    for n in range(2, count + 2):
        seed = ward_thu_duc()
        site_id = f"ward-{n}"
        seeds.append(
            replace(
                seed,
                site=replace(seed.site, id=site_id, name=f"Điểm tiếp nhận {n}", hours=ALWAYS_OPEN),
                services=tuple(replace(s, hours=None, daily_quota=None) for s in seed.services),
                users=(
                    UserSeed(f"{site_id}-supervisor", "Giám sát", Role.SUPERVISOR, PASSWORD, None),
                ),
                devices=(DeviceSeed(f"{site_id}-kiosk", DeviceKind.KIOSK, "Ki-ốt", None),),
            )
        )
    return seeds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sites")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--sites", type=int, default=8, help="the main centre and N-1 wards")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--issues", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=1000)
    args = parser.parse_args(argv)
    if args.sites < 1 or args.calls > args.issues:
        parser.error("--sites must be at least 1, and --calls at most --issues")
    extra = wards(args.sites - 1)
    m = machine()
    print(
        f"\nqms sites: db={args.db}, {args.sites} sites (hcm-main and {len(extra)} wards), "
        f"client threads={args.threads}; load {m['load_avg_1m_at_start']} at start, "
        f"reference loop {m['reference_ms']} ms (lower is faster)"
    )
    with running_server(args.db, "mosquitto", extra_sites=extra) as server:
        users: list[dict[str, Any]] = server.credentials["users"]  # type: ignore[assignment]
        chief = next(u for u in users if u["role"] == "supervisor" and u["site"] == SITE)
        tokens = {SITE: login(server.base_url, chief["username"], chief["password"])}
        for seed in extra:
            tokens[seed.site.id] = login(server.base_url, seed.users[0].username, PASSWORD)
        # Round-robin over the sites; within a site, its fields (the main centre's in
        # proportion to its counters, as in bench.throughput) and its counters in turn.
        main_plan = iter(issue_plan(args.issues))
        main_counters = [str(n) for n in range(1, 68)]
        fields = {s.site.id: itertools.cycle([v.code for v in s.services]) for s in extra}
        desks = {SITE: itertools.cycle(main_counters)}
        desks |= {s.site.id: itertools.cycle([c.id for c in s.counters]) for s in extra}
        sites = [SITE, *fields]
        issues: list[tuple[str, str]] = []
        for i in range(args.issues):
            site = sites[i % len(sites)]
            issues.append((site, next(main_plan) if site == SITE else next(fields[site])))
        calls = [
            (site, next(desks[site]))
            for site in itertools.islice(itertools.cycle(sites), args.calls)
        ]

        def phase(name: str, total: int, request: Any, ok: int) -> None:
            clients: Any = [Sites(server.base_url, tokens) for _ in range(args.threads)]
            before = cpu_seconds(server.pid)
            try:
                result = run_phase(name, clients, total, request)
            finally:
                for api in clients:
                    api.close()
            print(phase_line(http_report(result, ok, cpu_seconds(server.pid) - before)))

        phase(
            "issue ticket",
            args.issues,
            lambda api, i: api.post(f"/sites/{issues[i][0]}/tickets", {"service": issues[i][1]}),
            201,
        )
        phase(
            "call next",
            args.calls,
            lambda api, i: api.post(f"/sites/{calls[i][0]}/counters/{calls[i][1]}/call-next"),
            200,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
