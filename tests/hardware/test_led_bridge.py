"""The LED bridge: the pure decision, the on-message path without a broker, and one real broker."""

from datetime import UTC, datetime

import pytest

from hardware.led_bridge import LED_IDLE, LED_PAUSED, LedBridge, LedState, MqttLedBridge, decide
from hardware.ports import LedDisplay
from hardware.sim.devices import LedBusSim
from server.contract import topics
from server.contract.messages import CounterSnapshot, CounterView, ServerStatus, TicketBrief
from tests.hardware.waiting import wait_until
from tests.support.newer_server import newer_payload

SITE = "hcm-ttphcc"
NOW = datetime(2026, 11, 22, 2, 0, tzinfo=UTC)


def snapshot(seq, *, number=5, ticket=None, calls=1, state="open", counter_id=None, area="A"):
    current = None
    if ticket is not None:
        current = TicketBrief(
            id=f"t-{ticket}",
            number=ticket,
            service="dat-dai",
            status="called",
            issued_at=NOW,
            call_count=calls,
        )
    return CounterSnapshot(
        site=SITE,
        seq=seq,
        generated_at=NOW,
        counter=CounterView(
            id=counter_id or f"quay-{number}",
            number=number,
            name=f"Quầy {number}",
            area=area,
            state=state,
            services=["dat-dai"],
            current_ticket=ticket,
            current_status="called" if ticket else None,
        ),
        current=current,
    )


class RecordingDisplay:
    """A LedDisplay that records what it was told to show."""

    def __init__(self):
        self.shown: list[tuple[int, str, bool]] = []

    def show(self, address, text, *, blink=False):
        self.shown.append((address, text, blink))

    def close(self):
        pass


def test_the_bus_and_the_recorder_are_led_displays():
    from hardware.bus import LedBus

    assert isinstance(RecordingDisplay(), LedDisplay)
    assert isinstance(LedBus("loop://"), LedDisplay)


CALLED = LedState(1, "1023", ("t-1023", 1))


@pytest.mark.parametrize(
    ("previous", "snap", "expected"),
    [
        (None, snapshot(1, ticket="1023"), ("1023", True, False)),  # old news at start
        (None, snapshot(1), (LED_IDLE, True, False)),
        (LedState(1, LED_IDLE, None), snapshot(2, ticket="1023"), ("1023", True, True)),
        (CALLED, snapshot(2, ticket="1023"), ("1023", False, False)),  # same call: nothing
        (CALLED, snapshot(2, ticket="1023", calls=2), ("1023", True, True)),  # recall blinks
        (CALLED, snapshot(2, ticket="1024"), ("1024", True, True)),  # next ticket blinks
        (CALLED, snapshot(2, ticket="1023", state="paused"), (LED_PAUSED, True, False)),
        (CALLED, snapshot(2, state="closed"), ("", True, False)),
    ],
)
def test_decide(previous, snap, expected):
    update = decide(snap, previous)
    assert (update.state.text, update.send, update.blink) == expected


def test_messages_drive_the_display_through_the_real_on_message_path():
    display = RecordingDisplay()
    bridge = LedBridge(SITE, display)
    topic = topics.counter(SITE, "quay-5")
    bridge.handle_message(topic, snapshot(10, ticket="1023").model_dump_json().encode())
    bridge.handle_message(topic, snapshot(9, ticket="0999").model_dump_json().encode())  # stale
    bridge.handle_message(topic, snapshot(11, ticket="1023").model_dump_json().encode())  # same
    bridge.handle_message(topic, snapshot(12, ticket="1024").model_dump_json().encode())
    bridge.handle_message(topic, snapshot(13, ticket="1024", calls=2).model_dump_json().encode())
    assert display.shown == [(5, "1023", False), (5, "1024", True), (5, "1024", True)]


def test_a_newer_servers_messages_still_drive_the_display():
    """A bridge on today's code ignores fields a newer server added (tolerant reader)."""
    display = RecordingDisplay()
    bridge = LedBridge(SITE, display)
    topic = topics.counter(SITE, "quay-5")
    bridge.handle_message(topic, newer_payload(snapshot(10, ticket="1023")))
    bridge.handle_message(topic, newer_payload(snapshot(11, ticket="1024")))
    offline = ServerStatus(state="offline")
    bridge.handle_message(topics.server_status(), newer_payload(offline))
    assert display.shown == [(5, "1023", False), (5, "1024", True), (5, LED_IDLE, False)]
    assert bridge.ignored == 0


