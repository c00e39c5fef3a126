"""The known day served by a real uvicorn, for the export, API and browser tests."""

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from server.api.app import create_app
from server.contract.vocab import Role
from server.runtime import bind, serve_in_thread
from tests.server.backends import World, db_url, make_world, sqlite_url, world
from tests.server.reports.known_day import play_known_day

__all__ = ["db_url", "login", "served", "world"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[World, httpx.Client, Path]]:
    """The known day on SQLite, served by a real uvicorn."""
    db_file = tmp_path / "qms.sqlite3"
    world = make_world(sqlite_url(tmp_path))
    play_known_day(world)
    world.service.accounts.add_user("admin", "mat-khau-dai-du-9", Role.ADMIN, site=None)
    sock = bind("127.0.0.1", 0)
    app = create_app(world.service)
    server, thread = serve_in_thread(app, sock)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    with httpx.Client(base_url=url, timeout=60) as client:
        yield world, client, db_file
    server.should_exit = True
    thread.join(10)
    app.state.commands.close()
    world.db.dispose()


def login(client: httpx.Client, user: str, password: str) -> dict[str, str]:
    r = client.post("/api/v1/auth/login", json={"username": user, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}
