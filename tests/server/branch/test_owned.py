"""A site a branch owns is served at the branch: the city refuses every command for its
hall (its numbers would collide with the branch's), while the branch's own events still
land there and the city's reads show them. On SQLite and PostgreSQL."""

import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select, update

from server.contract.vocab import CounterState
from server.storage.models import CounterRow, SessionRow, SiteRow, TicketRow
from tests.server.backends import SITE, db_url
from tests.server.branch.link import OTHER, Link, event_count, linked

__all__ = ["db_url"]  # the fixture: each test runs on SQLite and on PostgreSQL

REFUSED_VI = "Điểm này do chi nhánh b1 phục vụ"


@pytest.fixture
def link(db_url: str, tmp_path: Path) -> Iterator[Link]:
    with linked(db_url, tmp_path / "branch") as it:
        yield it


def _key() -> dict[str, str]:
    return {"Idempotency-Key": uuid.uuid4().hex}


def _refused(r: httpx.Response) -> None:
    assert r.status_code == 409, r.text
    body = r.json()
    assert body["error"] == "served_by_branch"
    assert body["message_vi"].startswith(REFUSED_VI)
    assert "branch b1" in body["message_en"]
    assert body["details"] == {"site": SITE, "branch": "b1"}


def _site_seq(link: Link, site: str) -> int:
    with link.central.db.read() as session:
        return int(session.scalar(select(SiteRow.seq).where(SiteRow.id == site)) or 0)


def test_the_city_refuses_every_command_of_a_branchs_hall(link: Link) -> None:
    kiosk = {"Authorization": f"Bearer {link.central.tokens[f'{SITE}-kiosk']}"}
    seq = _site_seq(link, SITE)
    with httpx.Client(base_url=f"{link.url}/api/v1") as http:
        _refused(
            http.post(f"/sites/{SITE}/tickets", json={"service": "ht"}, headers=kiosk | _key())
        )
        clerk = http.post("/auth/login", json={"username": "c1", "password": "pw-c1"})
        assert clerk.status_code == 200  # logging in is no command of the hall
        as_clerk = {"Authorization": f"Bearer {clerk.json()['token']}"}
        for action in ("call-next", "recall", "pause"):
            _refused(http.post(f"/sites/{SITE}/counters/1/{action}", headers=as_clerk | _key()))
        _refused(
            http.post(
                f"/sites/{SITE}/counters/1/call", json={"ticket": "1001"}, headers=as_clerk | _key()
            )
        )
        boss = http.post("/auth/login", json={"username": "boss", "password": "pw-boss"})
        as_boss = {"Authorization": f"Bearer {boss.json()['token']}"}
        _refused(
            http.put(f"/sites/{SITE}/notice", json={"text": "Nghỉ trưa"}, headers=as_boss | _key())
        )
        _refused(
            http.put(
                f"/sites/{SITE}/counters/2/state",
                json={"state": "paused"},
                headers=as_boss | _key(),
            )
        )
        # The site the city serves itself still issues.
        other = {"Authorization": f"Bearer {link.central.tokens[f'{OTHER}-kiosk']}"}
        r = http.post(f"/sites/{OTHER}/tickets", json={"service": "ht"}, headers=other | _key())
        assert r.status_code == 201, r.text
        # Reads of the branch's site answer.
        assert http.get(f"/sites/{SITE}/services").status_code == 200
        assert http.get(f"/sites/{SITE}/queue", headers=as_boss).status_code == 200
    # Nothing changed at the branch's site.
    assert _site_seq(link, SITE) == seq
    with link.central.db.read() as session:
        assert not session.scalars(select(TicketRow.id).where(TicketRow.site_id == SITE)).all()


def test_the_branchs_events_still_land_and_the_citys_reads_show_them(link: Link) -> None:
    link.uplink.pull()
    ids = link.issue(3)
    assert link.uplink.push_pending() == 3
    assert event_count(link.central.db, "b1") == 3
    with httpx.Client(base_url=f"{link.url}/api/v1") as http:
        status = http.get(f"/sites/{SITE}/tickets/{ids[0]}")
        assert status.status_code == 200 and status.json()["number"] == "1001"
        boss = http.post("/auth/login", json={"username": "boss", "password": "pw-boss"})
        queue = http.get(
            f"/sites/{SITE}/queue", headers={"Authorization": f"Bearer {boss.json()['token']}"}
        )
        assert queue.status_code == 200
        waiting = [t["number"] for s in queue.json()["services"] for t in s["waiting"]]
        assert waiting == ["1001", "1002", "1003"]

        # A day later a command at the city is refused, and the attempt expires none of the
        # branch's tickets (the branch does, and sends it).
        link.central.clock.advance(timedelta(days=1).total_seconds())
        kiosk = {"Authorization": f"Bearer {link.central.tokens[f'{SITE}-kiosk']}"}
        _refused(
            http.post(f"/sites/{SITE}/tickets", json={"service": "ht"}, headers=kiosk | _key())
        )
    assert event_count(link.central.db) == 3
    with link.central.db.read() as session:
        statuses = set(session.scalars(select(TicketRow.status).where(TicketRow.site_id == SITE)))
    assert statuses == {"waiting"}

    # The branch's next events still land: its own expiries of the past day (its clock
    # is the city's) and a new ticket.
    link.issue(1)
    assert link.uplink.push_pending() == 4
    assert event_count(link.central.db, "b1") == 7
    with link.central.db.read() as session:
        rows = session.execute(
            select(TicketRow.number, TicketRow.status).where(TicketRow.site_id == SITE)
        ).all()
    assert sorted(rows) == [
        ("1001", "expired"),
        ("1001", "waiting"),
        ("1002", "expired"),
        ("1003", "expired"),
    ]


def test_a_clerk_logs_out_of_a_counter_left_open_before_the_hand_over(link: Link) -> None:
    """The counter was opened here while the city still served the site; logging out
    pauses nothing of the branch's hall, and the session ends."""
    with httpx.Client(base_url=f"{link.url}/api/v1") as http:
        clerk = http.post("/auth/login", json={"username": "c1", "password": "pw-c1"})
        token = clerk.json()["token"]
        with link.central.db.write() as session:
            session.execute(
                update(CounterRow)
                .where(CounterRow.site_id == SITE, CounterRow.id == "1")
                .values(state=CounterState.OPEN.value, clerk="c1")
            )
        r = http.post("/auth/logout", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 204, r.text
        assert (
            http.get(
                f"/sites/{SITE}/queue", headers={"Authorization": f"Bearer {token}"}
            ).status_code
            == 401
        )
    with link.central.db.read() as session:
        assert all(row.revoked for row in session.scalars(select(SessionRow)))
