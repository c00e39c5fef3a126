"""How fast the pure engine is: call-next choice, full order, issue and transfer.

Run: ``.venv/bin/python -m bench.engine``. Prints microseconds per call for
queues of several sizes; the HTTP and MQTT benchmarks measure the whole path.
"""

import functools
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from server.contract.vocab import TicketStatus
from server.engine import issuing, lifecycle
from server.engine.model import CounterConfig, PriorityCategory, ServiceConfig, SiteConfig, Ticket
from server.engine.policy import DefaultPolicy

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 in Ho Chi Minh City
SERVICES = tuple(f"S{i:02d}" for i in range(15))
SITE = SiteConfig(
    id="hcm-main",
    name="Trung tâm",
    name_en="Centre",
    priority_categories=(PriorityCategory("elderly", "Người cao tuổi", "Elderly"),),
    aging_after_s=1800,
)
COUNTER = CounterConfig(id="c1", number=1, name="Quầy 1", area="A", services=SERVICES[:3])
WEIGHTED = replace(COUNTER, weights={SERVICES[0]: 3, SERVICES[1]: 2, SERVICES[2]: 1})


def queue(size: int) -> list[Ticket]:
    """A site's waiting line spread over 15 services, a tenth of it priority."""
    return [
        Ticket(
            id=f"t{i}",
            site="hcm-main",
            service=SERVICES[i % len(SERVICES)],
            number=f"{i:04d}",
            seq=i + 1,
            business_day=NOW.date(),
            status=TicketStatus.WAITING,
            issued_at=NOW - timedelta(seconds=(size - i) * 5),
            queue_at=NOW - timedelta(seconds=(size - i) * 5),
            priority="elderly" if i % 10 == 0 else None,
        )
        for i in range(size)
    ]


def per_call_us(fn: Callable[[], object], repeat: int) -> tuple[float, float]:
    """Median and worst of five rounds, in microseconds per call."""
    rounds = []
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        rounds.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(rounds), max(rounds)


def main() -> None:
    policy = DefaultPolicy()
    print(f"{'operation':<40} {'median µs':>10} {'worst µs':>10}")
    for size in (100, 1000, 5000):
        line = queue(size)
        repeat = max(5, 20000 // size)
        for label, counter in (("order", COUNTER), ("weighted", WEIGHTED)):
            med, worst = per_call_us(
                functools.partial(policy.choose, SITE, counter, line, priority_streak=1, now=NOW),
                repeat,
            )
            print(f"{f'choose ({label}), {size} waiting':<40} {med:>10.1f} {worst:>10.1f}")
        med, worst = per_call_us(
            functools.partial(policy.order, SITE, COUNTER, line, priority_streak=1, now=NOW),
            repeat,
        )
        print(f"{f'order, {size} waiting':<40} {med:>10.1f} {worst:>10.1f}")

    service = ServiceConfig(code=SERVICES[0], department="d", name_vi="Hộ tịch", name_en="Civil")
    mine = queue(5)

    def issue_one() -> object:
        return issuing.issue(
            SITE,
            service,
            ticket_id="x",
            seq=42,
            now=NOW,
            issued_today=41,
            priority=None,
            language="vi",
            citizen_key="k",
            citizen_tickets_today=mine,
            estimate_s=600,
            actor="kiosk",
        )

    med, worst = per_call_us(issue_one, 5000)
    print(f"{'issue (citizen checks on)':<40} {med:>10.1f} {worst:>10.1f}")
    called, _ = lifecycle.call(queue(1)[0], COUNTER, now=NOW, actor="u")
    med, worst = per_call_us(
        lambda: lifecycle.transfer(
            called,
            SITE,
            new_ticket_id="y",
            now=NOW,
            actor="u",
            to_service=None,
            to_counter=COUNTER,
            keep_place=False,
        ),
        5000,
    )
    print(f"{'transfer':<40} {med:>10.1f} {worst:>10.1f}")


if __name__ == "__main__":
    main()
