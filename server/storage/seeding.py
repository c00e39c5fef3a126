"""Write sites (the demo's or any ``SiteSeed``) into the database, idempotently.

Running it again updates the configuration in place (and bumps the site's
``config_version`` so every process reloads it), keeps live state and existing
passwords, and gives each device the token passed in ``known_tokens`` or a new one.
"""

import functools
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.contract.vocab import DeviceKind
from server.security.hashing import hash_password, hash_pin, new_token, token_hash
from server.seed.types import SiteSeed
from server.storage.models import DeviceRow, UserRow
from server.storage.site_store import write_definition

CREDENTIALS_FILE = "demo-credentials.json"


@functools.lru_cache(maxsize=512)
def _seed_hash(password: str) -> str:
    """Demo passwords differ per account, so caching keeps salts unique per user and
    makes repeated seeding (tests start many servers) cheap."""
    return hash_password(password)


@functools.lru_cache(maxsize=512)
def _seed_pin_hash(pin: str) -> str:
    return hash_pin(pin)


def load_sites(
    session: Session,
    seeds: Iterable[SiteSeed],
    *,
    now: datetime,
    known_tokens: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Write every seed; returns ``device id -> token`` for the seeded devices."""
    tokens: dict[str, str] = {}
    for seed in seeds:
        tokens.update(load_site(session, seed, now=now, known_tokens=known_tokens or {}))
    return tokens


def load_site(
    session: Session, seed: SiteSeed, *, now: datetime, known_tokens: Mapping[str, str]
) -> dict[str, str]:
    site = seed.site
    write_definition(session, seed.definition(), now=now)

    _load_users(session, seed, now=now)

    tokens: dict[str, str] = {}
    for device in seed.devices:
        token = known_tokens.get(device.id) or new_token()
        dev = session.get(DeviceRow, device.id)
        if dev is None:
            dev = DeviceRow(id=device.id, created_at=now, active=True)
            session.add(dev)
        dev.site_id, dev.kind, dev.name = site.id, device.kind.value, device.name
        dev.area = device.area if device.kind is DeviceKind.DISPLAY else None
        dev.token_hash = token_hash(token)
        tokens[device.id] = token
    session.flush()
    return tokens


def _load_users(session: Session, seed: SiteSeed, *, now: datetime) -> None:
    """New accounts get their password; a PIN is set where the account has none yet."""
    for user in seed.users:
        u = session.scalars(select(UserRow).where(UserRow.username == user.username)).first()
        if u is None:
            u = UserRow(
                username=user.username,
                password_hash=_seed_hash(user.password),
                created_at=now,
                active=True,
            )
            session.add(u)
        u.display_name, u.role, u.site_id = user.display_name, user.role.value, seed.site.id
        if user.pin is not None and u.pin_hash is None:
            u.pin_hash = _seed_pin_hash(user.pin)


def seed_demo(
    db_url: str, data_dir: Path, *, now: datetime, always_open: bool = False
) -> dict[str, str]:
    """``qms seed demo``: migrate, load the demo sites, keep their device tokens in
    ``DATA_DIR/demo-credentials.json`` (demo only: real devices get ``qms device add``)."""
    from server.seed import demo_sites
    from server.storage.db import Database
    from server.storage.migrate import upgrade

    path = data_dir / CREDENTIALS_FILE
    known: dict[str, str] = {}
    if path.exists():
        try:
            known = dict(json.loads(path.read_text(encoding="utf-8")).get("devices", {}))
        except (ValueError, AttributeError):
            known = {}
    db = Database(db_url)
    try:
        upgrade(db.engine)
        seeds = demo_sites(always_open=always_open)
        with db.write() as session:
            tokens = load_sites(session, seeds, now=now, known_tokens=known)
    finally:
        db.dispose()
    accounts = [
        {
            "username": u.username,
            "password": u.password,
            "pin": u.pin,
            "site": seed.site.id,
            "role": u.role.value,
            "counter": u.counter,
        }
        for seed in seeds
        for u in seed.users
    ]
    data_dir.mkdir(parents=True, exist_ok=True)
    path.write_text(
        json.dumps({"devices": tokens, "users": accounts}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )
    path.chmod(0o600)
    return tokens
