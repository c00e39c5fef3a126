"""What the supervisors' live hall costs the server, on the seeded demo centre (67 counters).

In-process, SQLite, the demo seeded and made busy (tickets waiting in every field, a third
of the counters serving); the median of ``--runs`` of each:

1. one ``HallModel`` build (``service.hall.model``): what the hub does once per change;
2. the projector's build of every snapshot of the site (``Effects(everything=True)``, a
   publisher that records): what a change costs the boards, for scale;
3. the hub's look when nothing changed (one statement for every site's ``seq``);
4. the hub's look at devices and alerts (once a second), when none changed;
5. builds per change: ``--changes`` tickets issued, the hub looking after each, with
   ``--pages`` feeds listening (the number of listeners changes nothing: one build each).

    python -m bench.live_hall [--runs 30] [--changes 50] [--pages 20]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from server.console.live_hub import LiveHub
from server.contract.http import TicketIn
from server.messaging.publisher import RecordingPublisher
from server.projection.effects import Effects
from server.service import QueueService
from server.storage.db import Database
from server.storage.seeding import seed_demo

SITE = "hcm-main"


def _median_ms(run: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        run()
        times.append(time.perf_counter() - began)
    return statistics.median(times) * 1000


def _busy(service: QueueService, tokens: dict[str, str]) -> None:
    kiosk = service.accounts.authenticate(tokens["kiosk-1"])
    with service.projector.reading(SITE) as view:
        assert view is not None
        fields = list(view.bundle.services)
        counters = list(view.bundle.counters)
    for i in range(400):
        body = TicketIn(service=fields[i % len(fields)])
        key = uuid.uuid4().hex
        service.tickets.issue(SITE, body, kiosk, key, key)
    boss = service.accounts.authenticate(service.accounts.login("admin", "demo-quan-tri").token)
    for counter in counters[::3]:
        key = uuid.uuid4().hex
        service.counters.act(SITE, counter, "call-next", boss, key=key, request_hash=key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'qms.sqlite3'}"
        tokens = seed_demo(url, Path(tmp), now=datetime.now(UTC), always_open=True)
        db = Database(url)
        service = QueueService(db, RecordingPublisher())
        _busy(service, tokens)
        hub = LiveHub(service)
        hub.refresh()
        payload = hub.payload(SITE)
        model_ms = _median_ms(lambda: service.hall.model(SITE), args.runs)
        snapshots_ms = _median_ms(
            lambda: service.projector.publish(SITE, Effects(everything=True)), args.runs
        )
        idle_ms = _median_ms(hub.refresh, args.runs)

        def look() -> None:
            hub.poke()
            hub.refresh()

        look_ms = _median_ms(look, args.runs)
        print(f"hall model build (67 counters, {len(payload)} bytes of JSON): {model_ms:.1f} ms")
        print(f"every snapshot of the site (projector, for scale): {snapshots_ms:.1f} ms")
        print(f"hub look, nothing changed: {idle_ms:.2f} ms")
        print(f"hub look at devices and alerts (nothing new): {look_ms:.1f} ms")
        _per_change(service, hub, tokens, args.changes, args.pages)
        hub.stop()
        service.close()
        db.dispose()


def _per_change(
    service: QueueService, hub: LiveHub, tokens: dict[str, str], changes: int, pages: int
) -> None:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def listen() -> list[asyncio.Queue[str]]:
        return [hub.listen(SITE) for _ in range(pages)]

    hub.start = lambda: None  # type: ignore[method-assign]  # looks driven here, not by a thread
    queues = loop.run_until_complete(listen())
    kiosk = service.accounts.authenticate(tokens["kiosk-1"])
    before = service.hall.builds
    for _ in range(changes):
        key = uuid.uuid4().hex
        service.tickets.issue(SITE, TicketIn(service="tp-hotich"), kiosk, key, key)
        hub.refresh()
    loop.run_until_complete(asyncio.sleep(0))
    built = service.hall.builds - before
    heard = [q.qsize() for q in queues]
    print(
        f"{changes} changes, {pages} pages listening: {built} hall builds; "
        f"each page was handed {min(heard)}-{max(heard)} texts (a queue keeps the newest 16)"
    )
    loop.close()


if __name__ == "__main__":
    main()
