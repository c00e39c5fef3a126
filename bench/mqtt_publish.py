"""The messaging layer alone: MqttPublisher to a broker to a paho subscriber.

    python -m bench.mqtt_publish [--broker mosquitto|embedded]

Publishes realistic display snapshots (about 3 KB) and call events through the server's
publisher and times their arrival at a subscriber: a burst (throughput, with and without
coalescing) and a paced stream (latency of one message on a quiet broker). Publisher
and subscriber share this process.
"""

import argparse
import tempfile
import threading
import time
from pathlib import Path

from bench.load import DisplayWatcher
from bench.throughput import summary
from server.contract import topics
from server.contract.messages import CallEvent, DisplaySnapshot
from server.messaging import examples
from server.messaging.broker import EmbeddedBroker
from server.messaging.mqtt import MqttPublisher
from tests.support.mosquitto import Mosquitto

SITE = examples.SITE
AREAS = ("A", "A1", "A2", "B", "B1", "B2")


def snapshot_for_call(seq: int) -> tuple[str, CallEvent, DisplaySnapshot]:
    """A call in one of the six zones, its event and the zone's new display snapshot."""
    area = AREAS[seq % len(AREAS)]
    call = examples.call_info().model_copy(update={"call_id": f"bench-{seq}", "area": area})
    board = examples.display_snapshot().model_copy(
        update={"seq": seq, "area": area, "calling": call}
    )
    return area, CallEvent(site=SITE, seq=seq, call=call), board


def run(url: str, host: str, port: int, burst: int, paced: int, pace_ms: float) -> None:
    for coalesce in (True, False):
        watcher = DisplayWatcher(host, port, SITE)
        publisher = MqttPublisher(url, coalesce=coalesce)
        publisher.start()
        if not publisher.wait_connected(10):
            raise RuntimeError(f"cannot connect to {url}")
        sent: dict[str, float] = {}
        start = time.perf_counter()
        for seq in range(1, burst + 1):
            area, event, board = snapshot_for_call(seq)
            sent[event.call.call_id] = time.perf_counter()
            publisher.publish_snapshot(topics.display(SITE, area), board)
            publisher.publish_event(topics.calls(SITE), event)
        # Until the last event arrives, or none has arrived for 2 s: a broker drops
        # QoS 1 messages for a subscriber that falls too far behind (this one parses every
        # message in Python), and waiting for a dropped one measured only the wait.
        last, quiet_since, seen = f"bench-{burst}", time.monotonic(), 0
        while watcher.event_time(last) is None and time.monotonic() - quiet_since < 2:
            time.sleep(0.05)
            now_seen = sum(1 for c in sent if watcher.event_time(c) is not None)
            if now_seen != seen:
                seen, quiet_since = now_seen, time.monotonic()
        arrived = [t for c in sent if (t := watcher.event_time(c)) is not None]
        wall = (max(arrived) if arrived else time.perf_counter()) - start
        mode = "coalescing" if coalesce else "every snapshot"
        print(
            f"  burst of {burst} calls ({mode}): {len(arrived)} events arrived in {wall:.2f} s"
            f" = {len(arrived) / wall:.0f} calls/s ({burst - len(arrived)} dropped by the"
            f" broker for the slow subscriber); {watcher.snapshots} snapshots delivered"
        )
        publisher.close()
        watcher.close()

    watcher = DisplayWatcher(host, port, SITE)
    publisher = MqttPublisher(url)
    publisher.start()
    publisher.wait_connected(10)
    sent = {}
    stop = threading.Event()
    for seq in range(burst + 1, burst + paced + 1):
        area, event, board = snapshot_for_call(seq)
        sent[event.call.call_id] = time.perf_counter()
        publisher.publish_snapshot(topics.display(SITE, area), board)
        publisher.publish_event(topics.calls(SITE), event)
        stop.wait(pace_ms / 1000)
    time.sleep(0.5)
    to_board = [t - sent[c] for c in sent if (t := watcher.first_seen(c, "", "")) is not None]
    to_event = [t - sent[c] for c in sent if (t := watcher.event_time(c)) is not None]
    board_s, event_s = summary(to_board), summary(to_event)
    print(
        f"  paced, one call every {pace_ms:g} ms: publish -> board p50 {board_s.get('p50_ms')} ms"
        f" p99 {board_s.get('p99_ms')} ms; -> call event p50 {event_s.get('p50_ms')} ms"
        f" p99 {event_s.get('p99_ms')} ms (n={board_s['n']}/{paced})"
    )
    publisher.close()
    watcher.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--broker", choices=["mosquitto", "embedded"], default="mosquitto")
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--paced", type=int, default=300)
    parser.add_argument("--pace-ms", type=float, default=20.0)
    args = parser.parse_args(argv)
    print(f"\nMqttPublisher -> {args.broker} -> subscriber")
    if args.broker == "mosquitto":
        with tempfile.TemporaryDirectory(prefix="qms-bench-") as tmp:
            mosquitto = Mosquitto(Path(tmp))
            mosquitto.start()
            try:
                run(
                    mosquitto.url,
                    mosquitto.host,
                    mosquitto.port,
                    args.burst,
                    args.paced,
                    args.pace_ms,
                )
            finally:
                mosquitto.stop()
    else:
        broker = EmbeddedBroker(port=0)
        broker.start()
        try:
            run(broker.url, broker.host, broker.port, args.burst, args.paced, args.pace_ms)
        finally:
            broker.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
