"""The load: HTTP clients issuing tickets and calling, and an MQTT subscriber timing
when each call shows on a hall display."""

import http.client
import json
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from server.contract import topics


@dataclass
class Sample:
    """One HTTP request: when it started, how long it took, what came back."""

    started: float
    seconds: float
    status: int
    body: dict[str, Any] = field(default_factory=dict)


@dataclass
class PhaseResult:
    name: str
    samples: list[Sample]
    wall_s: float

    def with_status(self, status: int) -> list[Sample]:
        return [s for s in self.samples if s.status == status]


class Api:
    """A keep-alive HTTP/1.1 connection for one thread. The standard library's client
    costs about a third of httpx's CPU per request (0.24 against 0.73 ms here), and the
    load generator shares the machine's two cores with the server it measures."""

    def __init__(self, base_url: str, token: str) -> None:
        url = urlsplit(base_url)
        self._host, self._port = url.hostname or "127.0.0.1", url.port or 80
        self._prefix = f"{url.path.rstrip('/')}/api/v1"
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self._conn = http.client.HTTPConnection(self._host, self._port, timeout=30.0)

    def post(self, path: str, json_body: dict[str, Any] | None = None) -> Sample:
        headers = {**self._headers, "Idempotency-Key": uuid.uuid4().hex}
        payload = json.dumps(json_body).encode() if json_body is not None else b""
        start = time.perf_counter()
        try:
            self._conn.request("POST", self._prefix + path, body=payload, headers=headers)
            response = self._conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self._conn.close()  # reconnects on the next request
            return Sample(start, time.perf_counter() - start, 0)
        seconds = time.perf_counter() - start
        try:
            body = json.loads(data)
        except ValueError:
            body = {}
        return Sample(start, seconds, response.status, body if isinstance(body, dict) else {})

    def close(self) -> None:
        self._conn.close()


def login(base_url: str, username: str, password: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/login",
        json={"username": username, "password": password},
        timeout=30,
    )
    response.raise_for_status()
    return str(response.json()["token"])


Request = Callable[[Api, int], Sample]


def run_phase(
    name: str, clients: Sequence[Api], total: int, request: Request, *, pace_s: float = 0.0
) -> PhaseResult:
    """``total`` requests shared by one thread per client; ``request(api, i)`` makes the
    i-th. With ``pace_s`` each thread waits that long between its requests' starts."""
    lock = threading.Lock()
    next_index = iter(range(total))
    samples: list[Sample] = []
    barrier = threading.Barrier(len(clients) + 1)

    def worker(api: Api) -> None:
        mine: list[Sample] = []
        barrier.wait()
        slot = time.perf_counter()
        while True:
            with lock:
                i = next(next_index, None)
            if i is None:
                break
            if pace_s:
                slot += pace_s
                delay = slot - time.perf_counter()
                if delay > 0:
                    time.sleep(delay)
            mine.append(request(api, i))
        with lock:
            samples.extend(mine)

    threads = [threading.Thread(target=worker, args=(api,), daemon=True) for api in clients]
    for thread in threads:
        thread.start()
    barrier.wait()
    start = time.perf_counter()
    for thread in threads:
        thread.join()
    return PhaseResult(name, samples, time.perf_counter() - start)


class DisplayWatcher:
    """Subscribes to every display board and to the call stream of a site and notes when
    each call was first seen: by ``call_id`` (calling/recent), by (counter, number) in
    the counters' list, and as a CallEvent."""

    def __init__(
        self, host: str, port: int, site: str, credentials: tuple[str, str] | None = None
    ) -> None:
        """``credentials``: a display's id and token (the embedded broker refuses strangers)."""
        self.display_seen: dict[str, float] = {}
        self.current_seen: dict[tuple[str, str], float] = {}
        self.event_seen: dict[str, float] = {}
        self.snapshots = 0
        self._lock = threading.Lock()
        self._ready = threading.Event()
        self._site = site
        client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        if credentials is not None:
            client.username_pw_set(*credentials)
        client.on_connect = lambda c, *_a: c.subscribe(
            [(topics.display_all(site), 1), (topics.calls(site), 1)]
        )
        client.on_subscribe = lambda *_a: self._ready.set()
        client.on_message = self._on_message
        client.connect(host, port, keepalive=30)
        client.loop_start()
        self._client = client
        if not self._ready.wait(10):
            raise RuntimeError("could not subscribe to the display topics")

    def _on_message(self, _client: mqtt.Client, _userdata: Any, msg: mqtt.MQTTMessage) -> None:
        now = time.perf_counter()
        data = json.loads(msg.payload)
        with self._lock:
            if msg.topic == topics.calls(self._site):
                self.event_seen.setdefault(data["call"]["call_id"], now)
                return
            self.snapshots += 1
            calls = [data.get("calling"), *list(data.get("recent") or [])]
            for call in calls:
                if call:
                    self.display_seen.setdefault(call["call_id"], now)
            for counter in data.get("counters") or []:
                if counter.get("current_ticket"):
                    key = (counter["id"], counter["current_ticket"])
                    self.current_seen.setdefault(key, now)

    def first_seen(self, call_id: str, counter: str, number: str) -> float | None:
        with self._lock:
            times = [self.display_seen.get(call_id), self.current_seen.get((counter, number))]
        found = [t for t in times if t is not None]
        return min(found) if found else None

    def event_time(self, call_id: str) -> float | None:
        with self._lock:
            return self.event_seen.get(call_id)

    def close(self) -> None:
        self._client.disconnect()
        self._client.loop_stop()
