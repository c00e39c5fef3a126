"""The signed envelope of every MQTT message the server publishes (Ed25519).

A broker is not a trust boundary: a misconfigured one, or a device with broker
credentials, can publish anything on any topic. So the apps use a message only when
the server's key signed it, and the signature covers where and when it was made.

The payload stays the plain JSON of the contract message (a reader that does not
check signatures still parses it, unknown members are ignored), with two members
appended::

    {...message...,"origin":{"topic":...,"boot":...,"booted_at":...,"at":...,"conn":...},"sig":"<base64>"}

``sig`` is always the last member. It signs the payload's bytes without it: the
payload up to ``,"sig":`` followed by ``}``. So a verifier checks the exact bytes the
server wrote, with no canonical-JSON rules to agree on. ``origin`` is signed with the
message and says on which topic it was published (a signed message moved to another
topic is refused), which server life sent it (``boot``, ``booted_at``: the start of
the server process), when it was signed (``at``, the server's clock) and, for the
server status, which MQTT connection it belongs to (``conn``). The replay rules
built on them are in ``appkit.mqtt_state`` and docs/protocol.md.

Pure: no I/O; the key files are read and written by ``server.messaging.keys`` and
``appkit.server_key``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass
from datetime import datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

ALGORITHM = "ed25519"
_SIG_TAIL = re.compile(rb',"sig":"([A-Za-z0-9+/]{86}==)"\}\s*$')
_ORIGIN_KEY = "origin"
_ORIGIN_MEMBER = b'"' + _ORIGIN_KEY.encode() + b'":'


class Unverified(ValueError):
    """A payload that must not be used; ``reason`` is short and stable (for logs)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Origin:
    """Where and when the server signed a message (the signed ``origin`` member)."""

    topic: str
    boot: str
    booted_at: datetime
    at: datetime
    conn: str = ""

    def to_json(self) -> bytes:
        return json.dumps(
            {
                "topic": self.topic,
                "boot": self.boot,
                "booted_at": self.booted_at.isoformat(),
                "at": self.at.isoformat(),
                "conn": self.conn,
            },
            separators=(",", ":"),
        ).encode()

    @classmethod
    def from_obj(cls, data: object) -> Origin:
        if not isinstance(data, dict):
            raise Unverified("no origin")
        try:
            booted_at = datetime.fromisoformat(str(data["booted_at"]))
            at = datetime.fromisoformat(str(data["at"]))
            origin = cls(
                topic=str(data["topic"]),
                boot=str(data["boot"]),
                booted_at=booted_at,
                at=at,
                conn=str(data.get("conn", "")),
            )
        except (KeyError, ValueError, TypeError):
            raise Unverified("bad origin") from None
        if origin.at.tzinfo is None or origin.booted_at.tzinfo is None:
            raise Unverified("bad origin")
        return origin


class ServerKey:
    """The server's public key, as a device pins it: ``ed25519:<base64 of 32 bytes>``."""

    def __init__(self, key: Ed25519PublicKey) -> None:
        self._key = key

    @classmethod
    def from_text(cls, text: str) -> ServerKey:
        value = text.strip()
        prefix = f"{ALGORITHM}:"
        if not value.startswith(prefix):
            raise ValueError(f"a server key starts with {prefix!r}")
        try:
            raw = base64.b64decode(value[len(prefix) :], validate=True)
            return cls(Ed25519PublicKey.from_public_bytes(raw))
        except (binascii.Error, ValueError):
            raise ValueError("not an Ed25519 public key") from None

    @property
    def text(self) -> str:
        raw = self._key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        return f"{ALGORITHM}:{base64.b64encode(raw).decode()}"

    @property
    def fingerprint(self) -> str:
        """Short, for logs and for a person comparing two screens."""
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    def verify(self, signature: bytes, data: bytes) -> bool:
        try:
            self._key.verify(signature, data)
        except InvalidSignature:
            return False
        return True

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerKey) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return f"ServerKey({self.fingerprint})"


class SigningKey:
    """The server's private key; kept outside the database (``server.messaging.keys``)."""

    def __init__(self, key: Ed25519PrivateKey) -> None:
        self._key = key

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        key = serialization.load_pem_private_key(pem, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the signing key is not an Ed25519 private key")
        return cls(key)

    def __reduce__(self) -> tuple[object, tuple[bytes]]:
        # The snapshot process gets the key through the fork server's pipe (pickle).
        return (SigningKey.from_pem, (self.to_pem(),))

    def to_pem(self) -> bytes:
        return self._key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    @property
    def public(self) -> ServerKey:
        return ServerKey(self._key.public_key())

    def seal(self, body: bytes, origin: Origin) -> bytes:
        """The payload to publish: ``body`` (a JSON object) with origin and signature."""
        body = body.rstrip()
        if not body.startswith(b"{") or not body.endswith(b"}"):
            raise ValueError("only a JSON object can be signed")
        inner = body[:-1].rstrip()
        separator = b"" if inner == b"{" else b","
        signed = inner + separator + b'"' + _ORIGIN_KEY.encode() + b'":' + origin.to_json() + b"}"
        signature = base64.b64encode(self._key.sign(signed))
        return signed[:-1] + b',"sig":"' + signature + b'"}'


def open_sealed(key: ServerKey, topic: str, payload: bytes) -> tuple[Origin, bytes]:
    """Check a payload's signature and topic; returns its origin and the signed JSON.

    Raises :class:`Unverified` (unsigned, bad signature, another topic's message).
    The signed JSON parses as the contract message (``origin`` is an unknown member).
    """
    match = _SIG_TAIL.search(payload)
    if match is None:
        raise Unverified("unsigned")
    signed = payload[: match.start()] + b"}"
    signature = base64.b64decode(match.group(1))
    if not key.verify(signature, signed):
        raise Unverified("bad signature")
    # The bytes are the server's own: its ``origin`` is the last member (``seal``), so
    # only that tail is parsed here; the caller parses the message once, as its model.
    start = signed.rfind(_ORIGIN_MEMBER)
    if start < 0:
        raise Unverified("no origin")
    try:
        data = json.loads(signed[start + len(_ORIGIN_MEMBER) : -1])
    except ValueError:
        raise Unverified("bad origin") from None
    origin = Origin.from_obj(data)
    if origin.topic != topic:
        raise Unverified("signed for another topic")
    return origin, signed
