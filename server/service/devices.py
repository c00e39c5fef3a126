"""Devices (kiosks, displays, counter PCs): registration and their reported status."""

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.alerts.liveness import is_silent
from server.contract import topics
from server.contract.http import DeviceStatusIn
from server.contract.messages import DeviceStatus
from server.contract.vocab import HEARTBEAT_S, DeviceKind
from server.projection.projector import device_status
from server.security.hashing import new_token, token_hash
from server.service import errors
from server.service.context import Actor
from server.service.core import ServiceCore
from server.storage.login_attempts import bump_auth_epoch
from server.storage.models import DeviceRow, DeviceStatusRow, SiteRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeviceListed:
    """One line of ``qms device list``."""

    id: str
    site: str
    kind: str
    name: str
    active: bool
    last_seen: datetime | None


@dataclass(frozen=True)
class DeviceSeen:
    """An active device as the live hall shows it: its last report and whether it is
    silent (two heartbeats missed). ``last_seen`` None: it never reported."""

    id: str
    site: str
    kind: str
    name: str
    last_seen: datetime | None
    heartbeat_s: int
    online: bool
    printer: str | None
    detail: str
    silent: bool

    def message(self) -> DeviceStatus | None:
        """Its retained status with the silence applied (None before any report)."""
        if self.last_seen is None:
            return None
        return DeviceStatus(
            site=self.site,
            device=self.id,
            kind=self.kind,
            online=self.online and not self.silent,
            printer=self.printer,
            detail=self.detail,
            at=self.last_seen,
            silent=self.silent,
        )


class Devices:
    """The devices of the sites, each with its own token, and what they report."""

    def __init__(self, core: ServiceCore, forget_token: Callable[[str], None]) -> None:
        """``forget_token``: drops a token from the accounts' cache of bearer tokens,
        so a device given a new token or revoked here is refused at once."""
        self.core = core
        self._forget_token = forget_token

    def add(self, device_id: str, kind: DeviceKind, site: str, name: str = "") -> str:
        """Register a device (or give an existing one a new token); returns the token."""
        topics.check_slug(device_id)
        token = new_token()
        with self.core.db.write() as session:
            if session.get(SiteRow, site) is None:
                raise errors.unknown_site(site)
            row = session.get(DeviceRow, device_id)
            if row is None:
                row = DeviceRow(id=device_id, created_at=self.core.clock())
                session.add(row)
            else:  # a new token: the old one ends at once
                self._forget_token(row.token_hash)
                bump_auth_epoch(session)
            row.site_id = site
            row.kind = kind.value
            row.name = name or device_id
            row.token_hash = token_hash(token)
            row.active = True
        return token

    def broker_site(self, device_id: str, token: str) -> str | None:
        """The site of the active device with this id and token, for the embedded
        broker's login check; ``None`` refuses it."""
        with self.core.db.read() as session:
            row = session.get(DeviceRow, device_id)
            if row is None or not row.active:
                return None
            if not hmac.compare_digest(row.token_hash, token_hash(token)):
                return None
            return row.site_id

    def listed(self, site: str | None = None) -> list[DeviceListed]:
        """``qms device list [--site]``: every registered device, revoked ones too."""
        with self.core.db.read() as session:
            query = select(DeviceRow, DeviceStatusRow).outerjoin(
                DeviceStatusRow, DeviceStatusRow.device_id == DeviceRow.id
            )
            if site is not None:
                query = query.where(DeviceRow.site_id == site)
            rows = session.execute(query.order_by(DeviceRow.site_id, DeviceRow.id)).all()
            return [
                DeviceListed(
                    id=d.id,
                    site=d.site_id,
                    kind=d.kind,
                    name=d.name,
                    active=d.active,
                    last_seen=status.at if status is not None else None,
                )
                for d, status in rows
            ]

    def seen(self, site: str | None = None) -> list[DeviceSeen]:
        """Every active device (of a site, or of all) with its liveness now, in one read."""
        now = self.core.clock()
        with self.core.db.read() as session:
            query = (
                select(DeviceRow, DeviceStatusRow)
                .outerjoin(DeviceStatusRow, DeviceStatusRow.device_id == DeviceRow.id)
                .where(DeviceRow.active.is_(True))
            )
            if site is not None:
                query = query.where(DeviceRow.site_id == site)
            rows = session.execute(query.order_by(DeviceRow.site_id, DeviceRow.id)).all()
            return [_seen(d, status, now) for d, status in rows]

    def silent_counts(self) -> dict[str, int]:
        """How many active devices of each site are silent now (``/metrics``); a site
        with none is absent."""
        out: dict[str, int] = {}
        for d in self.seen():
            if d.silent:
                out[d.site] = out.get(d.site, 0) + 1
        return out

    def announce_silence(self, device: DeviceSeen) -> None:
        """Publish a device's retained status again with its silence (or its return)
        applied, so whoever reads the status topic does not take its last word as live."""
        message = device.message()
        if message is not None:
            self.core.projector.send_device_status(message)

    def revoke(self, device_id: str) -> None:
        """``qms device revoke``: the device's token stops working at once, in every
        server process; ``qms device add`` again gives it a new one."""
        with self.core.db.write() as session:
            row = session.get(DeviceRow, device_id)
            if row is None:
                raise errors.unknown_device(device_id)
            old = row.token_hash
            row.active = False
            row.token_hash = token_hash(new_token())  # the old token can never match again
            bump_auth_epoch(session)
        self._forget_token(old)
        log.info("device %s revoked", device_id)

    def report_status(self, actor: Actor, body: DeviceStatusIn) -> DeviceStatus:
        """Store a device's status and publish it (retained) at once."""
        if actor.kind != "device" or actor.site is None:
            raise errors.forbidden("gửi trạng thái thiết bị", "report a device status")
        now = self.core.clock()
        with self.core.db.write() as session:
            row = session.get(DeviceStatusRow, actor.name)
            if row is None:
                row = DeviceStatusRow(device_id=actor.name)
                session.add(row)
            row.online = body.online
            row.printer = body.printer
            row.detail = body.detail
            row.at = now
            row.heartbeat_s = body.heartbeat_s
        message = device_status(actor.site, actor.name, actor.role, row)
        self.core.projector.send_device_status(message)
        return message


def _seen(d: DeviceRow, status: DeviceStatusRow | None, now: datetime) -> DeviceSeen:
    if status is None:
        return DeviceSeen(
            d.id, d.site_id, d.kind, d.name, None, HEARTBEAT_S, False, None, "", silent=False
        )
    return DeviceSeen(
        id=d.id,
        site=d.site_id,
        kind=d.kind,
        name=d.name,
        last_seen=status.at,
        heartbeat_s=status.heartbeat_s,
        online=status.online,
        printer=status.printer,
        detail=status.detail,
        silent=is_silent(status.at, status.heartbeat_s, now),
    )
