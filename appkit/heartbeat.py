"""A device's heartbeat: "I am alive" to the server every interval, from a thread of its own.

The server calls a device silent once two of its heartbeats are missing
(``server.alerts.liveness``), whatever its last report said; this is what keeps a board, an
LED bridge or a counter PC from going silent while it runs. A kiosk sends its own status
(with its printer's paper) on the same interval and does not need this. A failed report is
only logged: the next one tries again, and the silence on the supervisor's screen is the
alarm.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from appkit.api_client import ApiClient, ApiError, ServerUnreachable
from server.contract import paths
from server.contract.http import DeviceStatusIn
from server.contract.messages import DeviceStatus
from server.contract.vocab import HEARTBEAT_S

log = logging.getLogger(__name__)


class Heartbeat:
    """Reports ``status()`` to the server at once and then every ``interval_s``."""

    def __init__(
        self,
        server_url: str,
        token: str,
        *,
        interval_s: int = HEARTBEAT_S,
        status: Callable[[], DeviceStatusIn] | None = None,
        detail: str = "",
    ) -> None:
        self.interval_s = interval_s
        self._client = ApiClient(server_url, token)
        self._status = status or (lambda: DeviceStatusIn(detail=detail[:200]))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sent = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop beating (the device is going away); the server will see it go silent."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._client.close()

    def beat(self) -> bool:
        """One report now; False when the server did not take it."""
        body = self._status().model_copy(update={"heartbeat_s": self.interval_s})
        try:
            self._client.request("POST", paths.device_status(), DeviceStatus, body=body)
        except (ApiError, ServerUnreachable) as exc:
            log.warning("heartbeat not taken: %s", exc)
            return False
        self.sent += 1
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            self.beat()
            self._stop.wait(self.interval_s)


def token_in(mqtt_url: str) -> str | None:
    """The device token a board or LED bridge logs in to the broker with (the password of
    its ``mqtt://device:token@host`` URL): the same token posts its heartbeat."""
    from urllib.parse import unquote, urlsplit

    password = urlsplit(mqtt_url).password
    return unquote(password) if password else None
