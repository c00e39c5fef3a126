"""The uplink against a real central server (uvicorn, SQLite) in this process: a new
branch takes its site, accounts and devices from the city; its events go up once each,
whatever is sent again; a branch reaches only its own sites; the city knows when it
last heard from each."""

import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from sqlalchemy import delete, select

from server.contract.vocab import Role
from server.service import ServiceError
from server.storage.models import BranchRow, TicketEventRow, TicketRow, UpstreamMarkRow
from server.upstream.uplink import EVENTS_MARK
from server.upstream.wire import PUSH_PATH, EventUp, Push
from tests.server.backends import SITE, sqlite_url
from tests.server.branch.link import OTHER, Link, event_count, linked


@pytest.fixture
def link(tmp_path: Path) -> Iterator[Link]:
    central_dir = tmp_path / "central"
    central_dir.mkdir()
    with linked(sqlite_url(central_dir), tmp_path / "branch") as it:
        yield it


def test_a_new_branch_takes_its_site_accounts_and_devices_from_the_city(link: Link) -> None:
    link.uplink.pull()
    assert [s.id for s in link.branch.site_config.sites()] == [SITE]  # not t2
    assert link.branch.accounts.login("c1", "pw-c1").token
    link.issue(1)  # the kiosk's token works at the branch

    # A password changed centrally works at the branch after the next pull; the old
    # one no longer does.
    link.central.service.accounts.change_password("c1", "a-new-long-passphrase-1")
    again = link.uplink.pull()
    assert again.sites[0].file is None  # the site file is sent only when it changed
    assert link.branch.accounts.login("c1", "a-new-long-passphrase-1").token
    with pytest.raises(ServiceError, match="bad_credentials"):
        link.branch.accounts.login("c1", "pw-c1")

    # A site changed centrally takes effect at the branch.
    configs = link.central.service.site_config
    now = configs.definition(SITE)
    renamed = replace(now, site=replace(now.site, name="Điểm đổi tên"))
    configs.apply(renamed, actor="admin", action="site.edit")
    link.uplink.pull()
    assert link.branch.site_config.definition(SITE).site.name == "Điểm đổi tên"


def test_events_reach_the_city_once_however_often_they_are_sent(link: Link) -> None:
    link.uplink.pull()
    ids = link.issue(30)
    assert link.uplink.push_pending() == 30
    assert event_count(link.central.db, "b1") == 30
    assert link.uplink.pending() == 0

    # The branch died after the city kept the events but before it moved its mark:
    # everything is sent again, and nothing is doubled.
    with link.branch.db.write() as session:
        session.get(UpstreamMarkRow, EVENTS_MARK).value = 0  # type: ignore[union-attr]
    link.issue(2)
    assert link.uplink.push_pending() == 32
    assert event_count(link.central.db, "b1") == 32
    with link.central.db.read() as session:
        numbers = dict(session.execute(select(TicketRow.id, TicketRow.number)).all())
    with link.branch.db.read() as session:
        assert numbers == dict(session.execute(select(TicketRow.id, TicketRow.number)).all())
    assert set(ids) <= set(numbers)

    # An old batch arriving after a newer one changes nothing either.
    push, _, _ = link.uplink.next_push()
    assert link.branches.receive(link.branches.authenticate(link.token), push).stored == 0


def test_a_branch_reaches_only_its_own_sites(link: Link) -> None:
    link.uplink.pull()
    ids = link.issue(1)
    foreign = Push(
        events=[EventUp(id=1, site=OTHER, ticket_id=ids[0], kind="issued", at=link.central.clock())]
    )
    with httpx.Client(base_url=link.url) as http:
        r = http.post(
            PUSH_PATH,
            content=foreign.model_dump_json(),
            headers={"Authorization": f"Bearer {link.token}", "Content-Type": "application/json"},
        )
        assert r.status_code == 403 and r.json()["error"] == "not_your_site"
        r = http.post(
            PUSH_PATH,
            content=Push().model_dump_json(),
            headers={"Authorization": "Bearer not-a-branch", "Content-Type": "application/json"},
        )
        assert r.status_code == 401
        kiosk = link.central.tokens[f"{SITE}-kiosk"]  # a device token is not a branch's
        r = http.post(
            PUSH_PATH,
            content=Push().model_dump_json(),
            headers={"Authorization": f"Bearer {kiosk}", "Content-Type": "application/json"},
        )
        assert r.status_code == 401
    assert event_count(link.central.db, "b1") == 0


