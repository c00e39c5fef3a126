"""The server secret: a key kept in a file beside the database, never in it.

Counter PINs have 10,000 to 10^8 values, so a PIN hash alone falls to an offline search
in minutes, however slow the hash. Each PIN is therefore keyed with this secret
(HMAC-SHA256) before it is hashed: a stolen database without the file cannot be
searched. The file is made on first use, mode 0600, in the data directory; every server
process and every ``qms user pin`` of an installation must read the same file
(docs/deploy.md).
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

from server.security.hashing import hash_pin, verify_password
from server.security.private import private_dir

SECRET_FILE = "server.secret"  # noqa: S105 - a file name, not a secret
# PIN hashes made with the secret; a hash without it (made before) still verifies.
KEYED = "k1$"


def load_secret(data_dir: Path) -> bytes:
    """The installation's secret from ``DATA_DIR/server.secret``, made when missing."""
    path = private_dir(data_dir) / SECRET_FILE
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        text = path.read_text(encoding="ascii").strip()
        if len(text) < 64:
            raise ValueError(f"{path} does not hold a server secret (64 hex digits)") from None
        return bytes.fromhex(text)
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key.hex() + "\n")
    return key


def _keyed(pin: str, key: bytes) -> str:
    return hmac.new(key, pin.encode(), hashlib.sha256).hexdigest()


def hash_keyed_pin(pin: str, key: bytes) -> str:
    return KEYED + hash_pin(_keyed(pin, key))


def pin_matches(pin: str, stored: str, key: bytes) -> bool:
    if stored.startswith(KEYED):
        return verify_password(_keyed(pin, key), stored[len(KEYED) :])
    return verify_password(pin, stored)
