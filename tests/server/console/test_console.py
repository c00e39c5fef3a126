"""The console over HTTP (no browser): sessions, CSRF, roles, and changes reaching the hall."""

import re
from collections.abc import Iterator

import httpx
import pytest

from server.api.app import create_app
from server.contract.vocab import Role
from server.runtime import bind, serve_in_thread
from tests.server.backends import SITE, World, make_world, sqlite_url

URL: dict[int, str] = {}
CLIENTS: list[httpx.Client] = []


@pytest.fixture
def world(tmp_path) -> Iterator[World]:
    """The app on a real uvicorn (127.0.0.1, free port) over the tiny test site."""
    w = make_world(sqlite_url(tmp_path))
    w.service.accounts.add_user("adm", "bon-mua-xanh-9", Role.ADMIN)
    sock = bind("127.0.0.1", 0)
    app = create_app(w.service)
    server, thread = serve_in_thread(app, sock)
    URL[id(w)] = f"http://127.0.0.1:{sock.getsockname()[1]}"
    yield w
    while CLIENTS:
        CLIENTS.pop().close()
    server.should_exit = True
    thread.join(10)
    app.state.commands.close()
    w.db.dispose()


def client_for(world: World) -> httpx.Client:
    client = httpx.Client(base_url=URL[id(world)], timeout=10, follow_redirects=True)
    CLIENTS.append(client)
    return client


def csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def logged_in(world: World, username: str, password: str) -> tuple[httpx.Client, str]:
    client = client_for(world)
    form = client.get("/console/login")
    page = client.post(
        "/console/login",
        data={"username": username, "password": password, "csrf": csrf(form.text)},
    )
    assert page.status_code == 200, page.text
    return client, csrf(page.text)


