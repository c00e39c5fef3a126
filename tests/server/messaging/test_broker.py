"""The embedded amqtt broker, driven by paho clients and by the real publisher."""

import socket
import subprocess
import sys
import time

import pytest

from server.contract import topics
from server.contract.messages import DisplaySnapshot
from server.messaging import examples
from server.messaging.broker import EmbeddedBroker
from server.messaging.mqtt import MqttPublisher
from tests.server.messaging.test_mqtt_publisher import CHILD
from tests.support.mqtt_probe import MqttProbe

DISPLAY_A = topics.display("hcm-main", "A")


@pytest.fixture
def broker():
    embedded = EmbeddedBroker(port=0)
    embedded.start()
    yield embedded
    embedded.stop()


def test_start_listens_on_a_free_port(broker):
    assert broker.port != 0
    assert broker.url == f"mqtt://127.0.0.1:{broker.port}"
    with socket.create_connection(("127.0.0.1", broker.port), timeout=5):
        pass


def test_retained_snapshot_reaches_a_late_subscriber(broker):
    pub = MqttPublisher(broker.url)
    pub.start()
    try:
        assert pub.wait_connected(10)
        assert pub.nodelay()
        first = MqttProbe(broker.host, broker.port, DISPLAY_A, topics.calls("hcm-main"))
        pub.publish_snapshot(DISPLAY_A, examples.display_snapshot())
        pub.publish_event(topics.calls("hcm-main"), examples.call_event())
        first.wait_for(lambda m: m.topic == DISPLAY_A)
        assert first.wait_for(lambda m: m.topic != DISPLAY_A).json()["call"]["call_id"]
        first.close()
        late = MqttProbe(broker.host, broker.port, "qms/v1/+/display/+", topics.server_status())
        got = late.wait_for(lambda m: m.topic == DISPLAY_A)
        status = late.wait_for(lambda m: m.topic == topics.server_status())
        late.close()
    finally:
        pub.close()
    assert got.retain
    assert DisplaySnapshot.model_validate_json(got.payload) == examples.display_snapshot()
    assert status.json()["state"] == "online"


def test_stop_frees_the_port_and_a_busy_port_is_reported(broker):
    with pytest.raises(OSError, match="address already in use"):
        EmbeddedBroker(port=broker.port).start()
    port = broker.port
    broker.stop()
    again = EmbeddedBroker(port=port)
    again.start()
    try:
        probe = MqttProbe(again.host, again.port, "#")
        probe.close()
    finally:
        again.stop()


def test_start_twice_is_refused(broker):
    with pytest.raises(RuntimeError, match="already running"):
        broker.start()


def test_last_will_of_a_dead_server(broker):
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, broker.url], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            probe = MqttProbe(broker.host, broker.port, topics.server_status())
            assert probe.wait_for().json()["state"] == "online"
        finally:
            child.kill()
        # The "online" may arrive twice (retained and live) when the probe subscribes
        # just as it is published: the will is the first status that is not "online".
        assert probe.wait_for(lambda r: r.json()["state"] != "online").json()["state"] == "offline"
        probe.close()


def test_a_new_client_gets_only_the_retained_messages_it_subscribed_to(broker):
    """amqtt 0.12 sends every connecting client the retained messages matching any topic
    filter any client ever subscribed to: a display board got every counter's snapshot
    and the other zones' boards, and `mosquitto_sub -t '.../display/#'` printed counter
    topics. The embedded broker sends a client only those of its own subscriptions."""
    pub = MqttPublisher(broker.url)
    pub.start()
    counter_1 = topics.counter("hcm-main", "1")
    display_b = topics.display("hcm-main", "B")
    leds = None
    try:
        assert pub.wait_connected(10)
        pub.publish_snapshot(DISPLAY_A, examples.display_snapshot())
        pub.publish_snapshot(display_b, examples.display_snapshot())
        pub.publish_snapshot(counter_1, examples.counter_snapshot())
        leds = MqttProbe(broker.host, broker.port, topics.counters_all("hcm-main"))  # stays
        leds.wait_for(lambda m: m.topic == counter_1)
        other = MqttProbe(broker.host, broker.port, display_b)  # comes and goes
        other.wait_for(lambda m: m.topic == display_b)
        other.close()
        board = MqttProbe(broker.host, broker.port, DISPLAY_A)
        got = board.wait_for(lambda m: m.topic == DISPLAY_A)
        time.sleep(1.0)  # anything else would have come with the retained board
        board.close()
    finally:
        if leds is not None:
            leds.close()
        pub.close()
    assert got.retain
    assert [m.topic for m in board.messages] == [DISPLAY_A]


def test_a_client_that_leaves_before_acknowledging_is_no_error(broker, caplog):
    """A screenshot client reads the retained state and leaves: amqtt times out waiting
    for its acknowledgements, which is one quiet line, not a page of tracebacks."""
    import logging

    import paho.mqtt.client as mqtt

    caplog.set_level(logging.DEBUG, logger="server.messaging.broker")
    pub = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id="pub")
    pub.connect(broker.host, broker.port)
    pub.loop_start()
    for i in range(100):
        pub.publish(f"t/{i}", b"x" * 2000, qos=1, retain=True).wait_for_publish(10)
    pub.loop_stop()
    pub.disconnect()
    # A client that never acknowledges: CONNECT, SUBSCRIBE t/# at QoS 1, read, leave.
    with socket.create_connection((broker.host, broker.port), timeout=10) as shot:
        client_id = b"shot"
        connect = b"\x00\x04MQTT\x04\x02\x00\x3c" + len(client_id).to_bytes(2) + client_id
        shot.sendall(bytes([0x10, len(connect)]) + connect)
        subscribe = b"\x00\x01" + b"\x00\x03t/#" + b"\x01"
        shot.sendall(bytes([0x82, len(subscribe)]) + subscribe)
        received = b""
        while len(received) < 10_000:  # CONNACK, SUBACK, then retained messages
            chunk = shot.recv(65536)
            assert chunk, "the broker closed the connection"
            received += chunk
    said = "left before acknowledging"
    deadline = time.monotonic() + 60  # amqtt waits a few seconds for each acknowledgement
    while said not in caplog.text and time.monotonic() < deadline:
        time.sleep(0.1)
    assert said in caplog.text
    loud = [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert loud == []