def test_the_city_knows_when_it_last_heard_from_a_branch(link: Link) -> None:
    assert link.branches.last_heard(OTHER) is None  # served centrally
    never = link.branches.last_heard(SITE)
    assert never is not None and never.quiet and never.last_heard_at is None
    link.uplink.pull()
    link.issue(1)
    link.uplink.push_pending()
    heard = link.branches.last_heard(SITE)
    assert heard is not None and not heard.quiet and heard.last_event_at is not None
    link.central.clock.advance(61)
    quiet = link.branches.last_heard(SITE)
    assert quiet is not None and quiet.quiet and quiet.last_heard_at == heard.last_heard_at


def test_the_city_never_expires_a_branchs_tickets_itself(link: Link) -> None:
    link.uplink.pull()
    link.issue(2)
    link.uplink.push_pending()
    before = event_count(link.central.db)
    link.central.clock.advance(timedelta(days=1).total_seconds())
    link.central.service.core.sweep_days()
    assert event_count(link.central.db) == before  # the branch expires them, and sends it
    with link.central.db.read() as session:
        statuses = set(session.scalars(select(TicketRow.status).where(TicketRow.site_id == SITE)))
    assert statuses == {"waiting"}


def test_the_console_says_when_a_quiet_branch_was_last_heard(link: Link) -> None:
    link.central.service.accounts.add_user("adm", "bon-mua-xanh-9", Role.ADMIN)
    link.uplink.pull()
    link.uplink.push_pending()
    with httpx.Client(base_url=link.url, follow_redirects=True) as http:
        form = http.get("/console/login").text
        token = re.search(r'name="csrf" value="([^"]+)"', form)
        assert token is not None
        home = http.post(
            "/console/login",
            data={"username": "adm", "password": "bon-mua-xanh-9", "csrf": token.group(1)},
        )
        assert home.status_code == 200
        assert "Chi nhánh b1: đang kết nối" in home.text
        link.central.clock.advance(61)
        home = http.get("/console/")
        heard = link.branches.last_heard(SITE)
        assert heard is not None and heard.last_heard_at is not None
        at = heard.last_heard_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
        line = f"Chi nhánh b1: lần cuối nhận tin lúc {at:%H:%M %d/%m/%Y}"
        assert line in home.text
        assert line in http.get(f"/console/s/{SITE}/site").text  # and on the site's page
        assert "Chi nhánh" not in http.get(f"/console/s/{OTHER}/site").text  # served here


def test_a_city_restored_with_less_than_it_acknowledged_gets_it_again(link: Link) -> None:
    """After a failover to a replica that missed the last commits, the city's mark of
    the branch is behind the branch's own: the next push (a heartbeat) says so, and the
    branch sends the rest again."""
    link.uplink.pull()
    link.issue(10)
    link.uplink.push_pending()
    with link.central.db.write() as session:  # the replica had only the first 4
        session.execute(
            delete(TicketEventRow).where(
                TicketEventRow.origin == "b1", TicketEventRow.origin_id > 4
            )
        )
        session.get(BranchRow, "b1").received_through = 4  # type: ignore[union-attr]
    assert event_count(link.central.db, "b1") == 4
    assert link.uplink.push_pending() == 6
    assert event_count(link.central.db, "b1") == 10
    assert link.uplink.pending() == 0
