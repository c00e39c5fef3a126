"""The display board over a long run, and the time from a clerk's call to the board.

1. Memory: 100,000 live calls (and a snapshot every 10 calls) go through the board's
   view-model and the announcer (composing every announcement, a sink that discards),
   printing Python heap (tracemalloc) and process RSS at intervals. A board runs for
   days, so after warm-up nothing may grow: the played-call history, the recent list
   and the announcement queue are all bounded.
2. Latency (``--latency N``, default 30; 0 skips it): a real server (SQLite) and a real
   Mosquitto; a clerk calls tickets one at a time over HTTP, and we time from sending
   ``call-next`` to the board's view-model showing that call (its ``call_id`` on the
   hero), through ``appkit.mqtt_state`` and the view-model exactly as the board runs.
   Only the Qt hop to the widgets is left out (a queued signal, well under 1 ms).

3. Widgets (``--gui N``, default 5,000): the same calls into an offscreen 1080p board,
   fully repainted after each call, printing RSS: a leak in painting would show here.

    python -m bench.display_memory [--calls 100000] [--gui 5000] [--latency 30]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import sys
import tempfile
import threading
import time
import tracemalloc
import uuid
import wave
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from display_board.announcer import Announcer
from display_board.audio import RecordingSink
from display_board.viewmodel import BoardViewModel
from display_board.voice import VoiceBank, clip_texts, write_chime
from server.contract.messages import CallEvent, CallInfo, CounterView, DisplaySnapshot
from server.contract.vocab import CounterState

SITE, AREA = "hcm-main", "A"
T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


def rss_mb() -> float:
    """Current resident set size (Linux /proc), in MiB."""
    with Path("/proc/self/statm").open() as f:
        pages = int(f.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def small_voice(root: Path) -> VoiceBank:
    write_chime(root / "chime.wav")
    for language in ("vi", "en"):
        (root / language).mkdir(parents=True, exist_ok=True)
        for stem in clip_texts(language):
            with wave.open(str(root / language / f"{stem}.wav"), "wb") as w:
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(22050)
                w.writeframes(b"\0\0" * 10)
    return VoiceBank(root)


def make_call(i: int) -> CallInfo:
    counter = 1 + i % 15
    number = f"{1000 + i % 9000}" if i % 3 else f"XC{i % 1000:03d}"
    return CallInfo(
        call_id=f"c-{i:09d}",
        ticket_id=f"t-{i}",
        ticket_number=number,
        service="ca-xnc",
        service_name_vi="Xuất nhập cảnh",
        service_name_en="Passports and immigration",
        counter_id=str(counter),
        counter_number=counter,
        counter_name=f"Quầy {counter}",
        area=AREA,
        called_at=T0 + timedelta(seconds=i),
        recall=i % 17 == 0,
    )


def make_snapshot(seq: int, recent: list[CallInfo]) -> DisplaySnapshot:
    counters = [
        CounterView(
            id=str(n),
            number=n,
            name=f"Quầy {n}",
            area=AREA,
            state=CounterState.OPEN,
            services=["ca-xnc"],
            current_ticket=next((c.ticket_number for c in recent if c.counter_number == n), None),
        )
        for n in range(1, 16)
    ]
    return DisplaySnapshot(
        site=SITE,
        seq=seq,
        generated_at=T0 + timedelta(seconds=seq),
        site_name="Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh",
        area=AREA,
        area_name="Khu A",
        calling=recent[0] if recent else None,
        recent=recent[:8],
        counters=counters,
    )


def memory_run(total: int, report_every: int) -> None:
    with tempfile.TemporaryDirectory(prefix="qms-bench-voice-") as tmp:
        bank = small_voice(Path(tmp))
        vm = BoardViewModel(SITE, AREA)
        sink = RecordingSink(keep=False)
        announcer = Announcer(bank, sink, english=True)
        vm.announced.append(announcer.announce)
        recent: list[CallInfo] = []
        print(f"display memory: {total:,} live calls through the view-model and the announcer")
        print(f"{'calls':>9} {'heap MiB':>9} {'peak MiB':>9} {'RSS MiB':>8} {'played ids':>10}")
        gc.collect()
        tracemalloc.start()
        started = time.perf_counter()
        first_heap = None
        seq = 0
        for i in range(1, total + 1):
            info = make_call(i)
            seq += 1
            vm.apply_call(CallEvent(site=SITE, seq=seq, call=info))
            recent = [info, *recent[:7]]
            if i % 10 == 0:
                seq += 1
                vm.apply_snapshot(make_snapshot(seq, recent))
            if i % 8 == 0:
                announcer.run_pending()
            if i % report_every == 0:
                gc.collect()
                heap, peak = tracemalloc.get_traced_memory()
                if first_heap is None:
                    first_heap = heap
                print(
                    f"{i:>9,} {heap / 2**20:>9.2f} {peak / 2**20:>9.2f} {rss_mb():>8.1f}"
                    f" {vm.played_count:>10}"
                )
        announcer.run_pending()
        elapsed = time.perf_counter() - started
        heap, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        growth = (heap - (first_heap or heap)) / 2**10
        print(
            f"spoken {announcer.spoken:,} (dropped from a full queue: {announcer.dropped}), "
            f"{total / elapsed:,.0f} calls/s with tracing on; heap growth after the first "
            f"report: {growth:+.1f} KiB"
        )


def gui_run(total: int, report_every: int) -> None:
    """The widgets too: live calls into an offscreen board, repainted after each one."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from display_board.views.board import BoardView

    app = QApplication.instance() or QApplication([])
    vm = BoardViewModel(SITE, AREA)
    view = BoardView(vm, animate=False, blink_s=1.0)
    view.resize(1920, 1080)
    print(f"\ndisplay widgets: {total:,} live calls into an offscreen 1920x1080 board")
    print(f"{'calls':>9} {'RSS MiB':>8} {'paint errors':>12}")
    recent: list[CallInfo] = []
    started = time.perf_counter()
    for i in range(1, total + 1):
        info = make_call(i)
        vm.apply_call(CallEvent(site=SITE, seq=2 * i, call=info))
        recent = [info, *recent[:7]]
        vm.apply_snapshot(make_snapshot(2 * i + 1, recent))
        view.hero.tick()
        view.grab()  # paints every panel, as the screen would
        if i % report_every == 0:
            app.processEvents()
            errors = sum(
                p.paint_errors for p in (view.hero, view.counters, view.recent, view.waiting)
            )
            print(f"{i:>9,} {rss_mb():>8.1f} {errors:>12}")
    elapsed = time.perf_counter() - started
    print(f"{total / elapsed:,.0f} calls/s including a full 1080p repaint each")
    view.deleteLater()
    app.processEvents()


