"""The MQTT state subscriber: messages pushed through the real on-message path.

Most tests need no broker: they hand paho ``MQTTMessage`` objects to the
subscriber's paho callback, exactly as paho's network thread does. The last ones
run against a real Mosquitto.
"""

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta

import paho.mqtt.client as mqtt
import pytest
from pydantic import BaseModel

from appkit.mqtt_state import BrokerAddress, ConnectionState, StateSubscriber, Subscription
from server.contract import topics
from server.contract.messages import CallEvent, DisplaySnapshot, ServerStatus
from tests.display_board.samples import AREA, SITE, call, event, snapshot
from tests.support.newer_server import newer_payload

DISPLAY = topics.display(SITE, AREA)
CALLS = topics.calls(SITE)


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, BaseModel]] = []
        self.states: list[ConnectionState] = []
        self.event = threading.Event()

    def on_message(self, topic: str, message: BaseModel) -> None:
        self.messages.append((topic, message))
        self.event.set()

    def on_connection(self, state: ConnectionState) -> None:
        self.states.append(state)

    def seqs(self) -> list[int]:
        return [m.seq for _, m in self.messages if isinstance(m, DisplaySnapshot)]


def make(inbox: Inbox, url: str = "mqtt://127.0.0.1:1", **kw) -> StateSubscriber:
    return StateSubscriber(
        url,
        [Subscription(DISPLAY, DisplaySnapshot), Subscription(CALLS, CallEvent, ordered=False)],
        inbox.on_message,
        inbox.on_connection,
        **kw,
    )


def push(sub: StateSubscriber, topic: str, payload: bytes | BaseModel, retain: bool = False):
    """Deliver like paho's network thread: an MQTTMessage into the on_message callback."""
    data = payload.model_dump_json().encode() if isinstance(payload, BaseModel) else payload
    msg = mqtt.MQTTMessage(topic=topic.encode())
    msg.payload = data
    msg.retain = retain
    sub._paho_message(None, None, msg)  # type: ignore[arg-type]


def test_url_parsing():
    assert BrokerAddress.from_url("mqtt://127.0.0.1:1884") == BrokerAddress("127.0.0.1", 1884)
    a = BrokerAddress.from_url("mqtts://disp%40x:p%3Ass@broker.example")
    assert (a.port, a.tls, a.username, a.password) == (8883, True, "disp@x", "p:ss")
    for bad in ("http://x", "mqtt://", "mqtt://h:99999"):
        with pytest.raises(ValueError, match="MQTT URL"):
            BrokerAddress.from_url(bad)


def test_snapshots_in_order_are_delivered_stale_and_duplicates_dropped():
    inbox = Inbox()
    sub = make(inbox)
    for seq in (5, 7, 7, 6, 9, 2):
        push(sub, DISPLAY, snapshot(seq))
    assert inbox.seqs() == [5, 7, 9]
    assert sub.dropped_stale == 3


def test_seq_is_tracked_per_topic():
    inbox = Inbox()
    sub = StateSubscriber(
        "mqtt://127.0.0.1:1",
        [Subscription(topics.display_all(SITE), DisplaySnapshot)],
        inbox.on_message,
    )
    push(sub, topics.display(SITE, "A"), snapshot(10))
    push(sub, topics.display(SITE, "B"), snapshot(4))
    push(sub, topics.display(SITE, "B"), snapshot(4))
    assert inbox.seqs() == [10, 4]


def test_call_events_are_not_ordered():
    """Two server processes may publish calls out of seq order; none may be lost."""
    inbox = Inbox()
    sub = make(inbox)
    push(sub, CALLS, event(call(11), seq=31))
    push(sub, CALLS, event(call(10), seq=30))
    assert [m.call.ticket_number for _, m in inbox.messages] == ["11", "10"]


def test_lower_seq_accepted_after_server_restart():
    inbox = Inbox()
    sub = make(inbox)
    first = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
    push(sub, topics.server_status(), ServerStatus(state="online", at=first), retain=True)
    push(sub, DISPLAY, snapshot(500))
    # The retained status again (a reconnect): same epoch, stale snapshots still dropped.
    push(sub, topics.server_status(), ServerStatus(state="online", at=first), retain=True)
    push(sub, DISPLAY, snapshot(3))
    push(sub, topics.server_status(), ServerStatus(state="offline", at=first))
    push(sub, DISPLAY, snapshot(4))
    assert inbox.seqs() == [500]
    # The server came back with a fresh database: its sequence starts again.
    push(sub, topics.server_status(), ServerStatus(state="online", at=first + timedelta(hours=1)))
    push(sub, DISPLAY, snapshot(3))
    push(sub, DISPLAY, snapshot(2))
    assert inbox.seqs() == [500, 3]
    statuses = [m.state for _, m in inbox.messages if isinstance(m, ServerStatus)]
    assert statuses == ["online", "online", "offline", "online"]


def test_lower_seq_accepted_when_generated_much_later():
    inbox = Inbox()
    sub = make(inbox, reset_grace=timedelta(minutes=2))
    push(sub, DISPLAY, snapshot(500, generated_at=datetime(2026, 1, 1, 8, tzinfo=UTC)))
    push(sub, DISPLAY, snapshot(400, generated_at=datetime(2026, 1, 1, 8, 1, tzinfo=UTC)))
    push(sub, DISPLAY, snapshot(3, generated_at=datetime(2026, 1, 1, 8, 5, tzinfo=UTC)))
    assert inbox.seqs() == [500, 3]


