"""MqttPublisher against a real Mosquitto started by the test."""

import json
import subprocess
import sys
import threading
import time

import pytest

from server.contract import topics
from server.contract.messages import CallEvent, DisplaySnapshot, ServerStatus
from server.messaging import examples
from server.messaging.mqtt import MqttPublisher
from tests.support.mqtt_probe import MqttProbe

pytestmark = pytest.mark.mosquitto

DISPLAY_A = topics.display("hcm-main", "A")
CALLS = topics.calls("hcm-main")
STATUS = topics.server_status()


def snapshot(seq: int) -> DisplaySnapshot:
    return examples.display_snapshot().model_copy(update={"seq": seq})


def event(seq: int) -> CallEvent:
    return CallEvent(site="hcm-main", seq=seq, call=examples.call_info())


@pytest.fixture
def publisher(mosquitto):
    pub = MqttPublisher(mosquitto.url, version="test")
    pub.start()
    assert pub.wait_connected(10)
    yield pub
    pub.close()


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def test_retained_snapshot_reaches_a_late_subscriber(mosquitto, publisher):
    publisher.publish_snapshot(DISPLAY_A, snapshot(41))
    publisher.publish_snapshot(DISPLAY_A, snapshot(42))
    # Wait until the broker has the newest one, then subscribe late.
    early = MqttProbe(mosquitto.host, mosquitto.port, DISPLAY_A)
    early.wait_for(lambda m: m.json()["seq"] == 42)
    early.close()
    late = MqttProbe(mosquitto.host, mosquitto.port, DISPLAY_A)
    got = late.wait_for()
    late.close()
    assert got.retain
    assert DisplaySnapshot.model_validate_json(got.payload) == snapshot(42)


def test_call_events_are_not_retained_and_none_is_lost_in_a_burst(mosquitto, publisher):
    probe = MqttProbe(mosquitto.host, mosquitto.port, CALLS, DISPLAY_A)
    for seq in range(1, 301):
        publisher.publish_event(CALLS, event(seq))
        publisher.publish_snapshot(DISPLAY_A, snapshot(seq))
    probe.wait_for(lambda m: m.topic == CALLS and m.json()["seq"] == 300)
    calls = probe.on_topic(CALLS)
    assert [m.json()["seq"] for m in calls] == list(range(1, 301))
    assert not any(m.retain for m in calls)
    # Snapshots may be coalesced, but arrive in order and end with the newest.
    probe.wait_for(lambda m: m.topic == DISPLAY_A and m.json()["seq"] == 300)
    seqs = [m.json()["seq"] for m in probe.on_topic(DISPLAY_A)]
    assert seqs == sorted(seqs)
    probe.close()
    late = MqttProbe(mosquitto.host, mosquitto.port, CALLS, DISPLAY_A)
    assert late.wait_for().topic == DISPLAY_A  # only the retained snapshot, no old calls
    late.close()
    assert CallEvent.model_validate_json(calls[0].payload) == event(1)


def test_online_status_then_offline_on_close(mosquitto):
    pub = MqttPublisher(mosquitto.url, version="9.9")
    pub.start()
    assert pub.wait_connected(10)
    probe = MqttProbe(mosquitto.host, mosquitto.port, STATUS)
    online = ServerStatus.model_validate_json(probe.wait_for().payload)
    assert (online.state, online.version) == ("online", "9.9")
    pub.close()
    assert pub.state == "closed"
    offline = ServerStatus.model_validate_json(probe.wait_for().payload)
    assert offline.state == "offline"
    probe.close()
    late = MqttProbe(mosquitto.host, mosquitto.port, STATUS)
    assert late.wait_for().json()["state"] == "offline"
    late.close()


CHILD = """
import sys, time
from server.messaging.mqtt import MqttPublisher
pub = MqttPublisher(sys.argv[1], version="child")
pub.start()
assert pub.wait_connected(10)
print("ready", flush=True)
time.sleep(60)
"""


def test_last_will_marks_the_server_offline_when_it_dies(mosquitto):
    with subprocess.Popen(
        [sys.executable, "-c", CHILD, mosquitto.url], stdout=subprocess.PIPE, text=True
    ) as child:
        try:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
            probe = MqttProbe(mosquitto.host, mosquitto.port, STATUS)
            assert probe.wait_for().json()["state"] == "online"
        finally:
            child.kill()  # no DISCONNECT packet: the broker sends the will
        # The "online" may arrive twice (retained and live) when the probe subscribes
        # just as it is published: the will is the first status that is not "online".
        will = probe.wait_for(lambda r: r.json()["state"] != "online")
        probe.close()
    assert ServerStatus.model_validate_json(will.payload).state == "offline"


