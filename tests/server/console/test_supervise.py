"""The console's supervisor pages over HTTP: each control changes the hall through the
supervisors' commands, audited; a refusal is said in Vietnamese on the page."""

import re

import httpx

from server.contract import topics
from server.contract.http import TicketIn
from server.contract.messages import CounterSnapshot, DisplaySnapshot
from server.contract.vocab import CounterState
from tests.server.backends import SITE, World
from tests.server.console.test_console import alert, csrf, logged_in, world

__all__ = ["world"]
COUNTER = f"/console/s/{SITE}/control/counters/2"
WAITING = f"/console/s/{SITE}/control"


def issue(world: World, service: str = "ht", priority: str | None = None) -> dict:
    body = TicketIn(service=service, priority=priority)
    return world.service.tickets.issue(SITE, body, world.kiosk, None, body.model_dump_json()).body


def status(html: str) -> str:
    found = re.search(r'role="status">(.*?)</p>', html, re.S)
    return found.group(1).strip() if found else ""


def form_key(html: str) -> str:
    found = re.search(r'name="key" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def boss(world: World) -> tuple[httpx.Client, str]:
    return logged_in(world, "boss", "pw-boss")


def test_the_counter_page_opens_pauses_and_closes_the_counter(world: World) -> None:
    client, token = boss(world)
    page = client.get(COUNTER)
    assert page.status_code == 200
    assert "Quầy 2" in page.text and "Quầy đóng" in page.text  # seeded closed
    key = form_key(page.text)
    done = client.post(f"{COUNTER}/state", data={"csrf": token, "key": key, "state": "open"})
    assert done.status_code == 200 and status(done.text) == "Đã mở quầy."
    assert "Đang mở" in done.text
    # The same form sent again is the same command (its key), not a second change.
    client.post(f"{COUNTER}/state", data={"csrf": token, "key": key, "state": "open"})
    client.post(f"{COUNTER}/state", data={"csrf": token, "key": "k-p", "state": "paused"})
    world.service.flush()
    snap = world.publisher.snapshots[topics.counter(SITE, "2")]
    assert isinstance(snap, CounterSnapshot) and snap.counter.state is CounterState.PAUSED
    entries = [(e.action, e.actor) for e in world.service.audit.entries(site=SITE)]
    assert sorted(entries) == [("counter.pause", "boss"), ("counter.resume", "boss")]


def test_closing_a_counter_that_holds_a_ticket_says_why(world: World) -> None:
    clerk = world.actor("c2", "pw-c2")
    issue(world)
    world.service.counters.act(SITE, "2", "call-next", clerk, key=None, request_hash="n")
    client, token = boss(world)
    page = client.post(f"{COUNTER}/state", data={"csrf": token, "key": "c", "state": "closed"})
    assert page.status_code == 409
    assert "Quầy đang giữ số 1001" in alert(page.text)
    assert "đóng quầy" in alert(page.text)


def test_a_counter_serves_an_extra_field_today(world: World) -> None:
    client, token = boss(world)
    page = client.post(
        f"{COUNTER}/day-services", data={"csrf": token, "key": "f", "fields": ["ct", ""]}
    )
    assert page.status_code == 200, page.text
    assert status(page.text) == "Đã lưu các lĩnh vực phục vụ thêm hôm nay."
    assert re.search(r'value="ct" checked', page.text)
    world.service.flush()
    display = world.publisher.snapshots[topics.display(SITE, "A")]
    assert isinstance(display, DisplaySnapshot)
    assert next(c for c in display.counters if c.id == "2").services == ["ht", "ct"]
    cleared = client.post(f"{COUNTER}/day-services", data={"csrf": token, "key": "g", "fields": ""})
    assert cleared.status_code == 200 and not re.search(r'value="ct" checked', cleared.text)
    actions = [e.action for e in world.service.audit.entries(site=SITE)]
    assert actions == ["counter.day_services", "counter.day_services"]


def test_the_waiting_page_moves_a_ticket_and_refuses_a_wrong_counter(world: World) -> None:
    ticket = issue(world)
    client, token = boss(world)
    page = client.get(WAITING)
    assert page.status_code == 200 and ticket["number"] in page.text
    assert f"/console/s/{SITE}/control/counters/2" in page.text  # each counter's page is linked
    move = f"/console/s/{SITE}/control/tickets/{ticket['id']}/move"
    refused = client.post(move, data={"csrf": token, "key": "m0", "target": "counter:3"})
    assert refused.status_code == 409
    assert alert(refused.text).endswith(
        "Không thể chuyển số đang chờ: quầy số 3 không phục vụ lĩnh vực này."
    )
    moved = client.post(move, data={"csrf": token, "key": "m1", "target": "field:ct"})
    assert moved.status_code == 200
    assert status(moved.text).startswith("Đã chuyển số; quý khách giữ nguyên số thứ tự")
    now = world.service.tickets.get(SITE, ticket["id"])
    assert (now.number, now.service, now.status) == (ticket["number"], "ct", "waiting")
    [entry] = world.service.audit.entries(site=SITE, action="ticket.move")
    assert (entry.actor, entry.after) == ("boss", {"service": "ct", "counter": None})


def test_the_notice_is_set_from_the_waiting_page(world: World) -> None:
    client, token = boss(world)
    page = client.post(
        f"/console/s/{SITE}/control/notice",
        data={"csrf": token, "key": "n1", "text": "Nghỉ trưa từ 11:30 đến 13:00"},
    )
    assert page.status_code == 200 and status(page.text).startswith("Đã cập nhật thông báo")
    world.service.flush()
    display = world.publisher.snapshots[topics.display(SITE, "A")]
    assert isinstance(display, DisplaySnapshot)
    assert display.notice == "Nghỉ trưa từ 11:30 đến 13:00"


def test_a_form_without_the_csrf_token_or_from_another_site_changes_nothing(world: World) -> None:
    client, _token = boss(world)
    page = client.post(f"{COUNTER}/state", data={"csrf": "forged", "state": "open"})
    assert page.status_code == 403
    other = client.get("/console/s/elsewhere/control/counters/2")
    assert other.status_code == 403
    assert world.service.audit.entries(site=SITE) == []


def test_an_admin_in_english_reads_the_controls_in_english(world: World) -> None:
    client, _token = logged_in(world, "adm", "bon-mua-xanh-9")
    client.cookies.set("qms_lang", "en")
    page = client.get(COUNTER)
    assert page.status_code == 200
    assert "Extra fields for today" in page.text and "Close" in page.text
    assert csrf(page.text)


def test_the_waiting_page_names_a_priority_in_the_sites_words(world: World) -> None:
    elder = issue(world, priority="elderly")
    client, _ = boss(world)
    page = client.get(WAITING)
    row = re.search(rf"<td><strong>{elder['number']}</strong>.*?</tr>", page.text, re.S)
    assert row is not None and "Người cao tuổi" in row.group(0) and "elderly" not in row.group(0)