def alert(html: str) -> str:
    found = re.search(r'role="alert">(.*?)</div>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split()) if found else ""


def field_form(**change: str) -> dict[str, str]:
    values = {
        "name_vi": "Hộ tịch", "name_en": "Civil status", "department": "tp", "numbers": "block",
        "start": "1001", "end": "1999", "service_time": "600", "enabled": "on",
    }  # fmt: skip
    return {**values, **change}


def test_a_visitor_without_a_session_goes_to_the_login_form(world: World) -> None:
    client = client_for(world)
    page = client.get(f"/console/s/{SITE}/fields", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/console/login")


def test_a_wrong_password_is_refused_in_the_visitor_language(world: World) -> None:
    client = client_for(world)
    client.cookies.set("qms_lang", "en")
    form = client.get("/console/login")
    page = client.post(
        "/console/login", data={"username": "adm", "password": "nope", "csrf": csrf(form.text)}
    )
    assert page.status_code == 400
    assert "qms_console" not in client.cookies


def test_a_form_without_the_session_csrf_token_changes_nothing(world: World) -> None:
    client, _token = logged_in(world, "adm", "bon-mua-xanh-9")
    page = client.post(f"/console/s/{SITE}/fields/ht", data=field_form(csrf="forged"))
    assert page.status_code == 403
    assert world.service.audit.entries(site=SITE) == []


def test_renaming_a_field_reaches_the_kiosk_menu_and_the_audit(world: World) -> None:
    client, token = logged_in(world, "adm", "bon-mua-xanh-9")
    page = client.post(
        f"/console/s/{SITE}/fields/ht", data=field_form(csrf=token, name_vi="Hộ tịch, khai sinh")
    )
    assert page.status_code == 200 and "saved=1" in str(page.url)
    menu = client.get(f"/api/v1/sites/{SITE}/services").json()
    names = [s["name_vi"] for d in menu["departments"] for s in d["services"]]
    assert "Hộ tịch, khai sinh" in names
    [entry] = world.service.audit.entries(site=SITE)
    assert (entry.actor, entry.action, entry.target) == ("adm", "field.edit", "ht")


def test_a_bad_value_says_why_and_changes_nothing(world: World) -> None:
    client, token = logged_in(world, "adm", "bon-mua-xanh-9")
    before = world.service.site_config.export(SITE)
    page = client.post(f"/console/s/{SITE}/fields/ht", data=field_form(csrf=token, end="abc"))
    assert page.status_code == 400
    assert alert(page.text) == "Chưa lưu được, vui lòng sửa: Số cuối: Phải là số nguyên."
    page = client.post(
        f"/console/s/{SITE}/fields/ht", data=field_form(csrf=token, start="1", end="2000")
    )
    assert "trùng với lĩnh vực" not in alert(page.text)  # ct has a prefix: no overlap
    page = client.post(
        f"/console/s/{SITE}/counters/new",
        data={"csrf": token, "id": "9", "number": "1", "name": "Quầy 9", "area": "A",
              "fields": "ht"},
    )  # fmt: skip
    assert page.status_code == 400 and "counters[4].number: 1 lặp lại" in alert(page.text)
    assert world.service.site_config.export(SITE).count("Quầy 9") == 0
    assert [e.action for e in world.service.audit.entries(site=SITE)] == ["field.edit"]
    assert before != world.service.site_config.export(SITE)  # only the valid change went in


def site_form(world: World, **change: str) -> dict[str, str]:
    """The site page's form as it comes, with ``change`` made."""
    site = world.service.site_config.definition(SITE).site
    values = {
        "name_vi": site.name, "name_en": site.name_en, "time_zone": site.time_zone,
        "ticker": site.ticker, "cutoff": str(site.stop_issuing_before_close_min),
        "citizen_limit": str(site.max_tickets_per_citizen_day),
        "priority_ratio": str(site.priority_ratio), "aging_after_min": "", "voice": site.voice,
    }  # fmt: skip
    return {**values, **change}


def test_the_boards_voice_region_is_chosen_on_the_site_page(world: World) -> None:
    client, token = logged_in(world, "adm", "bon-mua-xanh-9")
    page = client.get(f"/console/s/{SITE}/site")
    assert '<option value="north" selected>Miền Bắc</option>' in page.text
    assert '<option value="central" >Miền Trung</option>' in page.text
    assert '<option value="south" >Miền Nam</option>' in page.text
    page = client.post(
        f"/console/s/{SITE}/site", data=site_form(world, csrf=token, voice="central")
    )
    assert page.status_code == 200 and "saved=1" in str(page.url)
    assert '<option value="central" selected>Miền Trung</option>' in page.text
    assert world.service.site_config.definition(SITE).site.voice == "central"
    assert 'voice = "central"' in world.service.site_config.export(SITE)
    [entry] = world.service.audit.entries(site=SITE)
    assert (entry.actor, entry.action, entry.target) == ("adm", "site.edit", SITE)
    assert "central" in str(entry.after)
    refused = client.post(
        f"/console/s/{SITE}/site", data=site_form(world, csrf=token, voice="west")
    )
    assert refused.status_code == 400
    assert alert(refused.text) == (
        "Chưa lưu được, vui lòng sửa: Giọng đọc gọi số trên màn hình sảnh: "
        "Chọn Miền Bắc, Miền Trung hoặc Miền Nam."
    )
    assert world.service.site_config.definition(SITE).site.voice == "central"
    assert len(world.service.audit.entries(site=SITE)) == 1
    client.cookies.set("qms_lang", "en")
    english = client.get(f"/console/s/{SITE}/site")
    assert '<option value="central" selected>Central</option>' in english.text


def test_a_supervisor_sees_the_configuration_read_only(world: World) -> None:
    client, token = logged_in(world, "boss", "pw-boss")
    page = client.get(f"/console/s/{SITE}/fields/ht")
    assert page.status_code == 200 and "<fieldset disabled>" in page.text
    refused = client.post(f"/console/s/{SITE}/fields/ht", data=field_form(csrf=token))
    assert refused.status_code == 403
    assert client.get(f"/console/s/{SITE}/users").status_code == 403


def test_a_clerk_cannot_use_the_console(world: World) -> None:
    client = client_for(world)
    form = client.get("/console/login")
    page = client.post(
        "/console/login", data={"username": "c1", "password": "pw-c1", "csrf": csrf(form.text)}
    )
    assert page.status_code == 400 and "qms_console" not in client.cookies


def test_disabling_an_account_ends_its_console_session(world: World) -> None:
    admin, token = logged_in(world, "adm", "bon-mua-xanh-9")
    boss, _ = logged_in(world, "boss", "pw-boss")
    assert boss.get(f"/console/s/{SITE}/site").status_code == 200
    page = admin.post(f"/console/s/{SITE}/users/boss/disable", data={"csrf": token})
    assert page.status_code == 200
    gone = boss.get(f"/console/s/{SITE}/site", follow_redirects=False)
    assert (gone.status_code, gone.headers["location"]) == (303, "/console/login")


def test_enrolling_a_device_shows_its_token_once_and_it_works(world: World) -> None:
    client, token = logged_in(world, "adm", "bon-mua-xanh-9")
    page = client.post(
        f"/console/s/{SITE}/devices",
        data={"csrf": token, "device_id": "kiosk-new", "kind": "kiosk", "name": "Ki-ốt mới"},
    )
    shown = re.search(r'class="token">([^<]+)<', page.text)
    assert shown is not None and "<svg" in page.text
    device = world.service.accounts.authenticate(shown.group(1))
    assert (device.kind, device.name, device.site) == ("device", "kiosk-new", SITE)
    assert shown.group(1) not in client.get(f"/console/s/{SITE}/devices").text
    assert [e.action for e in world.service.audit.entries(site=SITE)] == ["device.enrol"]


def test_an_area_still_in_use_is_not_removed(world: World) -> None:
    client, token = logged_in(world, "adm", "bon-mua-xanh-9")
    page = client.post(f"/console/s/{SITE}/structure/areas/A/remove", data={"csrf": token})
    assert page.status_code == 400 and "areas: không được để trống" in alert(page.text)
    page = client.post(
        f"/console/s/{SITE}/structure/areas/new",
        data={"csrf": token, "code": "B", "name_vi": "Khu B", "name_en": "Zone B"},
    )
    assert page.status_code == 200
    page = client.post(f"/console/s/{SITE}/structure/areas/A/remove", data={"csrf": token})
    assert page.status_code == 400 and "counters[1].area: không có khu A" in alert(page.text)
    assert [a.id for a in world.service.site_config.definition(SITE).areas] == ["A", "B"]
