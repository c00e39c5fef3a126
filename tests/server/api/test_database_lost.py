"""A lost database connection is a 503 the client retries, never a 500, and the server
recovers by itself: the hot statements run on the driver's cursor
(``server/storage/lean.py``), so their errors must come out as SQLAlchemy's, and a dead
connection must leave the pool."""

import uuid
from collections.abc import Iterator
from contextlib import ExitStack

import httpx
import psycopg
import pytest
from sqlalchemy import text

from server.api.app import create_app
from server.runtime import bind, serve_in_thread
from tests.server.api.conftest import Api
from tests.server.backends import make_world
from tests.support.postgres import PostgresServer


@pytest.fixture
def pg_api(postgres_server: PostgresServer) -> Iterator[tuple[Api, PostgresServer, str]]:
    url = postgres_server.create_database()
    world = make_world(url)
    sock = bind("127.0.0.1", 0)
    world.service.tickets.public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(world.service)
    server, thread = serve_in_thread(app, sock)
    with httpx.Client(base_url=world.service.tickets.public_url, timeout=10) as client:
        yield Api(world, client), postgres_server, url.rsplit("/", 1)[1]
    server.should_exit = True
    thread.join(10)
    app.state.commands.close()
    world.db.dispose()


def _cut_connections(server: PostgresServer, database: str) -> int:
    """End every session of the server's database, as a PostgreSQL restart would."""
    with psycopg.connect(server.admin_url(), autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (database,),
        ).fetchall()
    return len(rows)


def test_a_lost_connection_is_a_503_and_the_retry_succeeds(
    pg_api: tuple[Api, PostgresServer, str],
) -> None:
    api, server, database = pg_api
    headers = api.headers(api.kiosk_token, str(uuid.uuid4()))
    first = api.client.post("/api/v1/sites/t1/tickets", json={"service": "ht"}, headers=headers)
    assert first.status_code == 201, first.text
    with ExitStack() as held:  # a few connections in the server's pool, all to be cut
        for _ in range(3):
            held.enter_context(api.world.db.read()).execute(text("SELECT 1"))
    assert _cut_connections(server, database) >= 3

    key = str(uuid.uuid4())
    answers = []
    for _ in range(10):  # a kiosk retries with the same key
        r = api.client.post(
            "/api/v1/sites/t1/tickets",
            json={"service": "ht"},
            headers=api.headers(api.kiosk_token, key),
        )
        answers.append(r.status_code)
        if r.status_code == 201:
            break
        assert r.status_code == 503, r.text
        assert r.json()["error"] == "database_busy"
        assert r.headers["Retry-After"] == "1"
    assert answers == [503, 201]  # one refusal, then every pooled connection is new
    ticket = r.json()
    assert ticket["number"] == "1002"  # the failed tries gave no number
    again = api.client.post(
        "/api/v1/sites/t1/tickets",
        json={"service": "ht"},
        headers=api.headers(api.kiosk_token, key),
    )
    assert again.json()["id"] == ticket["id"]  # and the key still gives the same ticket
