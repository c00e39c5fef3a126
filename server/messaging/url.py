"""Where the broker is: ``mqtt://[user:pass@]host[:port]`` or ``mqtts://...`` (TLS)."""

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from server.contract.redaction import redact

DEFAULT_PORTS = {"mqtt": 1883, "mqtts": 8883}


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    tls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)

    def display(self) -> str:
        """The address for logs and health checks, without the password."""
        user = f"{self.username}@" if self.username else ""
        return f"{'mqtts' if self.tls else 'mqtt'}://{user}{self.host}:{self.port}"


def parse_mqtt_url(url: str) -> BrokerAddress:
    """Read a broker URL; a wrong one is refused with a message that says what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in DEFAULT_PORTS:
        raise ValueError(f"MQTT URL must start with mqtt:// or mqtts://, got {redact(url)!r}")
    if not parts.hostname:
        raise ValueError(f"MQTT URL has no host: {redact(url)!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"MQTT URL must be scheme://[user:pass@]host[:port] only: {redact(url)!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise ValueError(f"MQTT URL has a bad port: {redact(url)!r}") from exc
    return BrokerAddress(
        host=parts.hostname,
        port=port or DEFAULT_PORTS[parts.scheme],
        tls=parts.scheme == "mqtts",
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password is not None else None,
    )
