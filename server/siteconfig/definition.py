"""What a site file stands for, as the engine's values plus the site's displays."""

from dataclasses import dataclass

from server.engine.model import Area, CounterConfig, Department, ServiceConfig, SiteConfig


@dataclass(frozen=True)
class Display:
    """A hall board showing one area; its token is enrolled apart (never in a file)."""

    id: str
    area: str
    name: str


@dataclass(frozen=True)
class SiteDefinition:
    """One site's whole configuration, in file order."""

    site: SiteConfig
    areas: tuple[Area, ...]
    departments: tuple[Department, ...]
    services: tuple[ServiceConfig, ...]
    counters: tuple[CounterConfig, ...]
    displays: tuple[Display, ...] = ()
