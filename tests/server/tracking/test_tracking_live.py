"""The live tracking page over HTTP against the real server: its event stream follows
the queue, a call and a transfer; "Sắp đến lượt" reaches the messaging gateway's
simulator and a (recording) Web Push sender once per ticket; the phone number and the
subscription are erased when the ticket ends."""

import base64
import hashlib
import hmac
import json
import stat
import struct
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import select

from server.notify.gateway import SimulatedGateway, normal_phone
from server.notify.webpush import VAPID_FILE, RecordingPushSender, VapidKey
from server.storage.models import TrackContactRow
from tests.server.tracking.hall import Events, Hall, wait_for
from tests.support.live_server import LiveServer


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def contacts(server: LiveServer) -> list[tuple[str, str | None, Any]]:
    with server.runtime.db.read() as session:
        rows = session.scalars(select(TrackContactRow)).all()
        return [(r.track_token, r.phone, r.push) for r in rows]


def told(server: LiveServer) -> bool:
    with server.runtime.db.read() as session:
        return any(r.told_ticket for r in session.scalars(select(TrackContactRow)))


def token_of(ticket: dict[str, Any]) -> str:
    return str(ticket["track_url"]).rsplit("/", 1)[1]


def test_the_event_stream_follows_the_line_the_call_and_a_transfer(live_server) -> None:
    hall = Hall(live_server)
    for _ in range(2):
        hall.issue()
    mine = hall.issue()
    events = Events(f"{mine['track_url']}/events")
    try:
        first = events.until(lambda e: True)
        assert first["status"] == "waiting" and "<dd>2</dd>" in first["html"]
        hall.serve_next()
        assert "<dd>1</dd>" in events.until(lambda e: "<dd>1</dd>" in e["html"])["html"]
        hall.serve_next()
        hall.act("call-next")
        called = events.until(lambda e: e["called"])
        assert f"Mời đến quầy {hall.counter}" in called["html"]
        # The clerk sends the citizen to another field: the same link shows the new ticket.
        other = next(
            s["code"]
            for d in httpx.get(f"{hall.api}/services").json()["departments"]
            for s in d["services"]
            if s["code"] != hall.service
        )
        hall.act("transfer", {"to_service": other})
        moved = events.until(lambda e: e["ticket"] != mine["id"])
        assert moved["status"] == "waiting" and not moved["called"]
    finally:
        events.close()


def test_the_page_works_without_script_and_says_where_to_go(live_server) -> None:
    hall = Hall(live_server)
    ticket = hall.issue()
    page = httpx.get(ticket["track_url"]).text
    assert '<noscript><meta http-equiv="refresh"' in page  # no script: it still refreshes
    assert 'src="/t/track.js"' in page and "nhận tin nhắn khi sắp đến lượt" in page.lower()
    assert httpx.get(f"{live_server.base_url}/t/track.js").status_code == 200
    worker = httpx.get(f"{live_server.base_url}/t/sw.js")
    assert worker.status_code == 200 and "showNotification" in worker.text
    hall.act("call-next")
    assert f"Mời đến quầy {hall.counter}" in httpx.get(ticket["track_url"]).text


def test_a_phone_number_is_told_once_and_erased_when_the_ticket_ends(live_server) -> None:
    gateway: SimulatedGateway = live_server.runtime.gateway
    hall = Hall(live_server)
    for _ in range(6):
        hall.issue()
    mine = hall.issue()
    # A wrong number is refused and nothing is kept.
    bad = httpx.post(f"{mine['track_url']}/phone", data={"phone": "12345"})
    assert bad.status_code == 303 and "note=bad" in bad.headers["location"]
    assert contacts(live_server) == []
    kept = httpx.post(
        f"{mine['track_url']}/phone", data={"phone": "0912 345 678"}, follow_redirects=True
    )
    assert kept.status_code == 200 and "Đã lưu số" in kept.text
    assert contacts(live_server) == [(token_of(mine), "0912345678", None)]
    hub = live_server.runtime.tracking
    served = 0
    while not told(live_server):  # the hub marks the ticket told as it hands the message on
        assert served < 6, "never near"
        hall.serve_next()
        served += 1
        assert hub.settle()
    (message,) = wait_for(lambda: gateway.sent)
    assert message.phone == "0912345678"
    assert message.text.startswith("Sắp đến lượt quý khách: số " + mine["number"])
    page = httpx.get(mine["track_url"]).text
    assert "Sắp đến lượt quý khách" in page  # the page says it too
    hall.serve_next()  # closer still: not told twice
    assert hub.settle()
    assert len(gateway.sent) == 1
    # The citizen is served: the number goes with the ticket.
    while hall.act("call-next")["ticket"]["id"] != mine["id"]:
        hall.act("no-show")
    assert contacts(live_server) != []  # called is not over
    hall.act("start")
    hall.act("finish")
    wait_for(lambda: contacts(live_server) == [])
    # An ended ticket takes no number.
    late = httpx.post(f"{mine['track_url']}/phone", data={"phone": "0912345678"})
    assert late.status_code == 404 and contacts(live_server) == []


