"""Devices (kiosks, displays, counter PCs): registration and their reported status."""

import hmac
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select

from server.contract import topics
from server.contract.http import DeviceStatusIn
from server.contract.messages import DeviceStatus
from server.contract.vocab import DeviceKind
from server.projection.projector import device_status
from server.security.hashing import new_token, token_hash
from server.service import errors
from server.service.context import Actor
from server.service.core import ServiceCore
from server.storage.login_attempts import bump_auth_epoch
from server.storage.models import DeviceRow, DeviceStatusRow, SiteRow

log = logging.getLogger(__name__)

# How often a kiosk reports its status (``kiosk.state``: ``status_interval_s``); a device
# that missed two reports in a row is silent.
HEARTBEAT_S = 30.0


@dataclass(frozen=True)
class DeviceListed:
    """One line of ``qms device list``."""

    id: str
    site: str
    kind: str
    name: str
    active: bool
    last_seen: datetime | None


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
        message = device_status(actor.site, actor.name, actor.role, row)
        self.core.projector.send_device_status(message)
        return message

    def silent_by_site(self) -> dict[str, int]:
        """Active devices per site whose last status is older than two heartbeats
        (``/metrics``). Only devices that report over HTTP (the kiosks) have a status
        row; one that never reported is not counted."""
        since = self.core.clock() - timedelta(seconds=2 * HEARTBEAT_S)
        query = (
            select(DeviceRow.site_id, func.count())
            .join(DeviceStatusRow, DeviceStatusRow.device_id == DeviceRow.id)
            .where(DeviceRow.active.is_(True), DeviceStatusRow.at < since)
            .group_by(DeviceRow.site_id)
        )
        with self.core.db.read() as session:
            return {site: int(n) for site, n in session.execute(query).all()}
