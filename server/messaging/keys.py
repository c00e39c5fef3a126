"""The server's signing key on disk, and the identity of this server's life (its boot).

The key lives in a file of its own (PEM, created 0600), never in the database: a copy
of the database must not let anyone sign messages the boards would believe. Several
server processes on one database share the same file (copy it; the devices pin one key).
"""

import logging
import os
import secrets
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from server.contract.signing import Origin, SigningKey

log = logging.getLogger(__name__)

KEY_FILE = "mqtt-signing-key.pem"


def load_or_create(path: Path) -> SigningKey:
    """Read the key at ``path``; on first start, create it (0600, never overwritten)."""
    try:
        pem = path.read_bytes()
    except FileNotFoundError:
        pass
    else:
        mode = stat.S_IMODE(path.stat().st_mode)
        if mode & 0o077:
            log.warning("the signing key %s is readable by others (mode %o): chmod 600", path, mode)
        try:
            return SigningKey.from_pem(pem)
        except ValueError as exc:
            raise ValueError(f"cannot read the signing key {path}: {exc}") from None
    key = SigningKey.generate()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it meanwhile: use theirs
        return SigningKey.from_pem(path.read_bytes())
    with os.fdopen(fd, "wb") as out:
        out.write(key.to_pem())
    log.info("created the MQTT signing key %s (server key %s)", path, key.public.fingerprint)
    return key


@dataclass(frozen=True)
class Signer:
    """Signs for one server life: ``boot`` and ``booted_at`` are the same in the server
    process and its snapshot process, so a board sees one life, not two."""

    key: SigningKey
    boot: str = field(default_factory=lambda: secrets.token_hex(8))
    booted_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def seal(self, topic: str, body: bytes, *, conn: str = "", at: datetime | None = None) -> bytes:
        origin = Origin(
            topic=topic,
            boot=self.boot,
            booted_at=self.booted_at,
            at=at or datetime.now(UTC),
            conn=conn,
        )
        return self.key.seal(body, origin)
