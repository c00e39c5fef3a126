from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from server.api.app import create_app
from server.runtime import bind, serve_in_thread
from tests.server.backends import World, make_world, sqlite_url


@dataclass
class Api:
    world: World
    client: httpx.Client

    def token(self, username: str, password: str) -> str:
        r = self.client.post(
            "/api/v1/auth/login", json={"username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        return r.json()["token"]

    def headers(self, token: str, key: str | None = None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {token}"}
        if key is not None:
            h["Idempotency-Key"] = key
        return h

    @property
    def kiosk_token(self) -> str:
        return self.world.tokens["t1-kiosk"]


@pytest.fixture
def api(tmp_path) -> Iterator[Api]:
    """The app on a real uvicorn (127.0.0.1, free port) over the tiny test site."""
    world = make_world(sqlite_url(tmp_path))
    sock = bind("127.0.0.1", 0)
    port = sock.getsockname()[1]
    world.service.tickets.public_url = f"http://127.0.0.1:{port}"
    app = create_app(world.service)
    server, thread = serve_in_thread(app, sock)
    with httpx.Client(base_url=world.service.tickets.public_url, timeout=10) as client:
        yield Api(world, client)
    server.should_exit = True
    thread.join(10)
    app.state.commands.close()
    world.db.dispose()
