"""A hall driven over HTTP against the live server: a kiosk issues, a clerk calls."""

import json
import queue
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx

from tests.support.live_server import LiveServer


class Hall:
    """The demo site's first field and its first counter, as the kiosk and clerk use them."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.api = f"{server.base_url}/api/v1/sites/{server.site}"
        menu = httpx.get(f"{self.api}/services", timeout=10).json()
        service = menu["departments"][0]["services"][0]
        self.service = service["code"]
        self.counter = str(service["counters"][0])
        username, password = server.clerks[self.counter]
        self._clerk = server.login(username, password)
        self._keys = 0

    def _key(self) -> str:
        self._keys += 1
        return f"track-{self._keys}"

    def issue(self, service: str | None = None) -> dict[str, Any]:
        headers = {
            "Authorization": f"Bearer {self.server.kiosk_token}",
            "Idempotency-Key": self._key(),
        }
        body = {"service": service or self.service}
        r = httpx.post(f"{self.api}/tickets", json=body, headers=headers, timeout=10)
        assert r.status_code == 201, r.text
        ticket: dict[str, Any] = r.json()
        return ticket

    def act(self, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self._clerk}", "Idempotency-Key": self._key()}
        url = f"{self.api}/counters/{self.counter}/{action}"
        r = httpx.post(url, json=body, headers=headers, timeout=10)
        assert r.status_code == 200, r.text
        answer: dict[str, Any] = r.json()
        return answer

    def serve_next(self) -> None:
        """Call the next ticket and send it away (no-show): the line moves by one."""
        self.act("call-next")
        self.act("no-show")


class Events:
    """A tracking page's event stream read on a thread, as a browser's EventSource would."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.got: queue.Queue[dict[str, Any]] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        with httpx.stream("GET", self.url, timeout=httpx.Timeout(10, read=60)) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            for line in response.iter_lines():
                if self._stop.is_set():
                    return
                if line.startswith("data: "):
                    self.got.put(json.loads(line[len("data: ") :]))

    def until(self, wanted: Callable[[dict[str, Any]], bool], timeout: float = 30) -> dict:
        """The first event (from now on) for which ``wanted`` holds."""
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            assert left > 0, "no such event"
            try:
                event = self.got.get(timeout=left)
            except queue.Empty:
                continue
            if wanted(event):
                return event

    def close(self) -> None:
        self._stop.set()


def wait_for(condition: Callable[[], Any], timeout: float = 30) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("condition not met in time")
