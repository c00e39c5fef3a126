"""A central server (uvicorn in this process, on the given database) and one branch
server on SQLite with its uplink pointed at it: the fixture of the uplink's tests."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy import func, select

from server.api.app import create_app
from server.contract.http import TicketIn
from server.messaging.publisher import RecordingPublisher
from server.runtime import bind, serve_in_thread
from server.service import QueueService
from server.storage.db import Database
from server.storage.migrate import upgrade
from server.storage.models import TicketEventRow
from server.storage.seeding import load_sites
from server.upstream.central import Branches
from server.upstream.uplink import Uplink
from tests.server.backends import SITE, Clock, World, make_world, sqlite_url, tiny_site

OTHER = "t2"  # a second site of the city, served centrally


@dataclass
class Link:
    central: World
    branches: Branches
    branch: QueueService
    uplink: Uplink
    url: str
    token: str

    def issue(self, n: int) -> list[str]:
        kiosk = self.branch.accounts.authenticate(self.central.tokens[f"{SITE}-kiosk"])
        out = []
        for i in range(n):
            body = TicketIn(service="ht")
            key = f"k-{i}-{uuid.uuid4().hex}"
            result = self.branch.tickets.issue(SITE, body, kiosk, key, key)
            out.append(result.body["id"])
        return out


def event_count(db: Database, origin: str | None = None) -> int:
    with db.read() as session:
        query = select(func.count()).select_from(TicketEventRow)
        if origin is not None:
            query = query.where(TicketEventRow.origin == origin)
        return int(session.scalar(query) or 0)


@contextmanager
def linked(central_url: str, branch_dir: Path) -> Iterator[Link]:
    """The city on ``central_url`` with sites ``t1`` (owned by branch ``b1``) and ``t2``;
    the branch's database in ``branch_dir`` starts empty."""
    branch_dir.mkdir()
    clock = Clock()
    central = make_world(central_url, clock)
    with central.db.write() as session:
        central.tokens.update(
            load_sites(session, [replace(tiny_site(OTHER), users=())], now=clock())
        )
    branches = Branches(central.service.core)
    token = branches.add("b1", [SITE])
    sock = bind("127.0.0.1", 0)
    url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(central.service)
    server, thread = serve_in_thread(app, sock)
    branch_db = Database(sqlite_url(branch_dir))
    upgrade(branch_db.engine)
    branch = QueueService(branch_db, RecordingPublisher(), clock=clock)
    uplink = Uplink(branch, url, token)
    try:
        yield Link(central, branches, branch, uplink, url, token)
    finally:
        uplink.stop()
        server.should_exit = True
        thread.join(10)
        app.state.commands.close()
        central.db.dispose()
        branch_db.dispose()
