"""The HTTP contract: status codes, models, idempotency keys, auth and roles."""

from server.contract.http import (
    ActionOut,
    ClerkDayOut,
    CountersOut,
    ErrorOut,
    MenuOut,
    QueueOut,
    TicketOut,
)

P = "/api/v1/sites/t1"


def issue(api, key="k", service="ht"):
    return api.client.post(
        f"{P}/tickets", json={"service": service}, headers=api.headers(api.kiosk_token, key)
    )


def test_health_and_openapi(api) -> None:
    assert api.client.get("/api/v1/health").json()["status"] == "ok"
    spec = api.client.get("/openapi.json").json()
    assert "/api/v1/sites/{site}/counters/{counter}/call-next" in spec["paths"]


def test_menu_shows_departments_services_and_counters(api) -> None:
    issue(api)
    menu = MenuOut.model_validate(api.client.get(f"{P}/services").json())
    services = {s.code: s for d in menu.departments for s in d.services}
    assert services["ht"].waiting == 1 and services["ht"].counters == [1, 2]
    assert services["ht"].open and menu.priority_categories[0].code == "elderly"


def test_menu_tells_why_a_service_is_closed(api) -> None:
    for k in range(50):
        assert issue(api, f"q{k}", "ct").status_code == 201
    menu = MenuOut.model_validate(
        api.client.get(f"{P}/services", headers={"Accept-Language": "en"}).json()
    )
    ct = next(s for d in menu.departments for s in d.services if s.code == "ct")
    assert not ct.open and ct.closed_reason == "quota"
    assert ct.closed_message_vi == "Đã hết số hôm nay"
    refused = issue(api, "q50", "ct")
    assert refused.status_code == 409 and refused.json()["error"] == "quota_reached"


def test_issue_is_idempotent_over_http(api) -> None:
    first = issue(api, "same")
    again = issue(api, "same")
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    TicketOut.model_validate(first.json())
    other = api.client.post(
        f"{P}/tickets", json={"service": "ct"}, headers=api.headers(api.kiosk_token, "same")
    )
    assert other.status_code == 422
    assert ErrorOut.model_validate(other.json()).error == "idempotency_key_reused"


def test_commands_require_an_idempotency_key(api) -> None:
    r = api.client.post(
        f"{P}/tickets", json={"service": "ht"}, headers=api.headers(api.kiosk_token)
    )
    assert r.status_code == 400
    body = ErrorOut.model_validate(r.json())
    assert body.error == "idempotency_key_missing" and "Idempotency-Key" in body.message_en
    token = api.token("c1", "pw-c1")
    r = api.client.post(f"{P}/counters/1/call-next", headers=api.headers(token))
    assert r.status_code == 400


def test_counter_flow_over_http(api) -> None:
    ticket = issue(api).json()
    token = api.token("c2", "pw-c2")
    h = lambda k: api.headers(token, k)  # noqa: E731
    empty = api.client.post(f"{P}/counters/3/call-next", headers=h("x"))
    assert empty.status_code == 409 and empty.json()["error"] == "nothing_waiting"
    called = ActionOut.model_validate(
        api.client.post(f"{P}/counters/2/call-next", headers=h("a")).json()
    )
    assert called.ticket is not None and called.ticket.id == ticket["id"] and called.call_id
    replay = api.client.post(f"{P}/counters/2/call-next", headers=h("a")).json()
    assert replay == called.model_dump(mode="json")
    for action, key in (("recall", "b"), ("start", "c"), ("finish", "d")):
        r = api.client.post(f"{P}/counters/2/{action}", headers=h(key), json={})
        assert r.status_code == 200, r.text
    rate = api.client.post(f"{P}/counters/2/rate", headers=h("e"), json={"rating": "neutral"})
    assert rate.status_code == 200
    day = ClerkDayOut.model_validate(api.client.get(f"{P}/counters/2/day", headers=h(None)).json())
    assert day.served == 1 and day.average_rating == 2.0
    status = api.client.get(f"{P}/tickets/{ticket['id']}").json()
    assert status["status"] == "done" and status["counter_number"] == 2
    counters = CountersOut.model_validate(api.client.get(f"{P}/counters").json())
    assert [c.counter.id for c in counters.counters] == ["1", "2", "3"]
    queue = QueueOut.model_validate(api.client.get(f"{P}/queue", headers=h(None)).json())
    assert queue.services[0].waiting == []


def test_auth_and_roles(api) -> None:
    bad = api.client.post("/api/v1/auth/login", json={"username": "c1", "password": "wrong"})
    nobody = api.client.post("/api/v1/auth/login", json={"username": "zz", "password": "wrong"})
    assert bad.status_code == nobody.status_code == 401
    assert bad.json() == nobody.json()  # no hint which part was wrong
    r = api.client.post(f"{P}/counters/1/call-next", headers={"Idempotency-Key": "1"})
    assert r.status_code == 401 and r.json()["error"] == "unauthorized"
    r = api.client.post(f"{P}/counters/1/call-next", headers=api.headers("bogus", "1"))
    assert r.status_code == 401
    r = api.client.post(f"{P}/counters/1/call-next", headers=api.headers(api.kiosk_token, "1"))
    assert r.status_code == 403
    clerk = api.token("c1", "pw-c1")
    r = api.client.put(f"{P}/notice", json={"text": "x"}, headers=api.headers(clerk))
    assert r.status_code == 403
    boss = api.token("boss", "pw-boss")
    r = api.client.put(f"{P}/notice", json={"text": "Nghỉ trưa 11:30"}, headers=api.headers(boss))
    assert r.status_code == 200
    r = api.client.get(f"{P}/queue", headers=api.headers(api.kiosk_token))
    assert r.status_code == 403
    display = api.world.tokens["t1-display"]
    r = api.client.post(
        "/api/v1/devices/status", json={"online": True}, headers=api.headers(display)
    )
    assert r.status_code == 200 and r.json()["device"] == "t1-display"


def test_logout_revokes_the_token_and_pauses_the_counter(api) -> None:
    token = api.token("c1", "pw-c1")
    api.client.post(f"{P}/counters/1/resume", headers=api.headers(token, "r"))
    r = api.client.post("/api/v1/auth/logout", headers=api.headers(token))
    assert r.status_code == 204
    assert api.client.get(f"{P}/queue", headers=api.headers(token)).status_code == 401
    counters = api.client.get(f"{P}/counters").json()["counters"]
    assert counters[0]["counter"]["state"] == "paused"


def test_messages_follow_accept_language(api) -> None:
    en = api.client.get("/api/v1/sites/nope/services", headers={"Accept-Language": "en-US"})
    vi = api.client.get("/api/v1/sites/nope/services")
    assert en.status_code == vi.status_code == 404
    assert en.json()["message"] == en.json()["message_en"]
    assert vi.json()["message"] == vi.json()["message_vi"]
