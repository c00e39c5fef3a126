"""Password and token hashing from the standard library (no new dependency).

Passwords: scrypt with a random salt, parameters stored with the hash so they
can be raised later. Counter PINs: the same scheme at a lower cost (``PIN_N``): a
PIN login checks every PIN of the site, and 4-8 digits are guarded by the lockout
after wrong tries, not by the hash's cost. Tokens: random, shown once, stored as
SHA-256.
"""

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1
PIN_N = 2**11


def hash_password(password: str, *, n: int = _N) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=n, r=_R, p=_P, dklen=32)
    salt_b64 = base64.b64encode(salt).decode()
    return f"scrypt${n}${_R}${_P}${salt_b64}${base64.b64encode(digest).decode()}"


def hash_pin(pin: str) -> str:
    """A counter PIN, checked with ``verify_password`` like a password."""
    return hash_password(pin, n=PIN_N)


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt_b64, digest_b64 = stored.split("$")
        if scheme != "scrypt":
            return False
        salt = base64.b64decode(salt_b64)
        expected = base64.b64decode(digest_b64)
        digest = hashlib.scrypt(
            password.encode(), salt=salt, n=int(n), r=int(r), p=int(p), dklen=len(expected)
        )
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, expected)


# A hash to check against when the user does not exist, so both cases take as long.
DUMMY_HASH = hash_password(secrets.token_urlsafe(8))


def new_token() -> str:
    """A bearer token that never starts with "-".

    Tokens are pasted on command lines (`qms kiosk --token T`); argparse reads a value
    starting with "-" as an option, so one token in 64 would not start its app.
    """
    while True:
        token = secrets.token_urlsafe(32)
        if not token.startswith("-"):
            return token


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
