"""A staffing plan's figures, per slot (session or hour) and field, stored for the
console (``qms simulate --staffing --db``).

The search (``staffing.least_staff``) keeps only what it decides on; the figures a
manager reads (the expected wait and the share within the SLA of each field, how busy
its counters are) come from the plan's own simulated days, run once more with the same
seeds, so they are the days the search judged.
"""

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from server.engine.model import CounterConfig
from server.seed.types import SiteSeed
from server.simulation.day import Day
from server.simulation.run import simulate
from server.simulation.staffing import Plan
from server.storage.db import Database
from server.storage.migrate import upgrade
from server.storage.models import StaffingPlanRow


@dataclass(frozen=True)
class Run:
    """How a plan was searched: what the stored row says about where it came from."""

    day_file: str
    rng_seed: int
    days: int
    share: float
    hourly: bool
    area: str | None = None


def _mean(values: list[float], digits: int = 1) -> float | None:
    return round(statistics.fmean(values), digits) if values else None


def _busy(plan: Plan, counters: list[CounterConfig], index: int) -> float | None:
    """The counters' mean share of the slot spent serving. A service counts whole in the
    slot it was called in (``Hall``), so one running on past the hour can make a counter
    look busier than its time: capped at the whole slot."""
    return _mean([min(1.0, plan.busy.get((c.id, index), 0.0)) for c in counters], 3)


def _within(waits: list[float], sla_s: float) -> float | None:
    return round(sum(1 for w in waits if w <= sla_s) / len(waits), 3) if waits else None


def plan_figures(
    seed: SiteSeed, day: Day, plan: Plan, names: list[str], run: Run
) -> list[dict[str, object]]:
    """Per slot: its name, the counters staffed (of all), the wait, SLA share and
    utilisation over its tickets and counters, and the same for each field (the
    counters being those with the field first, as ``staffing.describe`` counts)."""
    halls = list(
        simulate(
            seed,
            day,
            rng_seed=run.rng_seed,
            days=run.days,
            absent=plan.absent,
            estimators={},
            hourly=run.hourly,
        )
    )
    slots = [(begin, end) for begin, end, _ in halls[0].slots()] if halls else []
    out: list[dict[str, object]] = []
    for index, (begin, end) in enumerate(slots):
        waits: dict[str, list[float]] = defaultdict(list)  # field -> waits (inf: never called)
        for hall in halls:
            for o in hall.outcomes.values():
                if begin <= hall.seconds(o.issued_at) < end:
                    waits[o.service].append(o.wait_s if o.wait_s is not None else math.inf)
        staffed = [c for c in seed.counters if (c.id, index) not in plan.absent]
        fields = []
        for service in seed.services:
            own = [c for c in staffed if c.services[0] == service.code]
            field_waits = waits.get(service.code, [])
            if not own and not field_waits:
                continue
            fields.append(
                {
                    "field": service.code,
                    "name": service.name_vi,
                    "counters": len(own),
                    "tickets": len(field_waits),
                    "mean_wait_s": _mean([w for w in field_waits if math.isfinite(w)]),
                    "within_sla": _within(field_waits, day.sla_s),
                    "utilisation": _busy(plan, own, index),
                }
            )
        every = [w for ws in waits.values() for w in ws]
        out.append(
            {
                "slot": names[index] if index < len(names) else str(index),
                "counters": len(staffed),
                "of": len(seed.counters),
                "tickets": len(every),
                "mean_wait_s": _mean([w for w in every if math.isfinite(w)]),
                "within_sla": _within(every, day.sla_s),
                "utilisation": _busy(plan, staffed, index),
                "fields": fields,
            }
        )
    return out


def save_plan(
    db_url: str, seed: SiteSeed, day: Day, figures: list[dict[str, object]], run: Run
) -> int:
    """Store the plan's figures for the site; returns the stored plan's id."""
    db = Database(db_url, pool_size=1)
    try:
        upgrade(db.engine)
        row = StaffingPlanRow(
            site_id=seed.site.id,
            made_at=datetime.now(UTC),
            day_file=run.day_file,
            seed=run.rng_seed,
            days=run.days,
            sla_s=round(day.sla_s),
            sla_share=run.share,
            per="hour" if run.hourly else "session",
            area=run.area,
            figures=figures,
        )
        with db.write() as session:
            session.add(row)
            session.flush()
            return row.id
    finally:
        db.dispose()
