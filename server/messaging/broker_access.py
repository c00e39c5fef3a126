"""Who may connect to the embedded broker, and which topics each may use.

The server connects as ``qms-server`` with a password made at each start and may do
anything. A device connects with its device id as user name and its device token as
password (checked against the database by the function the runtime passes in); it may
publish nothing, and may read only its own site's topics and the server status. The
boards check every message's signature anyway (``server.contract.signing``): this
keeps strangers from even reading the hall's state, and keeps the retained topics
clean.
"""

import hmac
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from server.contract import topics

log = logging.getLogger(__name__)

SERVER_USER = "qms-server"

DeviceCheck = Callable[[str, str], str | None]
"""``(device_id, token) -> site`` of an active device with that token, else None."""


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated broker client: the server (``site`` None) or a site's device."""

    name: str
    site: str | None

    @property
    def is_server(self) -> bool:
        return self.site is None


def _site_levels(topic: str) -> list[str]:
    return topic.split("/")


def may_read(principal: Principal, topic: str) -> bool:
    """A topic name (RECEIVE) or filter (SUBSCRIBE): the server status, or under the
    device's own site; the site level must be spelled out, never a wildcard."""
    if principal.is_server:
        return True
    if topic == topics.server_status():
        return True
    levels = _site_levels(topic)
    prefix = topics.PREFIX.split("/")
    return (
        len(levels) > len(prefix) + 1
        and levels[: len(prefix)] == prefix
        and levels[len(prefix)] == principal.site
    )


def may_publish(principal: Principal, _topic: str) -> bool:
    """Only the server publishes: devices send their status over HTTP."""
    return principal.is_server


class BrokerAccess:
    """The embedded broker's accounts; thread-safe (the broker runs in its own loop)."""

    def __init__(self, server_password: str, devices: DeviceCheck | None = None) -> None:
        self._server_password = server_password
        self._devices = devices
        self._lock = threading.Lock()
        self._known: dict[str, Principal] = {}

    def authenticate(self, username: str | None, password: str | None) -> Principal | None:
        """The principal for these credentials, or None (logged without the password)."""
        if not username or not password:
            log.warning("MQTT: refused a client without a user name and password")
            return None
        principal: Principal | None = None
        if username == SERVER_USER:
            if hmac.compare_digest(password.encode(), self._server_password.encode()):
                principal = Principal(SERVER_USER, None)
        elif self._devices is not None:
            try:
                topics.check_slug(username)
            except ValueError:
                site = None
            else:
                site = self._devices(username, password)
            if site is not None:
                principal = Principal(username, site)
        if principal is None:
            log.warning("MQTT: refused %r: unknown user or wrong password", username)
            return None
        with self._lock:
            self._known[username] = principal
        return principal

    def principal(self, username: str | None) -> Principal | None:
        """Who an authenticated session is (by its user name)."""
        if username is None:
            return None
        with self._lock:
            return self._known.get(username)
