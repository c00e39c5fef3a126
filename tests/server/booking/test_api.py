"""The appointments' HTTP side on a real uvicorn: the portal's API, the kiosk's check-in
route and the citizen's pages (the browser test drives the pages in Chromium)."""

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from server.api.app import create_app
from server.contract import paths
from server.contract.booking import BookingIn, BookingOut, SlotsOut
from server.contract.http import API_PREFIX, TicketOut
from server.runtime import bind, serve_in_thread
from server.storage.db import Database
from server.storage.models import IdempotencyRow
from tests.server.backends import sqlite_url
from tests.server.booking.conftest import SECRET, SITE, booking_world


@dataclass
class Live:
    client: httpx.Client
    kiosk: str
    db: Database

    def login(self, username: str, password: str) -> str:
        r = self.client.post(
            API_PREFIX + paths.login(), json={"username": username, "password": password}
        )
        assert r.status_code == 200, r.text
        return str(r.json()["token"])


@pytest.fixture
def live(tmp_path) -> Iterator[Live]:
    bw = booking_world(sqlite_url(tmp_path))
    world = bw.world
    sock = bind("127.0.0.1", 0)
    world.service.tickets.public_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    app = create_app(world.service)
    assert app.state.bookings.citizen_hash("079203004567")  # the secret reached it
    world.service.accounts.pin_key = SECRET
    server, thread = serve_in_thread(app, sock)
    with httpx.Client(base_url=world.service.tickets.public_url, timeout=10) as client:
        yield Live(client, world.tokens[f"{SITE}-kiosk"], world.db)
    server.should_exit = True
    thread.join(10)
    app.state.commands.close()
    world.db.dispose()


