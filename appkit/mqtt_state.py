"""The apps' MQTT subscriber: retained state in, parsed contract models out.

Used by the display board, the kiosk, the counter app and the headless LED bridge,
so it has no Qt in it: parsed messages and connection changes leave through plain
callbacks, called on paho's network thread. A GUI wraps them in Qt signals (see
``appkit.live``) so they reach its objects on the GUI thread.

Freshness (the contract: every snapshot carries its site's ``seq``)
--------------------------------------------------------------------
For each concrete topic of an *ordered* subscription we keep the last ``seq``
accepted, and drop a message whose ``seq`` is not higher (a duplicate, or a stale
snapshot overtaken by a newer one). A lower ``seq`` is accepted anyway in two
cases, both meaning "the server's sequence started again", not "this is old":

1. the server came back: a retained ``ServerStatus`` "online" with a new ``at``
   arrived since the topic's last accepted message (a new server epoch);
2. the message's ``generated_at`` is more than ``reset_grace`` newer than that of
   the last accepted message, for readers not allowed to see the status topic.

Call events are a stream, not state: subscribe to them with ``ordered=False``
and de-duplicate by ``call_id``, because two server processes may publish their
calls slightly out of ``seq`` order and dropping one would lose an announcement.

Trust: given the server's pinned key, a message is used only once
:class:`appkit.trust.Verifier` has checked its signature and that it is not a replay,
before the freshness rule, so a message that fails never moves a ``seq`` high-water
mark (the rules in ``appkit/trust.py`` and docs/protocol.md).

Robustness: a payload that is not valid JSON or not the expected model is logged
and ignored; an exception in a callback is logged, never raised into paho's
thread (it would kill the network loop). paho reconnects by itself with an
exponential backoff from ``min_backoff_s`` (plus 0-2 s of jitter) up to ``max_backoff_s``; every
(re)connect subscribes again, and the broker then sends the retained snapshots
at once, so the app catches up without asking.
"""

from __future__ import annotations

import logging
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from pydantic import BaseModel, ValidationError

from appkit.trust import Verifier
from server.contract import topics
from server.contract.messages import ServerStatus
from server.contract.redaction import redact
from server.contract.signing import ServerKey

if TYPE_CHECKING:
    import paho.mqtt.client as mqtt

log = logging.getLogger(__name__)

MessageCallback = Callable[[str, BaseModel], None]
ConnectionCallback = Callable[["ConnectionState"], None]
Clock = Callable[[], datetime]

DEFAULT_PORT = 1883
DEFAULT_TLS_PORT = 8883


