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
