"""The small defences of issue 14: what the OpenAPI document says, one error shape for
every bad body, notices without control or bidi characters, ``citizen_key`` only in the
kiosk's format, a private data directory and database, PINs keyed with the server
secret."""

import hashlib
import hmac
import stat

import pytest
from sqlalchemy import select

from server.contract.http import NoticeIn
from server.contract.vocab import DeviceKind
from server.security.secret import SECRET_FILE, load_secret, pin_matches
from server.storage.db import Database
from server.storage.models import UserRow

P = "/api/v1/sites/t1"


def test_the_openapi_document_says_what_the_server_does(api) -> None:
    doc = api.client.get("/openapi.json").json()
    issue = doc["paths"]["/api/v1/sites/{site}/tickets"]["post"]
    key = next(p for p in issue["parameters"] if p["name"] == "Idempotency-Key")
    assert key["required"] is True
    action = doc["paths"]["/api/v1/sites/{site}/counters/{counter}/call-next"]["post"]
    assert next(p for p in action["parameters"] if p["name"] == "Idempotency-Key")["required"]
    assert "404" in doc["paths"]["/t/{token}"]["get"]["responses"]
    assert "429" in doc["paths"]["/api/v1/auth/login"]["post"]["responses"]
    missing = api.client.post(
        f"{P}/tickets",
        json={"service": "ht"},
        headers={"Authorization": f"Bearer {api.kiosk_token}"},
    )
    assert missing.status_code == 400 and missing.json()["error"] == "idempotency_key_missing"
    assert api.client.get("/t/no-such-ticket").status_code == 404


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe{}", b'{"service": "\xc3"}', b"[" * 100_000 + b"]" * 100_000, b"{not json"],
    ids=["not-utf8", "broken-utf8", "too-deep", "not-json"],
)
def test_every_bad_body_gets_422_invalid_request(api, body: bytes) -> None:
    headers = api.headers(api.kiosk_token, "bad") | {"Content-Type": "application/json"}
    if len(body) > 64 * 1024:
        body = b"[" * 30_000 + b"]" * 30_000  # under the body limit, still too deep
    r = api.client.post(f"{P}/tickets", content=body, headers=headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_request"


def test_a_notice_is_cleaned_of_control_escape_and_bidi_characters(api) -> None:
    raw = "Nghỉ trưa\x1b[2J\x1b]0;x\x07 12h\u202e00\u2066-13h\u2069\x00\u200b\r\nxin lỗi quý khách"
    assert NoticeIn(text=raw).text == "Nghỉ trưa[2J]0;x 12h00-13h  xin lỗi quý khách"
    assert NoticeIn(text="Nghi\u0309 tru\u031bo\u031b\u0300a").text == "Nghỉ trườa"  # NFC
    boss = api.token("boss", "pw-boss")
    r = api.client.put(
        f"{P}/notice", json={"text": "Tạm\u202e nghỉ\x1b"}, headers=api.headers(boss, "n1")
    )
    assert r.status_code == 200 and r.json()["text"] == "Tạm nghỉ"


@pytest.mark.parametrize(
    "key",
    ["079123456789", "0" * 16, "A" * 64, "g" * 64, "a" * 63, "a" * 65, "a" * 64 + "\n"],
)
def test_citizen_key_must_be_the_kiosks_keyed_hash(api, key: str) -> None:
    r = api.client.post(
        f"{P}/tickets",
        json={"service": "ht", "citizen_key": key},
        headers=api.headers(api.kiosk_token, f"ck-{key[:3]}-{len(key)}"),
    )
    assert r.status_code == 422 and r.json()["error"] == "invalid_request"


def test_a_citizen_key_in_the_kiosks_format_is_taken(api) -> None:
    key = hmac.new(b"k" * 32, b"079123456789", hashlib.sha256).hexdigest()
    r = api.client.post(
        f"{P}/tickets",
        json={"service": "ht", "citizen_key": key},
        headers=api.headers(api.kiosk_token, "ck-ok"),
    )
    assert r.status_code == 201, r.text


def test_the_data_directory_and_database_are_private(tmp_path) -> None:
    data = tmp_path / "fresh" / "var"
    db = Database(f"sqlite:///{data / 'qms.sqlite3'}")
    with db.write() as session:
        session.connection().exec_driver_sql("CREATE TABLE t (x INTEGER)")
    db.dispose()
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE((data / "qms.sqlite3").stat().st_mode) == 0o600
    load_secret(data)
    assert stat.S_IMODE((data / SECRET_FILE).stat().st_mode) == 0o600
    loose = tmp_path / "old.sqlite3"
    loose.touch(mode=0o644)
    Database(f"sqlite:///{loose}").dispose()
    assert stat.S_IMODE(loose.stat().st_mode) == 0o600


def test_a_pin_hash_needs_the_server_secret(api, tmp_path) -> None:
    service = api.world.service
    service.accounts.pin_key = load_secret(tmp_path / "secret-dir")
    service.accounts.set_pin("c1", "4821")
    with api.world.db.read() as s:
        stored = s.scalars(select(UserRow.pin_hash).where(UserRow.username == "c1")).one()
    assert stored is not None
    assert pin_matches("4821", stored, service.accounts.pin_key)
    # Someone with the database but not the secret: no PIN of the 10^4 matches.
    assert not pin_matches("4821", stored, b"")
    assert not pin_matches("4821", stored, b"another secret" * 3)
    pc = service.accounts.authenticate(service.devices.add("pc-9", DeviceKind.COUNTER, "t1"))
    assert service.accounts.pin_login("t1", "1", "4821", terminal=pc).username == "c1"
