"""The shape of demo data: engine values plus the accounts and devices of a site."""

from dataclasses import dataclass
from typing import NamedTuple

from server.contract.vocab import DeviceKind, Role
from server.engine.model import Area, CounterConfig, Department, ServiceConfig, SiteConfig
from server.siteconfig.definition import Display, SiteDefinition


class UserSeed(NamedTuple):
    """An account; ``counter`` is the counter a clerk normally sits at (None for others);
    ``pin`` the counter PIN (4-8 digits, unique in the site) or None."""

    username: str
    display_name: str
    role: Role
    password: str
    counter: str | None
    pin: str | None = None


class DeviceSeed(NamedTuple):
    """A kiosk, display or counter PC; ``area`` is the area a display shows (None: the
    whole site, or not a display)."""

    id: str
    kind: DeviceKind
    name: str
    area: str | None


@dataclass(frozen=True)
class SiteSeed:
    """Everything the loader writes for one site. Pure data: no I/O, no clock."""

    site: SiteConfig
    areas: tuple[Area, ...]
    departments: tuple[Department, ...]
    services: tuple[ServiceConfig, ...]
    counters: tuple[CounterConfig, ...]
    users: tuple[UserSeed, ...]
    devices: tuple[DeviceSeed, ...]
    address: str = ""  # for people reading the demo; the engine does not need it

    def definition(self) -> SiteDefinition:
        """The configuration part, as a site file holds it (accounts and tokens are not)."""
        return SiteDefinition(
            site=self.site,
            areas=self.areas,
            departments=self.departments,
            services=self.services,
            counters=self.counters,
            displays=tuple(
                Display(d.id, d.area, d.name)
                for d in self.devices
                if d.kind is DeviceKind.DISPLAY and d.area is not None
            ),
        )
