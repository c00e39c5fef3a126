"""The server's MQTT publisher (paho-mqtt 2): retained snapshots and a stream of calls.

One paho client runs its network loop in paho's thread; a second thread takes messages
from an :class:`Outbox` and hands them to paho, so a request thread never waits for the
broker and never sees its failures. While the broker is away messages are dropped (a
call announced minutes late is worse than none); on every (re)connect ``on_connected``
runs (the service's ``republish_all``), which rebuilds every retained snapshot from the
database.
"""

import logging
import secrets
import socket
import ssl
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.reasoncodes import ReasonCode
from pydantic import BaseModel

from server.contract import topics
from server.contract.messages import ServerStatus
from server.messaging.keys import Signer
from server.messaging.outbox import Outbox, Outgoing
from server.messaging.url import BrokerAddress, parse_mqtt_url

log = logging.getLogger(__name__)

QOS = 1


class MqttPublisher:
    """Implements ``server.messaging.publisher.Publisher`` over a real broker."""

    def __init__(
        self,
        url: str,
        *,
        on_connected: Callable[[], None] | None = None,
        version: str = "",
        client_id: str | None = None,
        coalesce: bool = True,
        keepalive_s: int = 30,
        reconnect_max_s: int = 30,
        tls_context: ssl.SSLContext | None = None,
        announce_status: bool = True,
        signer: Signer | None = None,
        ca_file: str | None = None,
    ) -> None:
        """``announce_status``: publish the server's status (online on connect, offline
        on close, the last will). A second connection of the same server (its snapshot
        process) leaves that to the first. ``signer``: sign every payload
        (``server.contract.signing``); the server always passes one. ``ca_file``: a
        private CA for an mqtts:// broker."""
        self.address: BrokerAddress = parse_mqtt_url(url)
        self.on_connected = on_connected
        self._version = version
        self._announce = announce_status
        self._signer = signer
        # This connection's id, in the signed status: a board honours an "offline" only
        # from the connection whose "online" it last believed (a replayed will is not).
        self._conn = ""
        # "online" carries the process's start time: a client that sees it change knows
        # the server restarted (its sequence numbers may have started again).
        self.started_at = signer.booted_at if signer is not None else datetime.now(UTC)
        self._keepalive_s = keepalive_s
        self._outbox = Outbox(coalesce=coalesce)
        self._connected = threading.Event()
        self._republish = threading.Event()
        self._closing = False
        self._started = False
        self._dropped = 0
        self.connects = 0
        """How many times a connection was made (the first one and every reconnect)."""

        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=client_id or f"qms-server-{secrets.token_hex(6)}",
            protocol=mqtt.MQTTv311,
            clean_session=True,
        )
        if self.address.username is not None:
            client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            client.tls_set_context(tls_context or ssl.create_default_context(cafile=ca_file))
        # The will cannot know when the server will die: its ``at`` is left empty. It is
        # set again before every connect, signed for that connection.
        if announce_status:
            self._set_will(client)
            client.on_pre_connect = self._on_pre_connect
        client.reconnect_delay_set(min_delay=1, max_delay=reconnect_max_s)
        # QoS 1 messages in flight before paho waits for acks; a burst of snapshots needs room.
        client.max_inflight_messages_set(200)
        client.on_socket_open = self._on_socket_open
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        self._client = client
        self._worker = threading.Thread(target=self._run, name="mqtt-publisher", daemon=True)

    # ---- life cycle -----------------------------------------------------------

    def start(self) -> None:
        """Connect in the background; returns at once, reconnects by itself forever."""
        if self._started:
            return
        self._started = True
        self._worker.start()
        self._client.connect_async(self.address.host, self.address.port, self._keepalive_s)
        self._client.loop_start()
        log.info("MQTT publisher connecting to %s", self.address.display())

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    @property
    def state(self) -> str:
        """For the health check: connected, disconnected or closed."""
        if self._closing:
            return "closed"
        return "connected" if self._connected.is_set() else "disconnected"

    def close(self, timeout: float = 5.0) -> None:
        """Send what is pending, publish ``offline`` (retained), disconnect cleanly."""
        if self._closing:
            return
        self._closing = True
        self._outbox.close()
        if self._started:
            self._worker.join(timeout)
        if self._connected.is_set() and self._announce:
            try:
                info = self._client.publish(
                    topics.server_status(),
                    self._status("offline", datetime.now(UTC)),
                    qos=QOS,
                    retain=True,
                )
                info.wait_for_publish(timeout)
            except (RuntimeError, ValueError, OSError) as exc:
                log.warning("MQTT: could not publish offline status on close: %s", exc)
        self._client.disconnect()
        self._client.loop_stop()
        self._connected.clear()

    # ---- Publisher --------------------------------------------------------------

    def publish_snapshot(self, topic: str, message: BaseModel) -> None:
        if self._closing:
            log.warning("MQTT publisher closed: snapshot for %s not sent", topic)
            return
        self._outbox.put_snapshot(topic, message)

    def publish_event(self, topic: str, message: BaseModel) -> None:
        if self._closing:
            log.warning("MQTT publisher closed: event for %s not sent", topic)
            return
        self._outbox.put_event(topic, message)

    # ---- internals --------------------------------------------------------------

    def _status(self, state: str, at: datetime | None) -> bytes:
        status = ServerStatus.model_validate({"state": state, "at": at, "version": self._version})
        return self._seal(topics.server_status(), status.model_dump_json().encode())

    def _seal(self, topic: str, body: bytes) -> bytes:
        if self._signer is None:
            return body
        return self._signer.seal(topic, body, conn=self._conn)

    def _set_will(self, client: mqtt.Client) -> None:
        self._conn = secrets.token_hex(8)
        client.will_set(topics.server_status(), self._status("offline", None), qos=QOS, retain=True)

    def _on_pre_connect(self, client: mqtt.Client, _userdata: Any) -> None:
        self._set_will(client)

    def nodelay(self) -> bool:
        """Whether the current socket has TCP_NODELAY set (for tests and diagnostics)."""
        sock = self._client.socket()
        if not isinstance(sock, socket.socket):
            return False
        return bool(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    def _on_socket_open(self, _client: mqtt.Client, _userdata: Any, sock: Any) -> None:
        # paho writes each small packet at once; without NODELAY the kernel may hold one
        # back for ~40 ms waiting for the broker's delayed ACK (Nagle).
        if isinstance(sock, socket.socket):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def _on_connect(
        self,
        client: mqtt.Client,
        _userdata: Any,
        _flags: Any,
        reason: ReasonCode,
        _properties: Any,
    ) -> None:
        if reason.is_failure:
            log.error("MQTT broker %s refused the connection: %s", self.address.display(), reason)
            return
        self.connects += 1
        if self._dropped:
            log.warning("MQTT: back online; %d messages were dropped meanwhile", self._dropped)
            self._dropped = 0
        log.info("MQTT connected to %s", self.address.display())
        if self._announce:
            status = self._status("online", self.started_at)
            client.publish(topics.server_status(), status, qos=QOS, retain=True)
        self._connected.set()
        self._republish.set()
        self._outbox.wake()

    def _on_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: Any,
        _flags: Any,
        reason: ReasonCode,
        _properties: Any,
    ) -> None:
        self._connected.clear()
        if not self._closing:
            log.warning("MQTT connection to %s lost (%s); retrying", self.address.display(), reason)

    def _run(self) -> None:
        while True:
            batch = self._outbox.take(timeout=1.0)
            if self._republish.is_set() and not self._closing:
                self._republish.clear()
                self._call_on_connected()
            for item in batch:
                self._send(item)
            if self._outbox.closed and not len(self._outbox):
                return

    def _call_on_connected(self) -> None:
        if self.on_connected is None:
            return
        try:
            self.on_connected()
        except Exception:
            # The database may be down too; the next reconnect tries again.
            log.exception("MQTT: republishing snapshots after connect failed")

    def _send(self, item: Outgoing) -> None:
        if not self._connected.is_set():
            if not self._dropped:
                log.warning("MQTT broker unreachable: dropping messages until it is back")
            self._dropped += 1
            return
        try:
            payload = self._seal(item.topic, item.message.model_dump_json().encode())
            info = self._client.publish(item.topic, payload, qos=QOS, retain=item.retain)
        except (ValueError, TypeError, OSError) as exc:
            log.error("MQTT: could not publish to %s: %s", item.topic, exc)
            return
        if info.rc != mqtt.MQTT_ERR_SUCCESS:
            self._dropped += 1
            log.debug("MQTT: publish to %s returned %s", item.topic, mqtt.error_string(info.rc))
