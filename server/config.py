"""Typed server settings: defaults, then a TOML file, then ``QMS_*`` variables, then flags.

Validated once at start and passed in; nothing reads them from module globals.
"""

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, replace
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from typing import Any

from server.storage.db import sqlite_url

DEFAULT_HTTP = "127.0.0.1:8080"
KEYS = (
    "db",
    "mqtt",
    "http",
    "data_dir",
    "public_url",
    "mqtt_ca",
    "signing_key",
    "metrics_token",
    "metrics_allow",
    "upstream",
    "upstream_token",
)
# The shortest ``metrics_token`` accepted: a scraper's secret, not a password to remember.
METRICS_TOKEN_MIN = 24
PATH_KEYS = ("data_dir", "mqtt_ca", "signing_key")


class ConfigError(ValueError):
    """A setting that cannot work; the message says which and why."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path = Path("var")
    db: str | None = None  # None: SQLite in data_dir
    mqtt: str | None = None  # None: the embedded broker
    http: str = DEFAULT_HTTP
    public_url: str | None = None  # None: http://{http}
    day_sweep_s: float = 60.0
    # The embedded broker's port when no ``mqtt`` URL is given; None: 1883, or a free
    # port when HTTP also asks for one (tests and benchmarks run many servers at once).
    embedded_mqtt_port: int | None = None
    # The interpreter's thread switch interval in the server process (None: leave it).
    switch_interval_s: float | None = 0.001
    # Build and publish snapshots in a child process (when publishing to a broker), so
    # the server's interpreter lock is left to the requests (docs/architecture.md).
    snapshot_process: bool = True
    # A private CA's certificate for an mqtts:// broker (None: the system's CAs).
    mqtt_ca: Path | None = None
    # The MQTT signing key's file (None: ``mqtt-signing-key.pem`` in data_dir); outside
    # the database, created 0600 on first start (docs/protocol.md).
    signing_key: Path | None = None
    # ``/metrics`` (docs/deploy.md): answered only to a scraper with this bearer token,
    # or from a client address in ``metrics_allow`` (comma-separated addresses or
    # networks); with neither set it answers 404, as if it did not exist.
    metrics_token: str | None = None
    metrics_allow: str | None = None

    @property
    def metrics_networks(self) -> tuple[IPv4Network | IPv6Network, ...]:
        return parse_networks(self.metrics_allow or "")

    # A branch server: the central server's URL and this branch's token there
    # (``qms branch add`` at the centre); None: this server answers to nobody.
    upstream: str | None = None
    upstream_token: str | None = None

    @property
    def signing_key_path(self) -> Path:
        if self.signing_key is not None:
            return self.signing_key
        from server.messaging.keys import KEY_FILE

        return self.data_dir / KEY_FILE

    @property
    def embedded_port(self) -> int:
        if self.embedded_mqtt_port is not None:
            return self.embedded_mqtt_port
        return 0 if self.http_port == 0 else 1883

    @property
    def db_url(self) -> str:
        return self.db or sqlite_url(self.data_dir)

    @property
    def http_host(self) -> str:
        return parse_http(self.http)[0]

    @property
    def http_port(self) -> int:
        return parse_http(self.http)[1]

    @property
    def base_url(self) -> str:
        return (self.public_url or f"http://{self.http}").rstrip("/")


def parse_http(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ConfigError(f"http must be HOST:PORT, e.g. 127.0.0.1:8080 (got {value!r})")
    return host.strip("[]"), int(port)


def parse_networks(value: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """``"127.0.0.1, 10.1.0.0/16"``: each an address or a network."""
    out = []
    for raw in value.split(","):
        part = raw.strip()
        if not part:
            continue
        try:
            out.append(ip_network(part, strict=False))
        except ValueError as exc:
            raise ConfigError(f"metrics_allow: not an address or network: {part!r}") from exc
    return tuple(out)


def _check(settings: Settings) -> Settings:
    parse_http(settings.http)
    settings.metrics_networks  # noqa: B018 (raises ConfigError on a bad entry)
    token = settings.metrics_token
    if token is not None and len(token.strip()) < METRICS_TOKEN_MIN:
        raise ConfigError(f"metrics_token must have at least {METRICS_TOKEN_MIN} characters")
    if settings.db is not None and not settings.db.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"db must be a sqlite:/// or postgresql+psycopg:// URL (got {settings.db!r})"
        )
    if settings.mqtt is not None and not settings.mqtt.startswith(("mqtt://", "mqtts://")):
        raise ConfigError(f"mqtt must be an mqtt:// or mqtts:// URL (got {settings.mqtt!r})")
    if settings.mqtt_ca is not None and not settings.mqtt_ca.is_file():
        raise ConfigError(f"mqtt_ca: no such file {settings.mqtt_ca}")
    if settings.public_url is not None and not settings.public_url.startswith(
        ("http://", "https://")
    ):
        raise ConfigError(
            f"public_url must start with http:// or https:// ({settings.public_url!r})"
        )
    if settings.upstream is not None:
        if not settings.upstream.startswith(("http://", "https://")):
            raise ConfigError(
                f"upstream must start with http:// or https:// ({settings.upstream!r})"
            )
        if not settings.upstream_token:
            raise ConfigError("upstream needs upstream_token (from `qms branch add` centrally)")
    elif settings.upstream_token is not None:
        raise ConfigError("upstream_token is given but upstream (the central URL) is not")
    return settings


def _apply(settings: Settings, values: Mapping[str, Any], source: str) -> Settings:
    unknown = set(values) - set(KEYS)
    if unknown:
        raise ConfigError(f"unknown setting(s) in {source}: {', '.join(sorted(unknown))}")
    changes: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{key} in {source} must be a string")
        changes[key] = Path(value) if key in PATH_KEYS else value
    return replace(settings, **changes)


def load_settings(
    *,
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults < TOML file < ``QMS_DB``/``QMS_MQTT``/``QMS_HTTP``/``QMS_MQTT_CA``/
    ``QMS_SIGNING_KEY``/``QMS_METRICS_TOKEN``/``QMS_UPSTREAM``/``QMS_UPSTREAM_TOKEN`` <
    command-line flags."""
    settings = Settings()
    if config_file is not None:
        try:
            data = tomllib.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read {config_file}: {exc}") from exc
        section = data.get("server", data)
        settings = _apply(settings, section, str(config_file))
    env = os.environ if environ is None else environ
    from_env = {
        key: env[f"QMS_{key.upper()}"]
        for key in (
            "db",
            "mqtt",
            "http",
            "mqtt_ca",
            "signing_key",
            "metrics_token",
            "upstream",
            "upstream_token",
        )
        if f"QMS_{key.upper()}" in env
    }
    settings = _apply(settings, from_env, "the environment")
    if overrides:
        settings = _apply(settings, overrides, "the command line")
    return _check(settings)
