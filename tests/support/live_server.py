"""``live_server``: the real queue server in-process, seeded with the demo, with a broker.

Uvicorn listens on 127.0.0.1 on a free port in a thread; the database is a fresh
SQLite file in a tmp dir; snapshots go to a real MQTT broker (the embedded amqtt
one) that apps can subscribe to at ``mqtt_url(device)``, with a device's id and token
(the embedded broker refuses anonymous clients); messages are signed with
``server_key``.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from server.config import Settings
from server.contract.signing import ServerKey
from server.runtime import Runtime
from server.storage.seeding import CREDENTIALS_FILE, seed_demo

SITE = "hcm-main"


@dataclass
class LiveServer:
    base_url: str
    mqtt_host: str
    mqtt_port: int
    site: str
    data_dir: Path
    kiosk_token: str
    display_token: str
    clerks: dict[str, tuple[str, str]]  # counter id -> (username, password)
    supervisor: tuple[str, str] | None = None
    tokens: dict[str, str] = field(default_factory=dict)  # every device id -> token
    runtime: Any = None
    display_id: str = ""
    server_key: ServerKey | None = None

    def mqtt_url(self, device: str | None = None) -> str:
        """The broker's URL with a device's credentials (default: the display's)."""
        device = device or self.display_id
        return f"mqtt://{device}:{self.tokens[device]}@{self.mqtt_host}:{self.mqtt_port}"

    def credentials(self, device: str | None = None) -> dict[str, str]:
        """``username``/``password`` keywords of ``MqttProbe`` for a device."""
        device = device or self.display_id
        return {"username": device, "password": self.tokens[device]}

    def login(self, username: str, password: str) -> str:
        """A bearer token for the account (raises on a wrong password)."""
        response = httpx.post(
            f"{self.base_url}/api/v1/auth/login",
            json={"username": username, "password": password},
            timeout=10,
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token


def start_live_server(data_dir: Path, **settings_extra: Any) -> LiveServer:
    """Seed, start and describe a server; call ``.runtime.stop()`` when done.
    ``settings_extra``: more ``Settings`` fields (``metrics_token``, ...)."""
    settings = Settings(data_dir=data_dir, http="127.0.0.1:0", **settings_extra)
    seed_demo(settings.db_url, data_dir, now=datetime.now(UTC), always_open=True)
    credentials = json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    runtime = Runtime(settings)
    runtime.start()
    base_url = f"http://127.0.0.1:{runtime.port}"
    from server.seed import demo_sites

    main = next(seed for seed in demo_sites() if seed.site.id == SITE)
    tokens: dict[str, str] = credentials["devices"]
    kiosk = next(d.id for d in main.devices if d.kind.value == "kiosk")
    display = next(d.id for d in main.devices if d.kind.value == "display")
    clerks = {u.counter: (u.username, u.password) for u in main.users if u.counter is not None}
    supervisor = next(
        ((u.username, u.password) for u in main.users if u.role.value == "supervisor"), None
    )
    broker = runtime.broker_address()
    return LiveServer(
        base_url=base_url,
        mqtt_host=broker[0],
        mqtt_port=broker[1],
        site=SITE,
        data_dir=data_dir,
        kiosk_token=tokens[kiosk],
        display_token=tokens[display],
        clerks=clerks,
        supervisor=supervisor,
        tokens=tokens,
        runtime=runtime,
        display_id=display,
        server_key=runtime.signer.key.public,
    )


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    server = start_live_server(tmp_path / "var")
    try:
        yield server
    finally:
        server.runtime.stop()
