"""Demo data as plain values (no I/O): the loader in storage writes it to the database."""

from server.seed.demo import demo_sites
from server.seed.types import DeviceSeed, SiteSeed, UserSeed

__all__ = ["DeviceSeed", "SiteSeed", "UserSeed", "demo_sites"]
