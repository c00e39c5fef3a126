"""The server's MQTT key, pinned on the device: learnt once, then required.

A device learns the key when it is enrolled: from ``qms device add``'s output
(``--server-key``) or over HTTP with its device token (``GET /api/v1/mqtt/server-key``).
It writes it to a pin file beside its settings; from then on that key is the only
one it accepts. A different key (given, or served by the server) is refused loudly,
never silently taken: a person who replaced the server's key on purpose deletes the
pin file.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from server.contract.signing import ServerKey

log = logging.getLogger(__name__)

PIN_FILE = "server-key.pin"
PIN_ENV = "QMS_SERVER_KEY_FILE"
KEY_ENV = "QMS_SERVER_KEY"
CA_ENV = "QMS_MQTT_CA"
KEY_ROUTE = "/api/v1/mqtt/server-key"


class KeyChanged(ValueError):
    """The key offered is not the pinned one (the message says what to do)."""


def default_pin_file() -> Path:
    """``$QMS_SERVER_KEY_FILE``, else ``$QMS_DATA_DIR/server-key.pin``, else under
    ``$XDG_DATA_HOME/qms`` (or ~/.local/share/qms)."""
    pin = os.environ.get(PIN_ENV)
    if pin:
        return Path(pin)
    explicit = os.environ.get("QMS_DATA_DIR")
    if explicit:
        return Path(explicit) / PIN_FILE
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg) if xdg else Path.home() / ".local" / "share"
    return base / "qms" / PIN_FILE


def pinned_key(
    pin_file: Path,
    *,
    given: str | None = None,
    fetch: Callable[[], str | None] | None = None,
) -> ServerKey | None:
    """The key to check messages with; pins the first one learnt.

    ``given`` (a key a person passed) and what ``fetch`` gets (asks the server over
    HTTP) must match a pinned key. None: no key known yet (the caller says loudly that
    messages are not verified).
    """
    offered = ServerKey.from_text(given) if given else None
    if offered is None and fetch is not None:
        fetched = fetch()
        offered = ServerKey.from_text(fetched) if fetched else None
    pinned: ServerKey | None = None
    try:
        text = pin_file.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        text = ""
    if text:
        try:
            pinned = ServerKey.from_text(text)
        except ValueError as exc:
            raise KeyChanged(f"the pinned server key in {pin_file} is unreadable: {exc}") from None
    if pinned is not None:
        if offered is not None and offered != pinned:
            raise KeyChanged(
                f"the server's MQTT key changed: {pin_file} pins {pinned.fingerprint}, "
                f"the server now offers {offered.fingerprint}. If the server's key was replaced on "
                f"purpose, delete {pin_file} and start again."
            )
        return pinned
    if offered is None:
        return None
    pin_file.parent.mkdir(parents=True, exist_ok=True)
    pin_file.write_text(offered.text + "\n", encoding="utf-8")
    log.info("pinned the server's MQTT key %s in %s", offered.fingerprint, pin_file)
    return offered


@dataclass(frozen=True, slots=True)
class MqttTrust:
    """What an app with a device token needs for MQTT: the pinned key, and the broker
    credentials (its device id and token) when its URL names none."""

    key: ServerKey | None
    credentials: tuple[str, str] | None


def enrol(
    server_url: str,
    token: str | None,
    *,
    pin_file: Path,
    given: str | None = None,
) -> MqttTrust:
    """Ask the server (with the device token) for its key and the device's id; pin the key.

    Raises :class:`KeyChanged` when the server's key is not the pinned one.
    """
    answer: dict[str, object] = {}
    if token:
        import httpx

        try:
            response = httpx.get(
                server_url.rstrip("/") + KEY_ROUTE,
                headers={"Authorization": f"Bearer {token}"},
                timeout=10,
            )
            response.raise_for_status()
            data = response.json()
            answer = data if isinstance(data, dict) else {}
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("could not get the server's MQTT key from %s: %s", server_url, exc)
    fetched = answer.get("key")
    key = pinned_key(
        pin_file, given=given, fetch=lambda: fetched if isinstance(fetched, str) else None
    )
    device = answer.get("device")
    credentials = (device, token) if isinstance(device, str) and token else None
    return MqttTrust(key, credentials)
