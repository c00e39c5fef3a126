"""The least clerks that keep the waits within the SLA: a small greedy search over plans.

A plan says which counters have a clerk in each session of the day (morning,
afternoon), or, ``hourly``, in each hour of each session. Starting from every counter
staffed, the search takes clerks away one at a time, the least busy first, and keeps
each removal only while the tickets issued in that session (hour) still wait no longer
than the SLA at least ``share`` of the time over the same simulated days (the same
seeds, so plans are compared on the same citizens). A session (hour) that misses the
SLA with everyone there is left fully staffed. One area of a centre can be searched
alone: its counters and fields form their own small hall, which is much quicker to
simulate than the whole centre.
"""

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from server.seed.types import SiteSeed
from server.simulation.day import Day
from server.simulation.hall import Hall
from server.simulation.run import simulate

Slot = tuple[str, int]  # (counter id, index of a session, or of an hour: ``Hall.slots``)


@dataclass(frozen=True)
class Plan:
    """Who is absent, and what the days showed with that."""

    absent: frozenset[Slot]
    within_sla: tuple[float, ...]  # per session (hour): share of tickets waiting <= SLA
    busy: dict[Slot, float]  # per staffed slot: share of its open time serving


def area_site(seed: SiteSeed, area: str) -> SiteSeed:
    """The counters of one area and the fields they serve, as a hall of their own."""
    counters = tuple(c for c in seed.counters if c.area == area)
    if not counters:
        raise ValueError(f"no counter in area {area!r}")
    fields = {code for c in counters for code in c.services}
    return replace(
        seed,
        areas=tuple(a for a in seed.areas if a.id == area),
        services=tuple(s for s in seed.services if s.code in fields),
        counters=counters,
    )


def evaluate(
    seed: SiteSeed,
    day: Day,
    absent: frozenset[Slot],
    *,
    days: int,
    rng_seed: int,
    hourly: bool = False,
) -> Plan:
    halls = list(
        simulate(
            seed, day, rng_seed=rng_seed, days=days, absent=absent, estimators={}, hourly=hourly
        )
    )
    sessions = [(begin, end) for begin, end, _ in halls[0].slots()] if halls else []
    within: list[float] = []
    for begin, end in sessions:
        # A ticket never called (its field had no clerk left) waited too long.
        waits = [
            o.wait_s if o.wait_s is not None else math.inf
            for hall in halls
            for o in hall.outcomes.values()
            if begin <= hall.seconds(o.issued_at) < end
        ]
        within.append(sum(1 for w in waits if w <= day.sla_s) / len(waits) if waits else 1.0)
    busy: dict[Slot, list[float]] = defaultdict(list)
    for hall in halls:
        for counter in hall.counters.values():
            for session in range(len(sessions)):
                slot = (counter.config.id, session)
                if slot in absent:
                    continue
                if hourly:  # how busy in that hour
                    open_s = counter.open_by_slot.get(session, 0.0)
                    if open_s:
                        busy[slot].append(counter.busy_by_slot.get(session, 0.0) / open_s)
                elif counter.open_s:
                    busy[slot].append(counter.busy_s / counter.open_s)
    return Plan(absent, tuple(within), {k: statistics.fmean(v) for k, v in busy.items()})


def least_staff(
    seed: SiteSeed,
    day: Day,
    *,
    share: float = 0.8,
    days: int = 3,
    rng_seed: int = 1,
    hourly: bool = False,
) -> Plan:
    """The plan with the fewest clerks found that keeps each session (each hour, with
    ``hourly``) within the SLA for at least ``share`` of its tickets. One that misses it
    even with every counter staffed keeps every clerk (``Plan.within_sla`` shows by how
    much it misses)."""
    plan = evaluate(seed, day, frozenset(), days=days, rng_seed=rng_seed, hourly=hourly)
    kept = [i for i, w in enumerate(plan.within_sla) if w >= share]
    tried: set[Slot] = set()
    while True:
        candidates = sorted(
            (busy, slot)
            for slot, busy in plan.busy.items()
            if slot not in tried and slot[1] in kept
        )
        if not candidates:
            return plan
        _, slot = candidates[0]
        tried.add(slot)
        trial = evaluate(
            seed, day, plan.absent | {slot}, days=days, rng_seed=rng_seed, hourly=hourly
        )
        if all(trial.within_sla[i] >= share for i in kept):
            plan = trial


def describe(seed: SiteSeed, plan: Plan, sessions: Sequence[str]) -> dict[str, object]:
    """A plan as people read it: per session (or hour: ``slot_names``), the counters
    staffed and how many of them have each field as their first."""
    out: dict[str, object] = {}
    for index, name in enumerate(sessions):
        staffed = [c for c in seed.counters if (c.id, index) not in plan.absent]
        by_field: dict[str, int] = defaultdict(int)
        for counter in staffed:
            by_field[counter.services[0]] += 1
        out[name] = {
            "counters": [c.number for c in staffed],
            "by_first_field": dict(sorted(by_field.items())),
            "within_sla": round(plan.within_sla[index], 3)
            if index < len(plan.within_sla)
            else None,
        }
    return out


def session_names(seed: SiteSeed) -> list[str]:
    return [f"{a:%H:%M}-{b:%H:%M}" for a, b in sorted(seed.site.hours.windows)]


def slot_names(hall: Hall) -> list[str]:
    """The names of a hall's plan slots, "07:30-08:00" (``Hall.slots``)."""

    def clock(seconds: float) -> str:
        minutes = round(seconds / 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    return [f"{clock(begin)}-{clock(end)}" for begin, end, _ in hall.slots()]
