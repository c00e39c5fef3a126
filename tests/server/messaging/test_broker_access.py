"""The embedded broker refuses strangers, keeps devices to their own site and read-only,
never moves port silently; and no broker password reaches a log line (issue 14)."""

import logging
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode

from server.config import Settings
from server.contract import topics
from server.contract.redaction import RedactingFilter, redact
from server.messaging.broker import PortTaken
from server.messaging.url import parse_mqtt_url
from server.runtime import Runtime
from server.storage.seeding import seed_demo
from tests.support.live_server import LiveServer
from tests.support.mosquitto import Mosquitto
from tests.support.mqtt_probe import MqttProbe

SITE = "hcm-main"


class Client:
    """A paho client that records its CONNACK, SUBACKs and messages."""

    def __init__(self, port: int, username: str | None, password: str | None) -> None:
        self.connack: ReasonCode | None = None
        self.subacks: list[list[ReasonCode]] = []
        self.messages: list[tuple[str, bytes]] = []
        self.answered = threading.Event()
        self.subscribed = threading.Event()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        if username is not None:
            client.username_pw_set(username, password)
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_message = lambda _c, _u, m: self.messages.append((m.topic, bytes(m.payload)))
        client.connect("127.0.0.1", port)
        client.loop_start()
        self.client = client
        assert self.answered.wait(15), "no CONNACK"

    def _on_connect(self, _c, _u, _flags, reason: ReasonCode, _props) -> None:
        if self.connack is None:
            self.connack = reason
        self.answered.set()

    def _on_subscribe(self, _c, _u, _mid, reasons: list[ReasonCode], _props) -> None:
        self.subacks.append(reasons)
        self.subscribed.set()

    def subscribe(self, *filters: str) -> list[ReasonCode]:
        self.subscribed.clear()
        self.client.subscribe([(f, 1) for f in filters])
        assert self.subscribed.wait(15), "no SUBACK"
        return self.subacks[-1]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def test_an_anonymous_client_and_a_wrong_token_are_refused(live_server: LiveServer) -> None:
    for username, password in ((None, None), (live_server.display_id, "not-the-token")):
        client = Client(live_server.mqtt_port, username, password)
        try:
            assert client.connack is not None and client.connack.is_failure
        finally:
            client.close()


def test_a_display_reads_its_own_site_only_and_publishes_nothing(
    live_server: LiveServer,
) -> None:
    display = Client(live_server.mqtt_port, **live_server.credentials())
    try:
        assert display.connack is not None and not display.connack.is_failure
        granted = display.subscribe(topics.display(SITE, "A"), topics.server_status())
        assert not any(r.is_failure for r in granted)
        refused = display.subscribe(
            topics.display("hcm-other", "A"), "qms/v1/+/display/A", "qms/v1/#", "#"
        )
        assert all(r.is_failure for r in refused)
        # Its publish under qms/v1/ never reaches anyone (nor the retained store).
        probe = MqttProbe(
            "127.0.0.1",
            live_server.mqtt_port,
            topics.display(SITE, "A1"),
            **live_server.credentials(),
        )
        try:
            real = probe.wait_for(timeout=15)
            fake = b'{"fake": true}'
            info = display.client.publish(topics.display(SITE, "A1"), fake, 1, True)
            info.wait_for_publish(10)
            # A later real snapshot arrives; the fake never did.
            _call(live_server)
            probe.wait_for(lambda r: r.payload != real.payload, timeout=15)
            assert all(r.payload != fake for r in probe.messages)
        finally:
            probe.close()
        late = Client(live_server.mqtt_port, **live_server.credentials())
        try:
            late.subscribe(topics.display(SITE, "A1"))
            deadline = time.monotonic() + 15
            while not late.messages and time.monotonic() < deadline:
                time.sleep(0.05)
            assert late.messages, "no retained snapshot for a late subscriber"
            assert all(payload != b'{"fake": true}' for _t, payload in late.messages)
        finally:
            late.close()
    finally:
        display.close()


def _call(live_server: LiveServer) -> None:
    """Change zone A1's board for real: a ticket issued there (its waiting count)."""
    menu = httpx.get(f"{live_server.base_url}/api/v1/sites/{SITE}/services", timeout=10).json()
    service = next(
        s["code"]
        for d in menu["departments"]
        for s in d["services"]
        if s.get("area") == "A1" and s.get("open")
    )
    headers = {
        "Authorization": f"Bearer {live_server.kiosk_token}",
        "Idempotency-Key": uuid.uuid4().hex,
    }
    url = f"{live_server.base_url}/api/v1/sites/{SITE}/tickets"
    reply = httpx.post(url, json={"service": service}, headers=headers, timeout=10)
    assert reply.status_code == 201, reply.text


def test_a_taken_broker_port_fails_with_a_clear_message(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(data_dir=tmp_path / "var", http="127.0.0.1:0", embedded_mqtt_port=port)
        runtime = Runtime(settings)
        with pytest.raises(PortTaken, match=f"cannot listen on 127.0.0.1:{port}.*another broker"):
            runtime.start()


@pytest.mark.mosquitto
def test_no_broker_password_in_any_log_line(
    tmp_path: Path, mosquitto: Mosquitto, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    data_dir = tmp_path / "var"
    secret = "s3cret-broker-pw"
    url = f"mqtt://qms-server:{secret}@127.0.0.1:{mosquitto.port}"
    settings = Settings(data_dir=data_dir, mqtt=url, http="127.0.0.1:0")
    seed_demo(settings.db_url, data_dir, now=datetime.now(UTC), always_open=True)
    runtime = Runtime(settings)
    runtime.start()
    try:
        assert runtime.signer is not None
        mosquitto.stop()  # a lost broker is logged with its address
        mosquitto.start()
    finally:
        runtime.stop()
    embedded = Runtime(Settings(data_dir=tmp_path / "embedded", http="127.0.0.1:0"))
    embedded.start()
    try:
        embedded_password = embedded.mqtt_url.split(":")[2].split("@")[0]
        assert len(embedded_password) > 16
    finally:
        embedded.stop()
    assert "MQTT" in caplog.text
    assert secret not in caplog.text
    assert embedded_password not in caplog.text
    with pytest.raises(ValueError, match="bad port") as bad:
        parse_mqtt_url(f"mqtts://qms-server:{secret}@host:bad")
    assert secret not in str(bad.value)


def test_the_log_filter_masks_what_slipped_through() -> None:
    record = logging.LogRecord(
        "x", logging.ERROR, __file__, 1, "connect to %s failed", ("mqtts://u:pw9@h:8883",), None
    )
    RedactingFilter().filter(record)
    assert record.getMessage() == "connect to mqtts://u:***@h:8883 failed"
    assert redact("Authorization: Bearer abcdefghij123") == "Authorization: Bearer ***"
    assert redact("mqtt://host:1883") == "mqtt://host:1883"


def test_qms_server_stops_with_a_clear_message_when_1883_is_taken(tmp_path: Path, capsys) -> None:
    from qms.cli import main

    holder: socket.socket | None = socket.socket()
    try:
        holder.bind(("127.0.0.1", 1883))
        holder.listen()
    except OSError:  # another broker already has it: just as taken
        holder.close()
        holder = None
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        http_port = probe.getsockname()[1]
    try:
        argv = ["server", "--data-dir", str(tmp_path / "var"), "--http", f"127.0.0.1:{http_port}"]
        assert main(argv) == 2
    finally:
        if holder is not None:
            holder.close()
    err = capsys.readouterr().err
    assert "cannot listen on 127.0.0.1:1883" in err and "another broker" in err
