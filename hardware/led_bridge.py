"""The LED bridge: follow every counter's retained MQTT state, drive an area's LED bus.

One small process per RS-485 bus. It subscribes to ``counters_all(site)``, decides in
a pure function what each counter's display should show and whether to blink, and
writes only changes. The display address is the counter's number unless a map says
otherwise. A malformed or stale message is logged and ignored; the bus driver resends
everything after a reconnect, so nothing here needs to. When the server goes offline
(its retained status / last will), every display shows ``----``: an unreachable
server's last numbers are not live data.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from appkit.trust import Verifier
from hardware.framing import FrameError
from hardware.ports import LedDisplay
from server.contract import topics
from server.contract.messages import CounterSnapshot, ServerStatus
from server.contract.vocab import CounterState

log = logging.getLogger(__name__)

LED_IDLE = "----"  # open, nobody called yet
LED_PAUSED = "TAM NGHI"  # "tạm nghỉ" as an ASCII panel can show it
LED_CLOSED = ""  # dark


@dataclass(frozen=True, slots=True)
class LedState:
    """What one counter's display shows, and which call it shows (to spot a new one)."""

    seq: int
    text: str
    call: tuple[str, int] | None  # (ticket id, call count) of the ticket on show


@dataclass(frozen=True, slots=True)
class LedUpdate:
    """The decision for one snapshot: the new state, and whether to send/blink."""

    state: LedState
    send: bool
    blink: bool


def decide(snapshot: CounterSnapshot, previous: LedState | None) -> LedUpdate:
    """Pure: what the counter's LED should do for this snapshot.

    Blink when a ticket is called anew (a different ticket, or a recall that raised
    ``call_count``) compared with what this display showed. Without a previous state
    (bridge start, server restart) the call is old news: show it, do not blink.
    """
    counter = snapshot.counter
    current = snapshot.current
    if counter.state is CounterState.CLOSED:
        text = LED_CLOSED
    elif counter.state is CounterState.PAUSED:
        text = LED_PAUSED
    else:
        text = counter.current_ticket or LED_IDLE
    call = (current.id, current.call_count) if current is not None and current.call_count else None
    state = LedState(seq=snapshot.seq, text=text, call=call)
    if previous is None:
        return LedUpdate(state, send=True, blink=False)
    new_call = call is not None and call != previous.call and counter.state is CounterState.OPEN
    return LedUpdate(state, send=new_call or text != previous.text, blink=new_call)


