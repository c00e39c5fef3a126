"""Malformed input on every route: a 4xx ErrorOut, never a 500, never a change in the DB."""

import json

import pytest
from sqlalchemy import func, select

from server.contract.http import ErrorOut
from server.storage import models

P = "/api/v1/sites/t1"
TABLES = [
    models.TicketRow, models.TicketEventRow, models.IdempotencyRow, models.CallRow,
    models.RatingRow, models.NoticeRow, models.DeviceStatusRow, models.DayCounterRow,
    models.SessionRow, models.UserRow, models.DeviceRow,
]  # fmt: skip

ACTIONS = ["call-next", "recall", "start", "finish", "no-show", "park", "pause", "resume"]
BODY_ACTIONS = {
    "transfer": {"to_service": "ht"},
    "call": {"ticket": "1001"},
    "rate": {"rating": "neutral"},
}

BAD_BODIES = [
    b"{not json",
    b"[]",
    b"42",
    json.dumps({"service": 5}).encode(),
    json.dumps({"service": "ht", "extra": 1}).encode(),
    json.dumps({"ticket": ["x"], "rating": "great", "to_service": {"a": 1}}).encode(),
    json.dumps({"service": "x" * 500}).encode(),
    "\udcff".encode("utf-8", "surrogatepass"),
]


def fingerprint(api) -> tuple:
    with api.world.db.read() as s:
        counts = tuple(s.scalar(select(func.count()).select_from(t)) for t in TABLES)
        seqs = tuple(s.scalars(select(models.SiteRow.seq).order_by(models.SiteRow.id)))
        states = tuple(s.scalars(select(models.CounterRow.state).order_by(models.CounterRow.id)))
    return counts, seqs, states


def routes() -> list[tuple[str, str]]:
    out = [
        ("POST", f"{P}/tickets"),
        ("POST", "/api/v1/auth/login"),
        ("POST", "/api/v1/devices/status"),
        ("PUT", f"{P}/notice"),
    ]
    for counter in ("1", "99", "../1", "%00"):
        out += [("POST", f"{P}/counters/{counter}/{a}") for a in ACTIONS]
        out += [("POST", f"{P}/counters/{counter}/{a}") for a in BODY_ACTIONS]
    return out


def callers(path: str) -> tuple[str, ...]:
    """The caller the route is for (so the body is what gets refused), and nobody."""
    if "/counters/" in path:
        return ("clerk", "none")
    if path.endswith("/notice"):
        return ("boss", "none")
    return ("kiosk", "none")


def assert_error(r) -> None:
    assert 400 <= r.status_code < 500, (r.request.method, r.request.url, r.status_code, r.text)
    body = ErrorOut.model_validate(r.json())
    assert body.message_vi and body.message_en


@pytest.fixture
def tokens(api) -> dict[str, str]:
    return {
        "clerk": api.token("c1", "pw-c1"),
        "boss": api.token("boss", "pw-boss"),
        "kiosk": api.kiosk_token,
        "none": "",
        "junk": "Bearer \u00ff" * 3,
    }


def test_malformed_bodies_on_every_route(api, tokens) -> None:
    issue = {"service": "ht"}
    r = api.client.post(f"{P}/tickets", json=issue, headers=api.headers(tokens["kiosk"], "seed"))
    assert r.status_code == 201
    before = fingerprint(api)
    n = 0
    for method, path in routes():
        for who in callers(path):
            headers = {"Content-Type": "application/json", "Idempotency-Key": f"bad-{n}"}
            if tokens[who]:
                headers["Authorization"] = f"Bearer {tokens[who]}"
            for body in BAD_BODIES:
                n += 1
                headers["Idempotency-Key"] = f"bad-{n}"
                r = api.client.request(method, path, content=body, headers=headers)
                if r.status_code < 400:
                    # a body-less action ignores nothing: only {} or no body is accepted
                    raise AssertionError((method, path, who, body, r.text))
                assert_error(r)
    assert fingerprint(api) == before


def test_unknown_things_and_wrong_types(api, tokens) -> None:
    before = fingerprint(api)
    h = api.headers(tokens["clerk"], "u1")

    def k(key: str) -> dict[str, str]:
        return api.headers(tokens["kiosk"], key)

    cases = [
        api.client.get("/api/v1/sites/nowhere/services"),
        api.client.get("/api/v1/sites/nowhere/counters"),
        api.client.get(f"{P}/tickets/nope"),
        api.client.get(f"{P}/tickets/{'x' * 100}"),
        api.client.get("/api/v1/nothing-here"),
        api.client.delete(f"{P}/tickets"),
        api.client.post(f"{P}/counters/1/dance", headers=h),
        api.client.post(f"{P}/counters/1/call", json={"ticket": "9999"}, headers=h),
        api.client.post(f"{P}/counters/1/transfer", json={"to_service": "zz"}, headers=h),
        api.client.post(f"{P}/counters/1/transfer", json={"to_counter": "77"}, headers=h),
        api.client.post(f"{P}/counters/1/rate", json={"rating": "neutral"}, headers=h),
        api.client.post(f"{P}/counters/1/finish", headers=h),
        api.client.post(f"{P}/tickets", json={"service": "zz"}, headers=k("u2")),
        api.client.post(f"{P}/tickets", json={"service": "ht", "priority": "vip"}, headers=k("u3")),
        api.client.post(f"{P}/tickets", json={"service": "ht", "language": "fr"}, headers=k("u4")),
        api.client.post("/api/v1/sites/nowhere/tickets", json={"service": "ht"}, headers=k("u5")),
        api.client.get(f"{P}/counters/1/day", headers=api.headers(tokens["kiosk"])),
        api.client.get(f"{P}/counters/99/day", headers=api.headers(tokens["clerk"])),
        api.client.get(f"{P}/queue"),
    ]  # fmt: skip
    for r in cases:
        assert_error(r)
    assert fingerprint(api) == before


def test_oversized_body_is_refused(api, tokens) -> None:
    before = fingerprint(api)
    big = json.dumps({"service": "ht", "pad": "x" * 70_000})
    headers = api.headers(tokens["kiosk"], "big") | {"Content-Type": "application/json"}
    r = api.client.post(f"{P}/tickets", content=big, headers=headers)
    assert r.status_code == 413
    assert_error(r)

    def chunks():
        for _ in range(20):
            yield b"x" * 4096

    r = api.client.post(f"{P}/notice", content=chunks(), headers=api.headers(tokens["boss"]))
    assert r.status_code == 413
    assert fingerprint(api) == before
