"""Staff accounts as a bank would keep them (issue 14): login lockout, the password
policy, sessions that end at once, sites for clerks, counter take-over, and public
routes that show no usernames. Over real HTTP (uvicorn) and a real database."""

import logging

import pytest

from server.contract.vocab import Role
from server.service import ServiceError
from server.service.lockout import ACCOUNT_MAX_WRONG, ADDRESS_MAX_WRONG, LOCKOUT

P = "/api/v1/sites/t1"


def _login(api, username: str, password: str):
    return api.client.post("/api/v1/auth/login", json={"username": username, "password": password})


def test_the_31st_wrong_password_in_a_minute_is_refused_and_so_is_the_right_one(
    api, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger="server.service.lockout")
    for _ in range(ACCOUNT_MAX_WRONG):
        assert _login(api, "c1", "not-the-password").status_code == 401
    refused = _login(api, "c1", "not-the-password")
    assert refused.status_code == 429
    assert refused.json()["error"] == "login_locked"
    assert 0 < int(refused.headers["Retry-After"]) <= LOCKOUT.total_seconds()
    right = _login(api, "c1", "pw-c1")
    assert right.status_code == 429 and "Retry-After" in right.headers
    assert "user:c1 locked" in caplog.text
    assert _login(api, "c2", "pw-c2").status_code == 200  # another account is not locked
    api.world.clock.advance(LOCKOUT.total_seconds() + 1)
    assert _login(api, "c1", "pw-c1").status_code == 200


def test_guessing_many_accounts_from_one_address_locks_the_address(api, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="server.service.lockout")
    for n in range(ADDRESS_MAX_WRONG):
        assert _login(api, f"guess{n}", "password-guess").status_code == 401
    refused = _login(api, "c3", "pw-c3")
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "addr:127.0.0.1 locked" in caplog.text


def test_a_right_password_forgets_the_wrong_ones_before(api) -> None:
    for _ in range(ACCOUNT_MAX_WRONG - 1):
        assert _login(api, "c1", "not-the-password").status_code == 401
    assert _login(api, "c1", "pw-c1").status_code == 200
    assert _login(api, "c1", "not-the-password").status_code == 401  # the count started again
    assert _login(api, "c1", "pw-c1").status_code == 200


def test_a_reset_password_ends_the_old_token_at_once(api) -> None:
    token = api.token("c1", "pw-c1")
    assert api.client.get(f"{P}/queue", headers=api.headers(token)).status_code == 200  # cached
    api.world.service.accounts.change_password("c1", "a-new-long-password")
    assert api.client.get(f"{P}/queue", headers=api.headers(token)).status_code == 401
    assert _login(api, "c1", "pw-c1").status_code == 401
    assert _login(api, "c1", "a-new-long-password").status_code == 200


def test_add_user_again_resets_the_password_and_ends_the_sessions(api) -> None:
    token = api.token("c2", "pw-c2")
    assert api.client.get(f"{P}/queue", headers=api.headers(token)).status_code == 200
    api.world.service.accounts.add_user("c2", "another-long-password", Role.CLERK, site="t1")
    assert api.client.get(f"{P}/queue", headers=api.headers(token)).status_code == 401


def test_disabling_or_removing_an_account_ends_its_sessions(api) -> None:
    token = api.token("c1", "pw-c1")
    assert api.client.get(f"{P}/queue", headers=api.headers(token)).status_code == 200
    api.world.service.accounts.set_active("c1", False)
    assert api.client.get(f"{P}/queue", headers=api.headers(token)).status_code == 401
    assert _login(api, "c1", "pw-c1").status_code == 401
    api.world.service.accounts.set_active("c1", True)
    token = api.token("c1", "pw-c1")
    api.world.service.accounts.remove_user("c1")
    assert api.client.get(f"{P}/queue", headers=api.headers(token)).status_code == 401
    assert _login(api, "c1", "pw-c1").status_code == 401