@dataclass(frozen=True, slots=True)
class BrokerAddress:
    """Where to connect, parsed from ``mqtt://[user[:password]@]host[:port]``."""

    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    @classmethod
    def from_url(cls, url: str) -> BrokerAddress:
        parts = urlsplit(url)
        shown = redact(url)
        if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
            raise ValueError(f"not an MQTT URL (want mqtt://host:port): {shown!r}")
        if not parts.hostname:
            raise ValueError(f"no host in MQTT URL: {shown!r}")
        tls = parts.scheme in ("mqtts", "ssl")
        try:
            port = parts.port or (DEFAULT_TLS_PORT if tls else DEFAULT_PORT)
        except ValueError:
            raise ValueError(f"bad port in MQTT URL {shown!r}") from None
        return cls(
            host=parts.hostname,
            port=port,
            tls=tls,
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


@dataclass(frozen=True, slots=True)
class Subscription:
    """One topic filter (wildcards allowed) and the contract model of its payloads."""

    topic: str
    model: type[BaseModel]
    ordered: bool = True  # apply the seq rule; False for event streams


@dataclass(frozen=True, slots=True)
class ConnectionState:
    """A change of the link to the broker: connected, or lost (``since`` = when)."""

    connected: bool
    since: datetime
    detail: str = ""


@dataclass(slots=True)
class _Seen:
    seq: int
    generated_at: datetime | None
    epoch: int


class SeqGate:
    """The freshness rule of the module docstring, per key (a topic), thread-safe.

    Pure, so a view-model can apply the very same rule to what it is given.
    """

    def __init__(self, reset_grace: timedelta = timedelta(minutes=2)) -> None:
        self._reset_grace = reset_grace
        self._lock = threading.Lock()
        self._seen: dict[str, _Seen] = {}
        self._epoch = 0
        self._server_at: datetime | None = None

    def note_server_status(self, status: ServerStatus) -> None:
        """An "online" status with a new ``at`` starts a new server epoch."""
        with self._lock:
            if status.state == "online" and status.at != self._server_at:
                self._server_at = status.at
                self._epoch += 1

    def admit(self, key: str, message: BaseModel) -> bool:
        """True if ``message`` is newer than the last admitted one for ``key``."""
        seq = getattr(message, "seq", None)
        if not isinstance(seq, int):
            return True
        generated_at = getattr(message, "generated_at", None)
        if not isinstance(generated_at, datetime):
            generated_at = None
        with self._lock:
            last = self._seen.get(key)
            fresh = last is None or seq > last.seq
            if not fresh and last is not None and seq < last.seq:
                restarted = self._epoch != last.epoch
                much_newer = (
                    generated_at is not None
                    and last.generated_at is not None
                    and generated_at - last.generated_at > self._reset_grace
                )
                if restarted or much_newer:
                    log.info(
                        "accepting seq %d after %d on %s: the server's sequence restarted",
                        seq,
                        last.seq,
                        key,
                    )
                    fresh = True
            if fresh:
                self._seen[key] = _Seen(seq, generated_at, self._epoch)
            else:
                log.debug("dropping seq %d on %s (have %d)", seq, key, last.seq if last else -1)
            return fresh


def _utcnow() -> datetime:
    return datetime.now(UTC)


class StateSubscriber:
    """Subscribe to contract topics and deliver fresh, parsed messages.

    ``on_message(topic, model)`` and ``on_connection(state)`` run on paho's thread
    (or on the caller's thread for :meth:`feed`). ``ServerStatus`` messages are
    always followed (they mark server restarts) and delivered too.
    """

    def __init__(
        self,
        url: str,
        subscriptions: Sequence[Subscription],
        on_message: MessageCallback,
        on_connection: ConnectionCallback | None = None,
        *,
        client_id: str | None = None,
        keepalive_s: int = 15,
        min_backoff_s: int = 1,
        max_backoff_s: int = 30,
        reset_grace: timedelta = timedelta(minutes=2),
        clock: Clock = _utcnow,
        server_key: ServerKey | None = None,
        ca_file: str | None = None,
        credentials: tuple[str, str] | None = None,
    ) -> None:
        """``server_key``: the pinned key every message must be signed with (None: no
        checks, for tools and tests). ``ca_file``: a private CA for mqtts://.
        ``credentials``: user name and password when the URL names none."""
        self.address = BrokerAddress.from_url(url)
        if credentials is not None and self.address.username is None:
            self.address = replace(self.address, username=credentials[0], password=credentials[1])
        self.verifier = Verifier(server_key)
        self._ca_file = ca_file
        status = Subscription(topics.server_status(), ServerStatus, ordered=False)
        subs = list(subscriptions)
        if not any(s.topic == status.topic for s in subs):
            subs.append(status)
        self.subscriptions: tuple[Subscription, ...] = tuple(subs)
        self._on_message = on_message
        self._on_connection = on_connection
        self._client_id = client_id or f"qms-app-{uuid.uuid4().hex[:12]}"
        self._keepalive_s = keepalive_s
        self._min_backoff_s = max(1, min_backoff_s)
        self._max_backoff_s = max(self._min_backoff_s, max_backoff_s)
        self._gate = SeqGate(reset_grace)
        self._clock = clock
        self._lock = threading.Lock()
        self._connected: bool | None = None  # None until the first attempt ends
        self._stopping = False
        self._client: mqtt.Client | None = None
        self.dropped_stale = 0
        self.dropped_malformed = 0

    # ---- life cycle -------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return bool(self._connected)

    @property
    def server_key(self) -> ServerKey | None:
        return self.verifier.server_key

    @property
    def dropped_unverified(self) -> int:
        """Unsigned, badly signed or replayed messages dropped so far."""
        return self.verifier.dropped

    def start(self) -> None:
        """Connect in the background; returns at once, retries until :meth:`stop`."""
        import paho.mqtt.client as mqtt
        from paho.mqtt.enums import CallbackAPIVersion

        client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self._client_id,
            clean_session=True,
        )
        if self.address.username is not None:
            client.username_pw_set(self.address.username, self.address.password)
        if self.address.tls:
            client.tls_set(ca_certs=self._ca_file)
        if self.server_key is None:
            log.warning(
                "no server key pinned: MQTT messages are NOT verified (anyone who can "
                "publish on the broker can change what this app shows); see docs/protocol.md"
            )
        # A little jitter, so a thousand boards do not all return in the same second
        # after a broker restart.
        first = random.randint(self._min_backoff_s, self._min_backoff_s + 2)
        client.reconnect_delay_set(first, max(first, self._max_backoff_s))
        client.on_connect = self._paho_connect
        client.on_disconnect = self._paho_disconnect
        client.on_connect_fail = self._paho_connect_fail
        client.on_message = self._paho_message
        self._client = client
        self._stopping = False
        client.connect_async(self.address.host, self.address.port, keepalive=self._keepalive_s)
        client.loop_start()

    def stop(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        self._stopping = True
        client.disconnect()
        client.loop_stop()

    # ---- the message path -------------------------------------------------------

    def feed(self, topic: str, payload: bytes) -> BaseModel | None:
        """Handle one incoming message exactly as paho's thread does.

        Returns the delivered model, or None when it was dropped. Tests use it to
        push messages through the real path without a broker.
        """
        try:
            return self._handle(topic, payload)
        except Exception:  # never let anything escape into paho's thread
            log.exception("error while handling a message on %s", topic)
            return None

    def _handle(self, topic: str, payload: bytes) -> BaseModel | None:
        sub = self._match(topic)
        if sub is None:
            log.debug("ignoring a message on unexpected topic %s", topic)
            return None
        if not payload:
            # An empty retained payload clears the topic; nothing to show for it.
            log.info("retained state cleared on %s", topic)
            return None
        message = self._trusted(sub, topic, payload)
        if message is None:
            return None
        if isinstance(message, ServerStatus):
            self._gate.note_server_status(message)
        if sub.ordered and not self._gate.admit(topic, message):
            self.dropped_stale += 1
            return None
        self._deliver(topic, message)
        return message

    def _trusted(self, sub: Subscription, topic: str, payload: bytes) -> BaseModel | None:
        """The parsed message if it is signed, well-formed and not replayed (else None,
        logged): checked before the freshness rule, so it never moves a ``seq`` mark."""
        opened = self.verifier.open(topic, payload)
        if opened is None:
            return None
        origin, body = opened
        try:
            message = sub.model.model_validate_json(body)
        except ValidationError as exc:
            self.dropped_malformed += 1
            log.warning(
                "ignoring a malformed message on %s (%d bytes): %s",
                topic,
                len(body),
                _short_error(exc),
            )
            return None
        if not self.verifier.check(topic, origin, message, ordered=sub.ordered):
            return None
        return message

    def _match(self, topic: str) -> Subscription | None:
        from paho.mqtt.client import topic_matches_sub

        for sub in self.subscriptions:
            if topic_matches_sub(sub.topic, topic):
                return sub
        return None

    def _deliver(self, topic: str, message: BaseModel) -> None:
        try:
            self._on_message(topic, message)
        except Exception:
            log.exception("the message callback failed for %s", topic)

    def _set_connected(self, connected: bool, detail: str) -> None:
        with self._lock:
            if connected == self._connected:
                return
            self._connected = connected
        state = ConnectionState(connected=connected, since=self._clock(), detail=detail)
        if connected:
            log.info("connected to MQTT broker %s:%d", self.address.host, self.address.port)
        elif self._stopping:
            log.info("disconnected from MQTT broker %s", self.address.host)
        else:
            log.warning("lost the MQTT broker %s: %s", self.address.host, detail)
        if self._on_connection is not None:
            try:
                self._on_connection(state)
            except Exception:
                log.exception("the connection callback failed")

    # ---- paho callbacks (VERSION2 signatures) -----------------------------------

    def _paho_connect(
        self,
        client: mqtt.Client,
        _userdata: Any,
        _flags: Any,
        reason_code: Any,
        _properties: Any,
    ) -> None:
        if getattr(reason_code, "is_failure", False):
            log.warning("the MQTT broker refused the connection: %s", reason_code)
            self._set_connected(False, f"refused: {reason_code}")
            return
        client.subscribe([(s.topic, 1) for s in self.subscriptions])
        self._set_connected(True, "")

    def _paho_disconnect(
        self,
        _client: mqtt.Client,
        _userdata: Any,
        _flags: Any,
        reason_code: Any,
        _properties: Any,
    ) -> None:
        self._set_connected(False, str(reason_code))

    def _paho_connect_fail(self, _client: mqtt.Client, _userdata: Any) -> None:
        log.debug("MQTT connect to %s:%d failed", self.address.host, self.address.port)
        self._set_connected(False, "broker unreachable")

    def _paho_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self.feed(msg.topic, bytes(msg.payload))


def _short_error(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False)
    if not errors:
        return str(exc)
    first = errors[0]
    where = ".".join(str(p) for p in first["loc"]) or "payload"
    return f"{exc.error_count()} error(s), first at {where}: {first['msg']}"
