"""Which MQTT messages an app may trust: the server's signature and the replay rules.

Given the server's pinned key, a message is used only when the server signed it for
the topic it came on (``server.contract.signing``), and :class:`ReplayGate` drops a
genuine message replayed out of its time: one signed before the newest server start
seen, an "online" status not newer than the last, an "offline" of another connection
than the last "online" announced, a call event older than the newest one of its topic
by more than :data:`EVENT_WINDOW`. ``appkit.mqtt_state.StateSubscriber`` applies this
before its freshness rule, so a message that fails never moves a ``seq`` high-water
mark. A dropped message is logged once per topic kind and reason, then counted.
Without a key (tools, tests) nothing is checked, and the subscriber says so loudly.
The rules: docs/protocol.md.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta

from pydantic import BaseModel, ValidationError

from server.contract import topics
from server.contract.messages import ServerStatus
from server.contract.signing import Origin, ServerKey, Unverified, open_sealed

log = logging.getLogger(__name__)

# How much older than the newest call event of its topic a call event may be: two
# server processes publish slightly out of order; an older one is a replay.
EVENT_WINDOW = timedelta(seconds=60)


class ReplayGate:
    """The replay rules of the module docstring, over verified origins; thread-safe."""

    def __init__(self, event_window: timedelta = EVENT_WINDOW) -> None:
        self._event_window = event_window
        self._lock = threading.Lock()
        self._newest_boot: datetime | None = None
        self._status_at: datetime | None = None
        self._conn: str | None = None
        self._events: dict[str, datetime] = {}

    def check(self, topic: str, origin: Origin, message: BaseModel, *, ordered: bool) -> str:
        """Why ``message`` must be dropped, or "" to use it (then it is remembered)."""
        with self._lock:
            if self._newest_boot is not None and origin.at < self._newest_boot:
                return "replayed: signed before the server's latest start"
            if isinstance(message, ServerStatus):
                if message.state == "online":
                    if self._status_at is not None and origin.at <= self._status_at:
                        return "replayed: an older server status"
                    self._status_at, self._conn = origin.at, origin.conn
                elif self._conn is not None and origin.conn != self._conn:
                    return "replayed: the offline status of an earlier connection"
            elif not ordered:
                newest = self._events.get(topic)
                if newest is not None and origin.at < newest - self._event_window:
                    return "replayed: an old event"
                if newest is None or origin.at > newest:
                    self._events[topic] = origin.at
            if self._newest_boot is None or origin.booted_at > self._newest_boot:
                self._newest_boot = origin.booted_at
            return ""


class Verifier:
    """Signature and replay checks of one app's MQTT input, with the once-per-kind log.

    ``StateSubscriber`` uses it; so does the LED bridge, which reads paho itself.
    """

    def __init__(self, server_key: ServerKey | None) -> None:
        self.server_key = server_key
        self._replay = ReplayGate()
        self._lock = threading.Lock()
        self._told: set[tuple[str, str]] = set()
        self.dropped = 0

    def open(self, topic: str, payload: bytes) -> tuple[Origin | None, bytes] | None:
        """The signed JSON of a payload the key verifies, None to drop it; without a
        key, the payload as it came (origin None)."""
        if self.server_key is None:
            return None, payload
        try:
            return open_sealed(self.server_key, topic, payload)
        except Unverified as exc:
            self.drop(topic, exc.reason)
            return None

    def check(
        self, topic: str, origin: Origin | None, message: BaseModel, *, ordered: bool
    ) -> bool:
        """False (and logged) for a genuine message replayed out of its time."""
        if origin is None:
            return True
        reason = self._replay.check(topic, origin, message, ordered=ordered)
        if reason:
            self.drop(topic, reason)
            return False
        return True

    def accept(
        self, topic: str, payload: bytes, model: type[BaseModel], *, ordered: bool
    ) -> bytes | None:
        """Both steps for a reader that parses the payload itself: the JSON to parse,
        or None to drop it. A payload that is not a ``model`` is left to the reader."""
        opened = self.open(topic, payload)
        if opened is None:
            return None
        origin, body = opened
        try:
            message = model.model_validate_json(body)
        except ValidationError:
            return body
        return body if self.check(topic, origin, message, ordered=ordered) else None

    def drop(self, topic: str, reason: str) -> None:
        """Count it; log it once per topic kind and reason (a flood must not flood the log)."""
        try:
            kind = topics.parse(topic)[1]
        except ValueError:
            kind = topic
        with self._lock:
            self.dropped += 1
            first = (kind, reason) not in self._told
            self._told.add((kind, reason))
        if first:
            log.warning(
                "dropping a message on %s: %s (further ones of this kind are dropped quietly)",
                topic,
                reason,
            )