def decrypt(body: bytes, private: ec.EllipticCurvePrivateKey, auth: bytes) -> bytes:
    """RFC 8291 as a browser does it: the test's check that the push is readable."""
    salt, rs, idlen = body[:16], *struct.unpack("!IB", body[16:21])
    assert rs == 4096
    as_point = body[21 : 21 + idlen]
    sealed = body[21 + idlen :]
    ua_point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_point)
    shared = private.exchange(ec.ECDH(), sender)

    def mac(key: bytes, data: bytes) -> bytes:
        return hmac.new(key, data, hashlib.sha256).digest()

    ikm = mac(mac(auth, shared), b"WebPush: info\x00" + ua_point + as_point + b"\x01")
    prk = mac(salt, ikm)
    cek = mac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce = mac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
    plain = AESGCM(cek).decrypt(nonce, sealed, None)
    assert plain.endswith(b"\x02")
    return plain[:-1]


def test_a_push_subscription_gets_a_signed_encrypted_notice(live_server) -> None:
    hub = live_server.runtime.tracking
    recorder = RecordingPushSender()
    hub.push = recorder
    key_file = live_server.data_dir / VAPID_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    hall = Hall(live_server)
    mine = hall.issue()  # nobody ahead: near at once
    browser_key = ec.generate_private_key(ec.SECP256R1())
    auth = b"0123456789abcdef"
    point = browser_key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    subscription = {
        "endpoint": "https://push.example.invalid/send/abc",
        "keys": {"p256dh": b64(point), "auth": b64(auth)},
    }
    url = f"{mine['track_url']}/push"
    assert httpx.post(url, json={"endpoint": "http://x"}).status_code == 422
    assert httpx.post(url, json=subscription).status_code == 204
    (request,) = wait_for(lambda: recorder.sent)
    assert request.endpoint == subscription["endpoint"]
    assert request.headers["Content-Encoding"] == "aes128gcm"
    message = json.loads(decrypt(request.body, browser_key, auth))
    assert message["title"] == "Sắp đến lượt" and mine["number"] in message["body"]
    assert message["url"] == mine["track_url"]
    # The VAPID token is signed by the key the page subscribes with, for the service's origin.
    scheme, params = request.headers["Authorization"].split(" ", 1)
    fields = dict(part.strip().split("=", 1) for part in params.split(","))  # RFC 8292, 3
    assert scheme == "vapid"
    token, public = fields["t"], fields["k"]
    head, claims, signature = token.split(".")
    assert json.loads(unb64(claims))["aud"] == "https://push.example.invalid"
    raw = unb64(signature)
    vapid = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64(public))
    vapid.verify(
        encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big")),
        f"{head}.{claims}".encode(),
        ec.ECDSA(hashes.SHA256()),
    )
    assert public in httpx.get(mine["track_url"]).text  # the page's applicationServerKey
    hall.act("call-next")
    hall.act("no-show")
    wait_for(lambda: contacts(live_server) == [])


def test_the_vapid_key_file_is_kept_and_read_back(tmp_path) -> None:
    """A key written by cryptography (as earlier versions did) is the one loaded again:
    replacing it would silently void every citizen's subscription."""
    earlier = ec.generate_private_key(ec.SECP256R1())
    (tmp_path / VAPID_FILE).write_bytes(
        earlier.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    point = earlier.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    assert VapidKey.load_or_create(tmp_path).public == b64(point)
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    made = VapidKey.load_or_create(fresh)
    assert stat.S_IMODE((fresh / VAPID_FILE).stat().st_mode) == 0o600
    assert VapidKey.load_or_create(fresh).public == made.public


def test_phone_numbers_are_read_the_vietnamese_way() -> None:
    assert normal_phone("+84 912 345 678") == "0912345678"
    assert normal_phone("0912.345.678") == "0912345678"
    assert normal_phone("912345678") is None and normal_phone("0912") is None


def test_a_change_made_by_another_server_process_reaches_the_pages(live_server) -> None:
    hub = live_server.runtime.tracking
    hall = Hall(live_server)
    for _ in range(2):
        hall.issue()
    mine = hall.issue()
    events = Events(f"{mine['track_url']}/events")
    try:
        assert "<dd>2</dd>" in events.until(lambda e: True)["html"]
        # As if another process on the same database ran the command: this one's hub is
        # not told, and finds the site's sequence number moved.
        hub.service.projector.watchers.remove(hub.changed)
        hall.serve_next()
        events.until(lambda e: "<dd>1</dd>" in e["html"])
    finally:
        events.close()
