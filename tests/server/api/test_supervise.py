"""The supervisors' routes over real HTTP: idempotent, refused to clerks, refusals in
the asked language."""

from server.contract import paths
from server.contract.http import API_PREFIX


def url(path: str) -> str:
    return API_PREFIX + path


def test_supervisor_routes_over_http(api) -> None:
    boss = api.token("boss", "pw-boss")
    clerk = api.token("c2", "pw-c2")
    state = url(paths.counter_state("t1", "2"))
    r = api.client.put(state, json={"state": "paused"}, headers=api.headers(boss, "s1"))
    assert r.status_code == 200, r.text
    assert r.json()["counter"]["counter"]["state"] == "paused"
    again = api.client.put(state, json={"state": "paused"}, headers=api.headers(boss, "s1"))
    assert again.json() == r.json()
    assert (
        api.client.put(state, json={"state": "paused"}, headers=api.headers(boss)).status_code
        == 400
    )
    refused = api.client.put(state, json={"state": "open"}, headers=api.headers(clerk, "s2"))
    assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
    bad = api.client.put(state, json={"state": "gone"}, headers=api.headers(boss, "s3"))
    assert bad.status_code == 422

    today = url(paths.counter_day_services("t1", "2"))
    r = api.client.put(today, json={"services": ["ct"]}, headers=api.headers(boss, "d1"))
    assert r.status_code == 200, r.text
    assert (r.json()["configured"], r.json()["today"]) == (["ht"], ["ct"])
    read = api.client.get(today, headers=api.headers(boss))
    assert read.json()["today"] == ["ct"]
    assert api.client.get(today, headers=api.headers(clerk)).status_code == 403

    ticket = api.client.post(
        url(paths.tickets("t1")), json={"service": "ht"}, headers=api.headers(api.kiosk_token, "k1")
    ).json()
    move = url(paths.ticket_move("t1", ticket["number"]))
    r = api.client.post(move, json={"to_service": "ct"}, headers=api.headers(boss, "m1"))
    assert r.status_code == 200, r.text
    assert (r.json()["ticket"]["number"], r.json()["ticket"]["service"]) == (ticket["number"], "ct")
    refusal = api.client.post(
        move,
        json={"to_counter": "3", "to_service": "ht"},
        headers={**api.headers(boss, "m2"), "Accept-Language": "en"},
    )
    assert refusal.status_code == 422, refusal.text
    body = refusal.json()
    assert body["error"] == "move_target_invalid"
    assert (
        body["message"]
        == body["message_en"]
        == ("Cannot move the waiting ticket: counter 3 does not serve this service.")
    )
    assert body["message_vi"] == (
        "Không thể chuyển số đang chờ: quầy số 3 không phục vụ lĩnh vực này."
    )


def test_a_counter_holding_a_ticket_does_not_close(api) -> None:
    boss = api.token("boss", "pw-boss")
    clerk = api.token("c2", "pw-c2")
    api.client.post(
        url(paths.tickets("t1")), json={"service": "ht"}, headers=api.headers(api.kiosk_token, "k1")
    )
    called = api.client.post(
        url(paths.counter_action("t1", "2", "call-next")), headers=api.headers(clerk, "n1")
    )
    assert called.status_code == 200, called.text
    r = api.client.put(
        url(paths.counter_state("t1", "2")),
        json={"state": "closed"},
        headers=api.headers(boss, "c"),
    )
    assert r.status_code == 409 and r.json()["error"] == "counter_holds_ticket"
    assert "1001" in r.json()["message_vi"]