def latency_run(n: int) -> None:
    import httpx

    from appkit.mqtt_state import StateSubscriber, Subscription
    from bench.env import running_server
    from bench.load import login
    from server.contract import topics
    from server.contract.http import ActionOut, MenuOut

    print(f"\ncall-to-board latency: {n} calls, SQLite server, Mosquitto, one clerk at a time")
    with running_server("sqlite", "mosquitto") as server:
        api = f"{server.base_url}/api/v1"
        menu = MenuOut.model_validate(httpx.get(f"{api}/sites/{SITE}/services", timeout=30).json())
        service = next(s for d in menu.departments for s in d.services if s.open and s.area == AREA)
        creds: dict[str, Any] = server.credentials
        counter = str(service.counters[0])
        clerk = next(u for u in creds["users"] if u["counter"] == counter)
        clerk_token = login(server.base_url, clerk["username"], clerk["password"])
        kiosk_token = creds["devices"]["kiosk-1"]

        vm = BoardViewModel(SITE, AREA)
        shown: dict[str, float] = {}
        cond = threading.Condition()

        def on_message(topic: str, message: BaseModel) -> None:
            # The board applies messages on one thread; here that is paho's.
            vm.handle(topic, message)
            if vm.calling is not None:
                with cond:
                    shown.setdefault(vm.calling.call_id, time.perf_counter())
                    cond.notify_all()

        sub = StateSubscriber(
            f"mqtt://{server.mqtt_host}:{server.mqtt_port}",
            [
                Subscription(topics.display(SITE, AREA), DisplaySnapshot),
                Subscription(topics.calls(SITE), CallEvent, ordered=False),
            ],
            on_message,
        )
        sub.start()
        try:
            deadline = time.monotonic() + 15
            while not sub.connected and time.monotonic() < deadline:
                time.sleep(0.05)
            kiosk = httpx.Client(headers={"Authorization": f"Bearer {kiosk_token}"}, timeout=30)
            desk = httpx.Client(headers={"Authorization": f"Bearer {clerk_token}"}, timeout=30)
            for _ in range(n):
                kiosk.post(
                    f"{api}/sites/{SITE}/tickets",
                    json={"service": service.code},
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                ).raise_for_status()
            samples: list[float] = []
            for _ in range(n):
                sent = time.perf_counter()
                r = desk.post(
                    f"{api}/sites/{SITE}/counters/{counter}/call-next",
                    headers={"Idempotency-Key": uuid.uuid4().hex},
                )
                r.raise_for_status()
                call_id = ActionOut.model_validate(r.json()).call_id
                assert call_id is not None
                with cond:
                    cond.wait_for(partial(dict.__contains__, shown, call_id), timeout=10)
                if call_id in shown:
                    samples.append((shown[call_id] - sent) * 1000)
                else:
                    print(f"call {call_id} never reached the board within 10 s")
            kiosk.close()
            desk.close()
        finally:
            sub.stop()
    if samples:
        samples.sort()
        p99 = samples[min(len(samples) - 1, round(0.99 * (len(samples) - 1)))]
        print(
            f"call-next request -> board view-model: n={len(samples)} "
            f"p50 {statistics.median(samples):.1f} ms, p99 {p99:.1f} ms, max {samples[-1]:.1f} ms"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=10_000, help="report interval (calls)")
    parser.add_argument("--gui", type=int, default=5_000, help="calls into the widgets; 0 skips")
    parser.add_argument("--latency", type=int, default=30, help="calls to time; 0 skips")
    args = parser.parse_args(argv)
    memory_run(args.calls, args.every)
    if args.gui:
        gui_run(args.gui, max(1, args.gui // 10))
    if args.latency:
        latency_run(args.latency)
    return 0


if __name__ == "__main__":
    sys.exit(main())