def auth(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def test_a_portal_books_and_cancels_and_a_kiosk_checks_in(live: Live) -> None:
    c = live.client
    slots = SlotsOut.model_validate(c.get(API_PREFIX + paths.slots(SITE, "ht")).json())
    start = slots.slots[0].start.isoformat()
    body = {"service": "ht", "start": start}
    assert c.post(API_PREFIX + paths.bookings(SITE), json=body).status_code == 401
    clerk = live.login("c1", "pw-c1")
    refused = c.post(API_PREFIX + paths.bookings(SITE), json=body, headers=auth(clerk, "b0"))
    assert refused.status_code == 403
    portal = live.login("boss", "pw-boss")
    made = c.post(API_PREFIX + paths.bookings(SITE), json=body, headers=auth(portal, "b1"))
    assert made.status_code == 201, made.text
    booking = BookingOut.model_validate(made.json())
    # A retry with the same key is the same booking, not a second one.
    again = c.post(API_PREFIX + paths.bookings(SITE), json=body, headers=auth(portal, "b1"))
    assert BookingOut.model_validate(again.json()).code == booking.code
    full = c.post(API_PREFIX + paths.bookings(SITE), json=body, headers=auth(portal, "b2"))
    assert full.status_code == 201
    third = c.post(API_PREFIX + paths.bookings(SITE), json=body, headers=auth(portal, "b3"))
    assert third.status_code == 409 and third.json()["error"] == "slot_full"
    assert "Khung giờ này đã đủ người đặt" in third.json()["message_vi"]

    checkin = API_PREFIX + paths.checkins(SITE)
    first = c.post(checkin, json={"code": booking.code}, headers=auth(live.kiosk, "k1"))
    assert first.status_code == 201, first.text
    ticket = TicketOut.model_validate(first.json())
    second = c.post(checkin, json={"qr": booking.page_url}, headers=auth(live.kiosk, "k2"))
    assert second.status_code == 200 and TicketOut.model_validate(second.json()).id == ticket.id
    bad = c.post(checkin, json={"code": "1234"}, headers=auth(live.kiosk, "k3"))
    assert bad.status_code == 422
    unknown = c.post(checkin, json={"code": "00000000"}, headers=auth(live.kiosk, "k4"))
    assert unknown.status_code == 404 and unknown.json()["error"] == "unknown_booking"

    used = c.post(API_PREFIX + paths.booking_cancel(SITE, booking.code), headers=auth(portal))
    assert used.status_code == 409
    shown = c.get(API_PREFIX + paths.booking(SITE, booking.code), headers=auth(portal))
    assert shown.json()["status"] == "checked_in" and shown.json()["ticket_id"] == ticket.id


def test_the_pages_book_show_and_cancel(live: Live) -> None:
    c = live.client
    assert "Điểm thử" in c.get("/book").text
    fields = c.get("/book/t1")
    assert (
        fields.status_code == 200 and "Hộ tịch" in fields.text and "Chứng thực" not in fields.text
    )
    page = c.get("/book/t1/ht")
    assert page.status_code == 200 and 'type="radio"' in page.text
    start = re.search(r'name="start" value="([^"]+)"', page.text)
    assert start is not None
    posted = c.post("/book/t1/ht", data={"start": start.group(1), "cccd": ""})
    assert posted.status_code == 303
    booked = c.get(posted.headers["location"])
    assert booked.status_code == 200 and "<svg" in booked.text and "Mã đặt lịch" in booked.text
    english = c.get(posted.headers["location"] + "?lang=en")
    assert "Booking code" in english.text and 'lang="en"' in english.text
    bad_id = c.post("/book/t1/ht", data={"start": start.group(1), "cccd": "123"})
    assert bad_id.status_code == 422 and "12 chữ số" in bad_id.text
    cancelled = c.post(posted.headers["location"] + "/cancel")
    assert cancelled.status_code == 200 and "Đã hủy" in cancelled.text
    assert c.get("/book/b/not-a-token-at-all").status_code == 404


def test_the_menu_carries_each_fields_keywords(live: Live) -> None:
    menu = live.client.get(API_PREFIX + paths.menu(SITE)).json()
    services = [s for d in menu["departments"] for s in d["services"]]
    assert all("keywords" in s for s in services)


def form_fields(html: str) -> dict[str, str]:
    """The booking form's hidden fields and its first free slot, as a browser sends them."""
    found = {
        name: re.search(rf'name="{name}" value="([^"]+)"', html) for name in ("day", "key", "start")
    }
    assert all(found.values()), found
    return {name: match.group(1) for name, match in found.items() if match}


def test_a_form_sent_twice_books_once_and_shows_that_booking(live: Live) -> None:
    c = live.client
    form = form_fields(c.get("/book/t1/ht").text)
    assert form_fields(c.get("/book/t1/ht").text)["key"] != form["key"]  # fresh per form
    sent = [c.post("/book/t1/ht", data={**form, "cccd": "079203004567"}) for _ in range(2)]
    assert [r.status_code for r in sent] == [303, 303]
    assert sent[0].headers["location"] == sent[1].headers["location"]
    booked = c.get(sent[0].headers["location"]).text
    assert "Mã đặt lịch" in booked and "Đã đặt" in booked
    slots = SlotsOut.model_validate(c.get(API_PREFIX + paths.slots(SITE, "ht")).json())
    [slot] = [s for s in slots.slots if s.start.isoformat() == form["start"]]
    assert slot.free == 1  # of 2 (tests/server/booking/conftest.py): one taken, not two

    # The same form sent again with other details books nothing and says why.
    other = next(s.start.isoformat() for s in slots.slots if s.start.isoformat() != form["start"])
    reused = c.post("/book/t1/ht", data={**form, "start": other})
    assert reused.status_code == 422
    assert "Biểu mẫu này đã được dùng" in reused.text
    assert form_fields(reused.text)["key"] != form["key"]  # the form drawn again is fresh
    again = SlotsOut.model_validate(c.get(API_PREFIX + paths.slots(SITE, "ht")).json())
    assert [s.free for s in again.slots] == [s.free for s in slots.slots]

    # Another form is another booking.
    second = c.post("/book/t1/ht", data=form_fields(c.get("/book/t1/ht").text))
    assert second.status_code == 303
    assert second.headers["location"] != sent[0].headers["location"]


def test_an_id_number_is_in_no_idempotency_record(live: Live) -> None:
    """The idempotency record's fingerprint holds an ID number only in its keyed hash: a
    plain SHA-256 of a body with a 12-digit number is undone by trying them all."""
    c = live.client
    slots = SlotsOut.model_validate(c.get(API_PREFIX + paths.slots(SITE, "ht")).json())
    body = {"service": "ht", "start": slots.slots[0].start.isoformat(), "cccd": "079203004567"}
    portal = live.login("boss", "pw-boss")
    url = API_PREFIX + paths.bookings(SITE)
    made = c.post(url, json=body, headers=auth(portal, "id-1"))
    assert made.status_code == 201, made.text
    again = c.post(url, json=body, headers=auth(portal, "id-1"))  # the same fingerprint
    assert again.json()["code"] == made.json()["code"]
    plain = BookingIn.model_validate(body).model_dump_json()
    exposed = hashlib.sha256(f"POST {url}\n{plain}".encode()).hexdigest()
    with live.db.read() as session:
        stored = set(session.scalars(select(IdempotencyRow.request_hash)))
    assert stored and exposed not in stored
