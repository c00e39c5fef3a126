"""The apps' one MQTT bridge: paho's thread hands messages to the GUI thread."""

import threading
from datetime import UTC, datetime

from appkit.live import LiveFeed
from appkit.mqtt_state import ConnectionState, Subscription
from server.contract import topics
from server.contract.messages import QueueSnapshot


def snapshot(seq: int) -> QueueSnapshot:
    return QueueSnapshot(
        site="hcm-main",
        seq=seq,
        generated_at=datetime(2026, 11, 23, 2, 0, seq, tzinfo=UTC),
        site_name="x",
        business_day="2026-11-23",
        waiting_total=0,
        services=[],
    )


def test_a_message_from_another_thread_is_handled_on_the_gui_thread(qtbot):
    seen: list[tuple[str, object, threading.Thread]] = []
    links: list[tuple[bool, threading.Thread]] = []
    feed = LiveFeed(
        lambda topic, message: seen.append((topic, message, threading.current_thread())),
        lambda state: links.append((state.connected, threading.current_thread())),
    )
    topic = topics.queue("hcm-main")
    subscriber = feed.follow(
        "mqtt://127.0.0.1:1", [Subscription(topic, QueueSnapshot)], client_id="feed-test"
    )
    sent = snapshot(5)

    def paho_thread() -> None:  # what paho's network thread does on a message
        subscriber.feed(topic, sent.model_dump_json().encode())
        feed.on_connection(ConnectionState(False, datetime.now(UTC)))

    worker = threading.Thread(target=paho_thread)
    worker.start()
    worker.join(10)
    qtbot.waitUntil(lambda: bool(seen) and bool(links), timeout=10_000)
    assert seen == [(topic, sent, threading.main_thread())]
    assert links == [(False, threading.main_thread())]
    feed.stop()
    assert feed.subscriber is None


def test_on_the_gui_thread_the_handler_runs_at_once(qapp):
    seen: list[str] = []
    feed = LiveFeed(lambda topic, _message: seen.append(topic), lambda _state: None)
    feed.on_message("t", snapshot(1))
    assert seen == ["t"]
