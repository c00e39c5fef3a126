"""Web Push (RFC 8030) with VAPID (RFC 8292) and message encryption (RFC 8291).

The server's VAPID key is a P-256 key kept in the data directory like its other
private files; the browser's subscription (endpoint, ``p256dh``, ``auth``) is stored
with the ticket (``TrackContactRow.push``). ``build`` makes the whole request (the
encrypted body and its headers); a ``PushSender`` delivers it: ``HttpPushSender`` in
production, ``RecordingPushSender`` in tests (no push service is reachable from them).
The cryptography is not ours: ``http_ece`` encrypts the body and ``py_vapid`` signs the
token, the two libraries pywebpush itself is built on (pywebpush would add requests
and aiohttp to send, where the server already has httpx; docs/dependencies.md).
"""

import base64
import json
import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import http_ece
import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid

from server.security.private import private_file

log = logging.getLogger(__name__)

VAPID_FILE = "vapid-private.pem"
RECORD_SIZE = 4096
TTL_S = 15 * 60  # a "near" notice older than this is no use to anyone
CONTACT = "mailto:admin@localhost"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidKey:
    """The server's application key: the browser binds a subscription to its public half."""

    def __init__(self, vapid: Vapid) -> None:
        if not isinstance(vapid.private_key, ec.EllipticCurvePrivateKey):
            raise ValueError("a VAPID key is an EC (P-256) private key")
        self.vapid = vapid

    @classmethod
    def load_or_create(cls, data_dir: Path) -> "VapidKey":
        path = data_dir / VAPID_FILE
        if path.exists() and path.stat().st_size:
            return cls(Vapid.from_pem(path.read_bytes()))
        vapid = Vapid()
        vapid.generate_keys()
        private_file(path).write_bytes(vapid.private_pem())
        return cls(vapid)

    @property
    def public(self) -> str:
        """The ``applicationServerKey`` the page subscribes with."""
        point = self.vapid.public_key.public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return b64url(point)

    def authorization(self, endpoint: str, now: float | None = None) -> str:
        """The ``Authorization`` header: a JWT (ES256) for the push service's origin."""
        parts = urlsplit(endpoint)
        claims = {
            "aud": f"{parts.scheme}://{parts.netloc}",
            "exp": int((now or time.time()) + 12 * 3600),
            "sub": CONTACT,
        }
        return str(self.vapid.sign(claims)["Authorization"])


@dataclass(frozen=True)
class PushRequest:
    endpoint: str
    headers: dict[str, str]
    body: bytes


def encrypt(payload: bytes, p256dh: str, auth: str) -> bytes:
    """The ``aes128gcm`` body of RFC 8291, keyed from a fresh sender key for each message
    (``http_ece`` adds a fresh salt and puts the sender's public key in the header)."""
    sender = ec.generate_private_key(ec.SECP256R1())
    body = http_ece.encrypt(
        payload,
        private_key=sender,
        dh=unb64url(p256dh),
        auth_secret=unb64url(auth),
        rs=RECORD_SIZE,
        version="aes128gcm",
    )
    return bytes(body)


def build(key: VapidKey, subscription: dict[str, Any], message: dict[str, str]) -> PushRequest:
    """The request that delivers ``message`` (JSON) to one browser's subscription."""
    endpoint = str(subscription["endpoint"])
    keys = subscription["keys"]
    body = encrypt(json.dumps(message).encode(), str(keys["p256dh"]), str(keys["auth"]))
    headers = {
        "Authorization": key.authorization(endpoint),
        "Content-Encoding": "aes128gcm",
        "Content-Type": "application/octet-stream",
        "TTL": str(TTL_S),
        "Urgency": "high",
    }
    return PushRequest(endpoint, headers, body)


def valid_subscription(data: Any) -> dict[str, Any] | None:
    """The parts of a browser's ``PushSubscription`` JSON we keep, or None when unusable."""
    keys = data.get("keys") if isinstance(data, dict) else None
    endpoint = data.get("endpoint") if isinstance(data, dict) else None
    if not isinstance(keys, dict) or not isinstance(endpoint, str):
        return None
    p256dh, auth = keys.get("p256dh"), keys.get("auth")
    if not endpoint.startswith("https://") or len(endpoint) > 1000:
        return None
    if not isinstance(p256dh, str) or not isinstance(auth, str):
        return None
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(p256dh))
        secret = unb64url(auth)
    except (ValueError, TypeError):
        return None
    if len(secret) != 16:
        return None
    return {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}


class PushSender(Protocol):
    def send(self, request: PushRequest) -> None: ...


class HttpPushSender:
    """Posts to the browser vendor's push service."""

    def send(self, request: PushRequest) -> None:
        response = httpx.post(
            request.endpoint, headers=request.headers, content=request.body, timeout=10
        )
        if response.status_code >= 400:
            log.warning("push service answered %d", response.status_code)


class RecordingPushSender:
    """Keeps every request handed to it (tests)."""

    def __init__(self) -> None:
        self._sent: list[PushRequest] = []
        self._lock = threading.Lock()

    def send(self, request: PushRequest) -> None:
        with self._lock:
            self._sent.append(request)

    @property
    def sent(self) -> list[PushRequest]:
        with self._lock:
            return list(self._sent)