def test_tcp_nodelay_is_set(publisher):
    assert publisher.nodelay()


def test_reconnect_after_broker_restart_republishes(mosquitto):
    republished = threading.Event()
    calls: list[int] = []
    pub = MqttPublisher(mosquitto.url)

    def republish_all() -> None:
        calls.append(len(calls) + 1)
        pub.publish_snapshot(DISPLAY_A, snapshot(100 + len(calls)))
        republished.set()

    pub.on_connected = republish_all
    pub.start()
    try:
        assert republished.wait(10)
        mosquitto.restart()  # no persistence: the retained snapshot is gone with it
        wait_until(lambda: len(calls) == 2, timeout=20)
        assert pub.nodelay()
        probe = MqttProbe(mosquitto.host, mosquitto.port, DISPLAY_A)
        probe.wait_for(lambda m: m.json()["seq"] == 102)
        probe.close()
        late = MqttProbe(mosquitto.host, mosquitto.port, DISPLAY_A)
        got = late.wait_for()
        late.close()
        assert got.retain
        assert got.json()["seq"] == 102
        assert pub.connects == 2
        # "online" again, with the same start time: the process did not restart.
        status = MqttProbe(mosquitto.host, mosquitto.port, STATUS)
        online = ServerStatus.model_validate_json(status.wait_for().payload)
        status.close()
        assert (online.state, online.at) == ("online", pub.started_at)
    finally:
        pub.close()


def test_publishing_while_the_broker_is_down_never_raises(mosquitto, publisher, caplog):
    mosquitto.stop()
    wait_until(lambda: not publisher.connected)
    for seq in range(5):
        publisher.publish_snapshot(DISPLAY_A, snapshot(seq))
        publisher.publish_event(CALLS, event(seq))
    wait_until(lambda: "dropping messages" in caplog.text)
    assert publisher.state == "disconnected"


def test_failing_republish_is_logged_and_publishing_goes_on(mosquitto, caplog):
    def broken() -> None:
        raise RuntimeError("database unavailable")

    pub = MqttPublisher(mosquitto.url, on_connected=broken)
    pub.start()
    try:
        assert pub.wait_connected(10)
        wait_until(lambda: "republishing snapshots after connect failed" in caplog.text)
        probe = MqttProbe(mosquitto.host, mosquitto.port, CALLS)
        pub.publish_event(CALLS, event(1))
        assert probe.wait_for().json()["seq"] == 1
        probe.close()
    finally:
        pub.close()


def test_mosquitto_sub_reads_the_retained_display_snapshot(mosquitto, publisher):
    publisher.publish_snapshot(DISPLAY_A, snapshot(7))
    probe = MqttProbe(mosquitto.host, mosquitto.port, DISPLAY_A)
    probe.wait_for(lambda m: m.json()["seq"] == 7)
    probe.close()
    out = subprocess.run(
        ["mosquitto_sub", "-h", mosquitto.host, "-p", str(mosquitto.port), "-t", DISPLAY_A,
         "-C", "1", "-W", "10"],
        capture_output=True, text=True, check=True, timeout=20,
    )  # fmt: skip
    assert DisplaySnapshot.model_validate_json(out.stdout) == snapshot(7)
    assert json.loads(out.stdout)["area"] == "A"


def test_a_bad_url_is_refused_before_connecting():
    with pytest.raises(ValueError, match="mqtt://"):
        MqttPublisher("tcp://127.0.0.1:1883")


def test_starts_before_the_broker_and_catches_up(mosquitto):
    mosquitto.stop()
    connected = threading.Event()
    pub = MqttPublisher(mosquitto.url, on_connected=connected.set)
    pub.start()
    try:
        pub.publish_snapshot(DISPLAY_A, snapshot(1))  # dropped: nobody to send it to
        assert not pub.connected
        mosquitto.start()
        assert connected.wait(20)
        assert pub.state == "connected"
    finally:
        pub.close()
    assert pub.state == "closed"


def test_close_with_the_broker_gone_returns(mosquitto, publisher):
    mosquitto.stop()
    wait_until(lambda: not publisher.connected)
    publisher.close(timeout=2)
    assert publisher.state == "closed"
    publisher.publish_event(CALLS, event(1))  # after close: logged, never raised