@pytest.mark.parametrize(
    "payload",
    [
        b"not json",
        b"{}",
        b'{"v": 2}',
        b"\xff\xfe",
        b'{"site": "x", "seq": "many"}',
        b"[1, 2, 3]",
    ],
)
def test_malformed_payloads_are_logged_and_ignored(payload, caplog):
    inbox = Inbox()
    sub = make(inbox)
    with caplog.at_level(logging.WARNING, logger="appkit.mqtt_state"):
        push(sub, DISPLAY, payload)
    assert inbox.messages == []
    assert sub.dropped_malformed == 1
    assert "malformed message on qms/v1/hcm-main/display/A" in caplog.text
    push(sub, DISPLAY, snapshot(1))
    assert inbox.seqs() == [1]


def test_fields_a_newer_server_added_are_ignored(caplog):
    """Tolerant reader: an app on older code still takes a newer server's message."""
    inbox = Inbox()
    sub = make(inbox)
    with caplog.at_level(logging.WARNING):
        push(sub, DISPLAY, newer_payload(snapshot(1)))
    assert inbox.messages == [(DISPLAY, snapshot(1))]
    assert sub.dropped_malformed == 0
    assert "malformed" not in caplog.text


def test_empty_retained_payload_clears_nothing_and_does_not_crash():
    inbox = Inbox()
    sub = make(inbox)
    push(sub, DISPLAY, b"", retain=True)
    assert inbox.messages == []


def test_a_failing_callback_never_escapes_into_paho(caplog):
    def boom(topic, message):
        raise RuntimeError("view exploded")

    sub = StateSubscriber("mqtt://127.0.0.1:1", [Subscription(DISPLAY, DisplaySnapshot)], boom)
    with caplog.at_level(logging.ERROR):
        push(sub, DISPLAY, snapshot(1))
    assert "the message callback failed" in caplog.text


def test_connection_changes_are_reported_once_each():
    inbox = Inbox()
    at = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
    sub = make(inbox, clock=lambda: at)
    ok = mqtt.ReasonCode(mqtt.PacketTypes.CONNACK, "Success")

    class FakeClientSubscribe:
        def __init__(self):
            self.subscribed = []

        def subscribe(self, subs):
            self.subscribed.append(subs)

    client = FakeClientSubscribe()
    sub._paho_connect_fail(None, None)  # type: ignore[arg-type]
    sub._paho_connect_fail(None, None)  # type: ignore[arg-type]
    sub._paho_connect(client, None, None, ok, None)  # type: ignore[arg-type]
    sub._paho_disconnect(None, None, None, "keepalive timeout", None)  # type: ignore[arg-type]
    sub._paho_disconnect(None, None, None, "keepalive timeout", None)  # type: ignore[arg-type]
    assert [(s.connected, s.since) for s in inbox.states] == [(False, at), (True, at), (False, at)]
    assert inbox.states[2].detail == "keepalive timeout"
    # Every connect subscribes again, the server status included.
    assert {t for t, _ in client.subscribed[0]} == {DISPLAY, CALLS, topics.server_status()}


@pytest.mark.mosquitto
def test_real_broker_delivers_retained_snapshot_then_live_events(mosquitto):
    inbox = Inbox()
    sub = make(inbox, url=mosquitto.url, min_backoff_s=1, max_backoff_s=2)
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="test-pub")
    pub.connect("127.0.0.1", mosquitto.port)
    pub.loop_start()
    try:
        pub.publish(DISPLAY, snapshot(10).model_dump_json(), qos=1, retain=True).wait_for_publish(5)
        sub.start()
        assert inbox.event.wait(10)
        inbox.event.clear()
        pub.publish(CALLS, event(call(1023), seq=11).model_dump_json(), qos=1).wait_for_publish(5)
        pub.publish(DISPLAY, b"garbage", qos=1, retain=True).wait_for_publish(5)
        pub.publish(DISPLAY, snapshot(9).model_dump_json(), qos=1, retain=True).wait_for_publish(5)
        pub.publish(DISPLAY, snapshot(12).model_dump_json(), qos=1, retain=True).wait_for_publish(5)
        wait_for(lambda: 12 in inbox.seqs())
        assert inbox.seqs() == [10, 12]
        calls = [m for _, m in inbox.messages if isinstance(m, CallEvent)]
        assert [c.call.ticket_number for c in calls] == ["1023"]
        assert inbox.states[0].connected
    finally:
        sub.stop()
        pub.loop_stop()
        pub.disconnect()


@pytest.mark.mosquitto
def test_reconnects_after_a_broker_restart_and_catches_up(mosquitto):
    inbox = Inbox()
    sub = make(inbox, url=mosquitto.url, min_backoff_s=1, max_backoff_s=1, keepalive_s=5)
    sub.start()
    try:
        wait_for(lambda: sub.connected)
        mosquitto.stop()
        wait_for(lambda: not sub.connected)
        mosquitto.start()
        wait_for(lambda: sub.connected)
        pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        pub.connect("127.0.0.1", mosquitto.port)
        pub.loop_start()
        pub.publish(DISPLAY, snapshot(3).model_dump_json(), qos=1, retain=True).wait_for_publish(5)
        wait_for(lambda: inbox.seqs() == [3])
        pub.loop_stop()
        pub.disconnect()
        assert [s.connected for s in inbox.states] == [True, False, True]
        assert inbox.states[1].since <= inbox.states[2].since
    finally:
        sub.stop()


def test_start_with_no_broker_reports_lost_and_keeps_trying():
    inbox = Inbox()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sub = make(inbox, url=f"mqtt://127.0.0.1:{port}", min_backoff_s=1, max_backoff_s=1)
    sub.start()
    try:
        wait_for(lambda: inbox.states)
        assert inbox.states[0].connected is False
        assert inbox.states[0].detail == "broker unreachable"
    finally:
        sub.stop()


def wait_for(condition, timeout=20.0):
    """Poll until true; a functional wait, not a timing assertion."""
    done = threading.Event()
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        done.wait(0.05)
    raise AssertionError("condition not reached")
