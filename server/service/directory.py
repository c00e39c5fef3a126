"""The console's view of people and devices: lists, and the few changes ``Accounts`` and
``Devices`` lack (a role change without a new password, disabling, revoking)."""

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from server.contract.vocab import DeviceKind, Role
from server.service import errors
from server.service.accounts import Accounts
from server.service.core import ServiceCore
from server.service.devices import Devices
from server.service.pins import PIN_ROLES
from server.storage.models import DeviceRow, DeviceStatusRow, SiteRow, UserRow


@dataclass(frozen=True)
class UserSummary:
    username: str
    display_name: str
    role: str
    site: str | None
    active: bool
    has_pin: bool


@dataclass(frozen=True)
class DeviceSummary:
    id: str
    kind: str
    name: str
    area: str | None
    active: bool
    last_heard: datetime | None
    online: bool | None


_KIND_ORDER = {
    DeviceKind.KIOSK.value: 0,
    DeviceKind.DISPLAY.value: 1,
    DeviceKind.LED.value: 2,
    DeviceKind.COUNTER.value: 3,
}


def _natural(text: str) -> list[tuple[int, str]]:
    """Digits as numbers, so ids sort as people count."""
    return [(int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", text)]


class Directory:
    """Who and what belongs to a site, for the people who administer it."""

    def __init__(self, core: ServiceCore, accounts: Accounts, devices: Devices) -> None:
        self.core = core
        self.accounts = accounts
        self._devices = devices

    def users(self, site: str, *, with_global: bool = False) -> list[UserSummary]:
        """The site's accounts; ``with_global`` adds those of no site (administrators)."""
        with self.core.db.read() as session:
            query = select(UserRow).order_by(UserRow.username)
            where = UserRow.site_id == site
            if with_global:
                where = where | UserRow.site_id.is_(None)
            return [
                UserSummary(
                    u.username, u.display_name, u.role, u.site_id, u.active, u.pin_hash is not None
                )
                for u in session.scalars(query.where(where))
            ]

    def user(self, username: str) -> UserSummary:
        with self.core.db.read() as session:
            u = session.scalars(select(UserRow).where(UserRow.username == username)).first()
            if u is None:
                raise errors.unknown_user(username)
            return UserSummary(
                u.username, u.display_name, u.role, u.site_id, u.active, u.pin_hash is not None
            )

    def update_user(
        self, username: str, *, role: Role, site: str | None, display_name: str
    ) -> bool:
        """Role, site and name, keeping the password; a PIN goes with a site or role change
        (as in ``Accounts.add_user``): returns whether it went."""
        with self.core.db.write() as session:
            if site is not None and session.get(SiteRow, site) is None:
                raise errors.unknown_site(site)
            row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
            if row is None:
                raise errors.unknown_user(username)
            cleared = bool(row.pin_hash) and (row.site_id != site or role.value not in PIN_ROLES)
            if cleared:
                row.pin_hash = None
            row.role, row.site_id = role.value, site
            row.display_name = display_name or username
        return cleared

    def set_active(self, username: str, active: bool) -> None:
        """Disabling ends every open session of the account at once, in every server
        process (``Accounts.set_active``)."""
        self.accounts.set_active(username, active)

    def devices(self, site: str) -> list[DeviceSummary]:
        """Kiosks, then displays, then counter PCs; ``counter-pc-2`` before ``counter-pc-10``."""
        with self.core.db.read() as session:
            found = session.execute(
                select(DeviceRow, DeviceStatusRow)
                .outerjoin(DeviceStatusRow, DeviceStatusRow.device_id == DeviceRow.id)
                .where(DeviceRow.site_id == site)
            ).all()
            rows = sorted(found, key=lambda r: (_KIND_ORDER.get(r[0].kind, 9), _natural(r[0].id)))
            return [
                DeviceSummary(
                    d.id,
                    d.kind,
                    d.name,
                    d.area,
                    d.active,
                    s.at if s is not None else None,
                    s.online if s is not None else None,
                )
                for d, s in rows
            ]

    def device_site(self, device_id: str) -> str | None:
        """The site a device id belongs to, or None when the id is free."""
        with self.core.db.read() as session:
            row = session.get(DeviceRow, device_id)
            return row.site_id if row is not None else None

    def revoke_device(self, device_id: str, site: str) -> None:
        """The device's token stops working at once (``Devices.revoke``); enrolling it
        again gives a new one. Only a device of ``site``: a console page of one site
        cannot reach another's."""
        if self.device_site(device_id) != site:
            raise errors.unknown_device(device_id)
        self._devices.revoke(device_id)