@pytest.mark.parametrize(
    ("topic", "payload"),
    [
        ("qms/v1/hcm-ttphcc/counters/quay-5", b"{not json"),
        ("qms/v1/hcm-ttphcc/counters/quay-5", b'{"v": 1, "site": "hcm-ttphcc"}'),
        ("qms/v1/other-site/counters/quay-5", b"{}"),
        ("qms/v1/hcm-ttphcc/queue", b"{}"),
        ("somebody/else", b"{}"),
        ("qms/v1/hcm-ttphcc/counters/quay-6", snapshot(1, ticket="1").model_dump_json().encode()),
    ],
)
def test_bad_messages_are_logged_and_ignored(topic, payload, caplog):
    display = RecordingDisplay()
    bridge = LedBridge(SITE, display)
    bridge.handle_message(topic, payload)
    assert display.shown == []
    assert bridge.ignored == 1
    assert caplog.records


def test_address_map_area_filter_and_out_of_range_numbers():
    display = RecordingDisplay()
    bridge = LedBridge(SITE, display, addresses={"quay-vip": 200}, area="A")
    topic = topics.counter(SITE, "quay-vip")
    bridge.handle_message(
        topic, snapshot(1, number=1, ticket="7", counter_id="quay-vip").model_dump_json().encode()
    )
    other = snapshot(2, number=3, ticket="8", area="B")
    bridge.handle_message(topics.counter(SITE, "quay-3"), other.model_dump_json().encode())
    far = snapshot(3, number=300, ticket="9")
    bridge.handle_message(topics.counter(SITE, "quay-300"), far.model_dump_json().encode())
    assert display.shown == [(200, "7", False)]
    bridge.handle_message(topic, b"")  # retained state removed: go dark
    assert display.shown[-1] == (200, "", False)


def test_bridge_drives_a_simulated_bus():
    from hardware.bus import LedBus

    sim = LedBusSim()
    bus = LedBus(sim.port_path)
    try:
        bus.start()
        assert bus.wait_connected(5)
        bridge = LedBridge(SITE, bus)
        bridge.apply(snapshot(1))
        bridge.apply(snapshot(2, ticket="1023"))
        bridge.apply(snapshot(3, number=6, ticket="2001"))
        assert wait_until(lambda: sim.panel(5).text == "1023" and sim.panel(6).text == "2001")
        assert wait_until(lambda: sim.panel(5).blinks == 3)
    finally:
        bus.close()
        sim.close()


def test_server_offline_shows_no_number_and_the_republished_state_comes_back():
    from server.contract.messages import ServerStatus

    display = RecordingDisplay()
    bridge = LedBridge(SITE, display)
    topic = topics.counter(SITE, "quay-5")
    bridge.handle_message(topic, snapshot(10, ticket="1023").model_dump_json().encode())
    offline = ServerStatus(state="offline").model_dump_json().encode()
    bridge.handle_message(topics.server_status(), offline)
    assert display.shown[-1] == (5, LED_IDLE, False)
    # an old retained snapshot replayed while the server is down is not shown
    bridge.handle_message(topic, snapshot(10, ticket="1023").model_dump_json().encode())
    assert display.shown[-1] == (5, LED_IDLE, False)
    online = ServerStatus(state="online", at=NOW).model_dump_json().encode()
    bridge.handle_message(topics.server_status(), online)
    # a restarted server may republish with the same seq: it is applied all the same
    bridge.handle_message(topic, snapshot(10, ticket="1023").model_dump_json().encode())
    assert display.shown[-1] == (5, "1023", False)
    bridge.handle_message(topics.server_status(), b"garbage")
    assert bridge.ignored == 1


@pytest.mark.mosquitto
def test_with_a_real_broker(mosquitto):
    import paho.mqtt.publish as publish

    retained = snapshot(1, ticket="1023").model_dump_json()
    publish.single(
        topics.counter(SITE, "quay-5"),
        retained,
        qos=1,
        retain=True,
        hostname=mosquitto.host,
        port=mosquitto.port,
    )
    display = RecordingDisplay()
    mqtt = MqttLedBridge(LedBridge(SITE, display), mosquitto.host, mosquitto.port)
    mqtt.start()
    try:
        assert mqtt.connected.wait(10)
        assert wait_until(lambda: display.shown == [(5, "1023", False)])
        live = snapshot(2, ticket="1024").model_dump_json()
        publish.single(
            topics.counter(SITE, "quay-5"),
            live,
            qos=1,
            retain=True,
            hostname=mosquitto.host,
            port=mosquitto.port,
        )
        assert wait_until(lambda: display.shown[-1:] == [(5, "1024", True)])
    finally:
        mqtt.stop()
