"""``POST /api/v1/auth/pin``: a clerk's PIN at a counter, and the lockout after wrong PINs."""

import pytest
from sqlalchemy import select

from server.contract.vocab import DeviceKind
from server.service import Actor, ServiceError
from server.storage.models import UserRow
from tests.server.backends import SITE


def pin(api, counter: str, value: str, **headers: str):
    """From the site's registered counter PC (its device token), unless ``headers``
    bring another Authorization."""
    headers = {"Authorization": f"Bearer {api.terminal}", **headers}
    return api.client.post(
        "/api/v1/auth/pin", json={"site": SITE, "counter": counter, "pin": value}, headers=headers
    )


@pytest.fixture
def pins(api):
    service = api.world.service
    service.accounts.set_pin("c1", "1111")
    service.accounts.set_pin("c2", "222222", site=SITE)
    service.accounts.set_pin("boss", "90909090")
    api.terminal = service.devices.add("pc-1", DeviceKind.COUNTER, SITE)
    return api


def test_only_a_registered_counter_pc_of_the_site_may_log_in_by_pin(pins) -> None:
    """A short PIN is a second factor on a PC of the hall: from anywhere else (the
    server's address is public for the citizens' tracking pages) it is refused before
    any PIN is tried, so nobody can guess PINs from outside."""
    service = pins.world.service
    kiosk = pins.world.tokens[f"{SITE}-kiosk"]
    clerk = pins.client.post("/api/v1/auth/login", json={"username": "c1", "password": "pw-c1"})
    for authorization, status, code in [
        (None, 401, "unauthorized"),
        ("Bearer not-a-token", 401, "unauthorized"),
        (f"Bearer {kiosk}", 403, "pin_needs_terminal"),
        (f"Bearer {clerk.json()['token']}", 403, "pin_needs_terminal"),
    ]:
        headers = {"Authorization": authorization} if authorization else {}
        answer = pins.client.post(
            "/api/v1/auth/pin", json={"site": SITE, "counter": "1", "pin": "1111"}, headers=headers
        )
        assert answer.status_code == status, (authorization, answer.text)
        assert answer.json()["error"] == code
    # A counter PC of another site.
    elsewhere = Actor(kind="device", name="pc-t2", role=DeviceKind.COUNTER.value, site="t2")
    with pytest.raises(ServiceError) as other_site:
        service.accounts.pin_login(SITE, "1", "1111", terminal=elsewhere)
    assert other_site.value.code == "pin_needs_terminal" and other_site.value.status == 403
    refused = pin(pins, "1", "1111", Authorization=f"Bearer {kiosk}", **{"Accept-Language": "en"})
    assert "registered counter terminal" in refused.json()["message"]
    # Refusals before the PIN check never count as wrong PINs: the counter is not locked.
    for _ in range(6):
        pin(pins, "1", "0000", Authorization=f"Bearer {kiosk}")
    assert pin(pins, "1", "1111").json()["username"] == "c1"


def test_a_pin_logs_its_clerk_in(pins) -> None:
    answer = pin(pins, "2", "222222")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["username"] == "c2" and body["role"] == "clerk" and body["site"] == SITE
    assert body["token_type"] == "bearer" and body["expires_at"]
    # Any counter of the site: the PIN names the person, the counter only counts tries.
    assert pin(pins, "3", "1111").json()["username"] == "c1"
    assert pin(pins, "1", "90909090").json()["role"] == "supervisor"
    queue = pins.client.get(f"/api/v1/sites/{SITE}/queue", headers=pins.headers(body["token"]))
    assert queue.status_code == 200


def test_a_wrong_pin_is_a_clear_401(pins) -> None:
    wrong = pin(pins, "1", "1234")
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "bad_pin"
    assert wrong.json()["message"] == "Mã PIN không đúng."
    english = pin(pins, "1", "1234", **{"Accept-Language": "en"})
    assert english.json()["message"] == "Wrong PIN."
    assert pin(pins, "1", "12").status_code == 422  # not 4-8 digits: refused before any check
    assert pin(pins, "1", "12a4").json()["error"] == "invalid_request"
    assert pin(pins, "99", "1111").json()["error"] == "unknown_counter"
    # The terminal belongs to its own site: another site is refused before it is looked up.
    other = pins.client.post(
        "/api/v1/auth/pin",
        json={"site": "nowhere", "counter": "1", "pin": "1111"},
        headers={"Authorization": f"Bearer {pins.terminal}"},
    )
    assert other.status_code == 403 and other.json()["error"] == "pin_needs_terminal"