class LedBridge:
    """Counter snapshots in (``handle_message``), LED frames out (``display``)."""

    def __init__(
        self,
        site: str,
        display: LedDisplay,
        *,
        addresses: Mapping[str, int] | None = None,
        area: str | None = None,
        verifier: Verifier | None = None,
    ) -> None:
        """``verifier``: the server's pinned key; every message must be signed with it."""
        self.site = topics.check_slug(site)
        self.verifier = verifier
        self.display = display
        self.addresses = dict(addresses or {})
        self.area = area
        self.states: dict[str, LedState] = {}
        self.seen: dict[str, int] = {}  # counter id -> bus address, of every counter shown
        self.ignored = 0
        self.server_offline = False
        self._lock = threading.Lock()

    def address_of(self, snapshot: CounterSnapshot) -> int | None:
        """The bus address of this counter: mapped, else its number if that fits the bus."""
        counter = snapshot.counter
        address = self.addresses.get(counter.id, counter.number)
        return address if 1 <= address <= 254 else None

    def handle_message(self, topic: str, payload: bytes) -> None:
        """The whole on-message path, callable without a broker (tests do)."""
        if self.verifier is not None and self.verifier.server_key is not None:
            status = topic == topics.server_status()
            model = ServerStatus if status else CounterSnapshot
            checked = self.verifier.accept(topic, payload, model, ordered=not status)
            if checked is None:
                return  # unsigned (an empty "clear" too), badly signed or replayed
            payload = checked
        if topic == topics.server_status():
            self._server_status(payload)
            return
        key = self._counter_key(topic)
        if key is None:
            return
        if not payload:  # retained state cleared: the counter was removed
            self._forget(key)
            return
        snapshot = self._snapshot(topic, key, payload)
        if snapshot is None:
            return
        if self.server_offline:
            log.debug("server offline: snapshot of %s not shown", key)
            return
        if self.area is None or snapshot.counter.area == self.area:
            self.apply(snapshot)

    def _counter_key(self, topic: str) -> str | None:
        """The counter id of one of our site's counter topics; None (logged) otherwise."""
        try:
            site, kind, key = topics.parse(topic)
        except ValueError:
            self._ignore("not a qms topic: %s", topic)
            return None
        if site != self.site or kind != "counters" or key is None:
            self._ignore("not one of our counters: %s", topic)
            return None
        return key

    def _snapshot(self, topic: str, key: str, payload: bytes) -> CounterSnapshot | None:
        try:
            snapshot = CounterSnapshot.model_validate_json(payload)
        except ValidationError as exc:
            self._ignore("malformed counter snapshot on %s: %s", topic, exc.errors()[:1])
            return None
        if snapshot.site != self.site or snapshot.counter.id != key:
            self._ignore("snapshot of %s/%s on %s", snapshot.site, snapshot.counter.id, topic)
            return None
        return snapshot

    def apply(self, snapshot: CounterSnapshot) -> None:
        address = self.address_of(snapshot)
        if address is None:
            self._ignore("counter %s has no bus address", snapshot.counter.id)
            return
        with self._lock:
            previous = self.states.get(snapshot.counter.id)
            if previous is not None and snapshot.seq <= previous.seq:
                log.debug("stale snapshot seq %s for %s", snapshot.seq, snapshot.counter.id)
                return
            update = decide(snapshot, previous)
            self.states[snapshot.counter.id] = update.state
            self.seen[snapshot.counter.id] = address
        if update.send:
            self._show(address, update.state.text, update.blink)

    def _show(self, address: int, text: str, blink: bool) -> None:
        try:
            self.display.show(address, text, blink=blink)
        except FrameError as exc:
            log.warning("LED %s cannot show %r: %s", address, text, exc)

    def _forget(self, counter_id: str) -> None:
        with self._lock:
            self.states.pop(counter_id, None)
            address = self.seen.pop(counter_id, None)
        if address is not None:
            self._show(address, LED_CLOSED, False)

    def _server_status(self, payload: bytes) -> None:
        """Server gone: show "no number" rather than a number nobody will call.

        The states are forgotten too, so the snapshots the server republishes when it
        comes back are all applied, whatever their ``seq``; until then, snapshots (a
        broker replaying old retained ones) are not shown.
        """
        try:
            status = ServerStatus.model_validate_json(payload)
        except ValidationError as exc:
            self._ignore("malformed server status: %s", exc.errors()[:1])
            return
        self.server_offline = status.state == "offline"
        if not self.server_offline:
            return
        with self._lock:
            addresses = sorted(set(self.seen.values()))
            self.states.clear()
        log.warning("server offline: LED displays show %s", LED_IDLE)
        for address in addresses:
            self._show(address, LED_IDLE, False)

    def _ignore(self, message: str, *args: Any) -> None:
        self.ignored += 1
        log.warning(message, *args)


class MqttLedBridge:
    """``LedBridge`` fed by paho-mqtt 2: subscribes on every (re)connect."""

    def __init__(
        self,
        bridge: LedBridge,
        host: str,
        port: int = 1883,
        *,
        username: str | None = None,
        password: str | None = None,
        tls: bool = False,
        ca_file: str | None = None,
    ) -> None:
        from paho.mqtt.client import Client
        from paho.mqtt.enums import CallbackAPIVersion

        self.bridge = bridge
        self.host, self.port = host, port
        self.client = Client(
            callback_api_version=CallbackAPIVersion.VERSION2,
            client_id=f"qms-led-{bridge.site}-{uuid.uuid4().hex[:8]}",
        )
        if username:
            self.client.username_pw_set(username, password)
        if tls:
            self.client.tls_set(ca_certs=ca_file)
        self.client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client.on_connect = self._on_connect
        self.client.on_message = self._on_message
        self.connected = threading.Event()

    def _on_connect(self, client: Any, userdata: Any, flags: Any, reason: Any, props: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.warning("MQTT connect to %s:%s refused: %s", self.host, self.port, reason)
            return
        client.subscribe([(topics.counters_all(self.bridge.site), 1), (topics.server_status(), 1)])
        self.connected.set()
        log.info("LED bridge following %s", topics.counters_all(self.bridge.site))

    def _on_message(self, client: Any, userdata: Any, message: Any) -> None:
        try:
            self.bridge.handle_message(message.topic, message.payload)
        except Exception:  # never let one message kill paho's network thread
            log.exception("LED bridge failed on %s", message.topic)

    def start(self) -> None:
        self.client.connect_async(self.host, self.port, keepalive=30)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