def test_a_revoked_device_token_stops_at_once(api) -> None:
    menu_key = 0

    def issue() -> int:
        nonlocal menu_key
        menu_key += 1
        r = api.client.post(
            f"{P}/tickets",
            json={"service": "ht"},
            headers=api.headers(api.kiosk_token, f"k{menu_key}"),
        )
        return r.status_code

    assert issue() == 201
    api.world.service.devices.revoke("t1-kiosk")
    assert issue() == 401
    listed = {d.id: d for d in api.world.service.devices.listed("t1")}
    assert listed["t1-kiosk"].active is False and listed["t1-display"].active is True


@pytest.mark.parametrize(
    ("password", "why"),
    [
        ("short", "at least 10"),
        ("1234567890", "common"),
        ("QwertyUiop", "common"),
        ("aaaaaaaaaaaa", "common"),
        ("my-c1-password", "username"),
    ],
)
def test_the_password_policy(api, password: str, why: str) -> None:
    with pytest.raises(ServiceError) as refused:
        api.world.service.accounts.change_password("c1", password)
    assert refused.value.code == "weak_password" and why in refused.value.message_en
    with pytest.raises(ServiceError):
        api.world.service.accounts.add_user("c1", password, Role.CLERK, site="t1")


def test_a_clerk_or_supervisor_needs_a_site(api) -> None:
    for role in (Role.CLERK, Role.SUPERVISOR):
        with pytest.raises(ServiceError) as refused:
            api.world.service.accounts.add_user("nowhere", "long-enough-password", role)
        assert refused.value.code == "site_required"
    api.world.service.accounts.add_user(
        "root1", "long-enough-password", Role.ADMIN
    )  # installation-wide


def test_a_counter_another_clerk_holds_needs_a_take_over_or_a_supervisor(api, caplog) -> None:
    caplog.set_level(logging.WARNING, logger="server.service.counters")
    c1 = api.token("c1", "pw-c1")
    c2 = api.token("c2", "pw-c2")
    boss = api.token("boss", "pw-boss")
    assert (
        api.client.post(f"{P}/counters/1/resume", headers=api.headers(c1, "r1")).status_code == 200
    )
    held = api.client.post(f"{P}/counters/1/call-next", headers=api.headers(c2, "c2-1"))
    assert held.status_code == 409 and held.json()["error"] == "counter_held"
    taken = api.client.post(
        f"{P}/counters/1/resume", params={"take_over": "true"}, headers=api.headers(c2, "c2-2")
    )
    assert taken.status_code == 200 and taken.json()["counter"]["clerk"] == "c2"
    assert "counter t1/1 taken over from c1 by c2 (explicit take-over)" in caplog.text
    by_boss = api.client.post(f"{P}/counters/1/resume", headers=api.headers(boss, "b-1"))
    assert by_boss.status_code == 200
    assert "taken over from c2 by boss (supervisor)" in caplog.text
    # A counter whose clerk logged out (paused) is free for the next one.
    assert api.client.post("/api/v1/auth/logout", headers=api.headers(boss)).status_code == 204
    free = api.client.post(f"{P}/counters/1/resume", headers=api.headers(c1, "r2"))
    assert free.status_code == 200


def test_public_counters_show_no_usernames(api) -> None:
    c1 = api.token("c1", "pw-c1")
    api.client.post(f"{P}/counters/1/resume", headers=api.headers(c1, "r"))
    public = api.client.get(f"{P}/counters").json()["counters"]
    assert [c["clerk"] for c in public] == [None, None, None]
    assert "c1" not in api.client.get(f"{P}/counters").text
    staff = api.client.get(f"{P}/counters", headers=api.headers(c1)).json()["counters"]
    assert staff[0]["clerk"] == "c1"
    kiosk = api.client.get(f"{P}/counters", headers=api.headers(api.kiosk_token)).json()
    assert kiosk["counters"][0]["clerk"] is None
