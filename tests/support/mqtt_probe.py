"""A paho subscriber that records what arrives, for tests that check what was published."""

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


@dataclass(frozen=True)
class Received:
    topic: str
    payload: bytes
    retain: bool
    at: float  # time.perf_counter() on arrival

    def json(self) -> Any:
        return json.loads(self.payload)


class MqttProbe:
    """Subscribe to ``topics`` on ``host:port``; ``wait_for`` returns the first match."""

    def __init__(
        self,
        host: str,
        port: int,
        *topics: str,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        """``username``/``password``: a device's id and token on the embedded broker."""
        self.messages: list[Received] = []
        self._returned: set[int] = set()
        self._subscribed = threading.Event()
        self._cond = threading.Condition()
        self._topics = topics
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        if username is not None:
            client.username_pw_set(username, password)
        client.on_connect = self._on_connect
        client.on_subscribe = lambda *_args: self._subscribed.set()
        client.on_message = self._on_message
        client.connect(host, port, keepalive=30)
        client.loop_start()
        self._client = client
        if not self._subscribed.wait(10):
            self.close()
            raise RuntimeError(f"probe could not subscribe on {host}:{port}")

    def _on_connect(self, client: mqtt.Client, *_args: Any) -> None:
        client.subscribe([(t, 1) for t in self._topics])

    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        item = Received(msg.topic, bytes(msg.payload), bool(msg.retain), time.perf_counter())
        with self._cond:
            self.messages.append(item)
            self._cond.notify_all()

    def wait_for(
        self, match: Callable[[Received], bool] = lambda _r: True, timeout: float = 10.0
    ) -> Received:
        """The earliest received message that matches and that no earlier call returned;
        AssertionError after ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for index, item in enumerate(self.messages):
                    if index not in self._returned and match(item):
                        self._returned.add(index)
                        return item
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching MQTT message within {timeout} s")
                self._cond.wait(left)

    def on_topic(self, topic: str) -> list[Received]:
        with self._cond:
            return [m for m in self.messages if m.topic == topic]

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