def test_five_wrong_pins_lock_the_counter_for_a_minute(pins) -> None:
    clock = pins.world.clock
    for _ in range(5):
        assert pin(pins, "1", "0000").status_code == 401
    locked = pin(pins, "1", "1111")  # even the right PIN waits
    assert locked.status_code == 429
    assert locked.json()["error"] == "pin_locked"
    assert locked.headers["Retry-After"] == "60"
    assert "60 giây" in locked.json()["message"]
    assert pin(pins, "2", "1111").status_code == 200  # other counters are not locked
    # Username and password still work at the locked counter.
    login = {"username": "c1", "password": "pw-c1"}
    assert pins.client.post("/api/v1/auth/login", json=login).status_code == 200
    clock.advance(45)
    assert pin(pins, "1", "1111").headers["Retry-After"] == "15"
    clock.advance(16)
    assert pin(pins, "1", "1111").status_code == 200


def test_wrong_pins_count_within_five_minutes(pins) -> None:
    clock = pins.world.clock
    for _ in range(4):
        assert pin(pins, "1", "0000").status_code == 401
    clock.advance(301)
    for _ in range(4):
        assert pin(pins, "1", "0000").status_code == 401
    assert pin(pins, "1", "1111").status_code == 200
    # A clerk who got in clears the count: four more wrong tries do not lock.
    for _ in range(4):
        assert pin(pins, "1", "0000").status_code == 401
    assert pin(pins, "1", "1111").status_code == 200


def test_twenty_wrong_pins_at_a_site_lock_pins_there_for_five_minutes(pins) -> None:
    """A PIN matches any clerk of the site: going round the counters (or logging in
    between guesses) must not give more than 20 guesses in 5 minutes."""
    clock = pins.world.clock
    for _ in range(4):
        for _ in range(4):
            assert pin(pins, "1", "0000").status_code == 401
        assert pin(pins, "1", "1111").status_code == 200  # clears only the counter's count
    for _ in range(4):
        assert pin(pins, "2", "0000").status_code == 401  # the 17th to 20th wrong PIN
    locked = pin(pins, "3", "222222")
    assert locked.status_code == 429 and locked.json()["error"] == "pin_locked"
    assert locked.headers["Retry-After"] == "300"
    assert "tại điểm này" in locked.json()["message"]
    login = {"username": "c2", "password": "pw-c2"}
    assert pins.client.post("/api/v1/auth/login", json=login).status_code == 200
    clock.advance(301)
    assert pin(pins, "2", "222222").status_code == 200


def test_pins_are_unique_in_a_site_and_only_for_its_staff(pins) -> None:
    service = pins.world.service
    with pytest.raises(ServiceError) as taken:
        service.accounts.set_pin("c3", "1111")
    assert taken.value.code == "pin_in_use" and taken.value.status == 409
    service.accounts.set_pin("c1", "1111")  # its own PIN again is fine
    for name, value, code in [
        ("c3", "123", "invalid_pin"),
        ("c3", "123456789", "invalid_pin"),
        ("c3", "１２３４", "invalid_pin"),  # full-width digits are not digits here
        ("nobody", "1234", "unknown_user"),
    ]:
        with pytest.raises(ServiceError) as refused:
            service.accounts.set_pin(name, value)
        assert refused.value.code == code
    with pytest.raises(ServiceError) as elsewhere:
        service.accounts.set_pin("c3", "3333", site="t2")
    assert elsewhere.value.code == "other_site"


def test_an_inactive_account_has_no_pin_login(pins) -> None:
    with pins.world.db.write() as session:
        user = session.scalars(select(UserRow).where(UserRow.username == "c2")).one()
        user.active = False
    assert pin(pins, "2", "222222").status_code == 401
    pins.world.service.accounts.set_pin("c3", "222222")  # no longer taken
    assert pin(pins, "2", "222222").json()["username"] == "c3"


def test_a_cleared_pin_no_longer_logs_in_and_frees_the_pin(pins) -> None:
    service = pins.world.service
    assert service.accounts.clear_pin("c2", site=SITE) is True
    cleared = pin(pins, "2", "222222")
    assert cleared.status_code == 401 and cleared.json()["error"] == "bad_pin"
    login = {"username": "c2", "password": "pw-c2"}
    assert pins.client.post("/api/v1/auth/login", json=login).status_code == 200
    assert pin(pins, "3", "1111").json()["username"] == "c1"  # the other PINs still work
    assert service.accounts.clear_pin("c2") is False  # nothing left to clear
    service.accounts.set_pin("c3", "222222")  # no longer taken
    assert pin(pins, "2", "222222").json()["username"] == "c3"
    for name, site, code in [("nobody", None, "unknown_user"), ("c1", "t2", "other_site")]:
        with pytest.raises(ServiceError) as refused:
            service.accounts.clear_pin(name, site=site)
        assert refused.value.code == code
    assert pin(pins, "3", "1111").json()["username"] == "c1"  # a refused clear changes nothing
