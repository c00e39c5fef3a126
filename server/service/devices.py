"""Devices (kiosks, displays, counter PCs): registration and their reported status; and
the notice shown on a site's hall displays."""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.contract import topics
from server.contract.http import DeviceStatusIn, NoticeIn, NoticeOut
from server.contract.messages import DeviceStatus
from server.contract.vocab import DeviceKind, Role
from server.service import errors
from server.service.context import Actor, Ctx, Result
from server.service.core import ServiceCore
from server.service.hashing import new_token, token_hash
from server.storage.login_attempts import bump_auth_epoch
from server.storage.models import DeviceRow, DeviceStatusRow, NoticeRow, SiteRow

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


class DeviceService(ServiceCore):
    # ---- devices ---------------------------------------------------------------------

    def add_device(self, device_id: str, kind: DeviceKind, site: str, name: str = "") -> str:
        """Register a device (or give an existing one a new token); returns the token."""
        topics.check_slug(device_id)
        token = new_token()
        with self.db.write() as session:
            if session.get(SiteRow, site) is None:
                raise errors.unknown_site(site)
            row = session.get(DeviceRow, device_id)
            if row is None:
                row = DeviceRow(id=device_id, created_at=self.clock())
                session.add(row)
            else:  # a new token: the old one ends at once
                self._auth_cache.pop(row.token_hash, None)
                bump_auth_epoch(session)
            row.site_id = site
            row.kind = kind.value
            row.name = name or device_id
            row.token_hash = token_hash(token)
            row.active = True
        return token

    def list_devices(self, site: str | None = None) -> list[DeviceListed]:
        """``qms device list [--site]``: every registered device, revoked ones too."""
        with self.db.read() as session:
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

    def revoke_device(self, device_id: str) -> None:
        """``qms device revoke``: the device's token stops working at once, in every
        server process; ``qms device add`` again gives it a new one."""
        with self.db.write() as session:
            row = session.get(DeviceRow, device_id)
            if row is None:
                raise errors.unknown_device(device_id)
            old = row.token_hash
            row.active = False
            row.token_hash = token_hash(new_token())  # the old token can never match again
            bump_auth_epoch(session)
        self._auth_cache.pop(old, None)
        log.info("device %s revoked", device_id)

    def device_status(self, actor: Actor, body: DeviceStatusIn) -> DeviceStatus:
        if actor.kind != "device" or actor.site is None:
            raise errors.forbidden("gửi trạng thái thiết bị", "report a device status")
        now = self.clock()
        with self.db.write() as session:
            row = session.get(DeviceStatusRow, actor.name)
            if row is None:
                row = DeviceStatusRow(device_id=actor.name)
                session.add(row)
            row.online = body.online
            row.printer = body.printer
            row.detail = body.detail
            row.at = now
        message = self._device_message(actor.site, actor.name, actor.role, row)
        self.publisher.publish_snapshot(topics.device(actor.site, actor.name), message)
        return message

    def _device_message(
        self, site: str, device: str, kind: str, row: DeviceStatusRow
    ) -> DeviceStatus:
        return DeviceStatus(
            site=site,
            device=device,
            kind=kind,
            online=row.online,
            printer=row.printer,
            detail=row.detail,
            at=row.at,
        )

    def republish_devices(self, site_id: str) -> None:
        with self.db.read() as session:
            rows = session.execute(
                select(DeviceRow, DeviceStatusRow)
                .join(DeviceStatusRow, DeviceStatusRow.device_id == DeviceRow.id)
                .where(DeviceRow.site_id == site_id)
            ).all()
            messages = [
                (d.id, self._device_message(site_id, d.id, d.kind, status)) for d, status in rows
            ]
        for device_id, message in messages:
            self.publisher.publish_snapshot(topics.device(site_id, device_id), message)

    # ---- the notice on the hall displays -------------------------------------------------

    def set_notice(
        self, site_id: str, body: NoticeIn, actor: Actor, key: str | None, request_hash: str
    ) -> Result:
        if not actor.is_user or actor.role not in (Role.SUPERVISOR.value, Role.ADMIN.value):
            raise errors.forbidden("đặt thông báo", "set the notice")
        if not actor.may_use_site(site_id):
            raise errors.forbidden("thao tác tại điểm này", "act at this site")

        def apply(ctx: Ctx) -> tuple[int, NoticeOut]:
            ctx.repo.s.add(
                NoticeRow(site_id=ctx.site.id, text=body.text, set_by=actor.name, at=ctx.now)
            )
            ctx.effects.areas.update(ctx.bundle.areas)
            return 200, NoticeOut(text=body.text)

        return self.command(site_id, actor, key, request_hash, apply)
