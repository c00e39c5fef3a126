"""Test helpers shared by the storage, service and API tests: a tiny site, a settable
clock, and a database on SQLite or on the session's PostgreSQL."""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest

from server.contract.vocab import DeviceKind, Role
from server.engine.model import (
    Area,
    CounterConfig,
    Department,
    NumberFormat,
    OpeningHours,
    PriorityCategory,
    ServiceConfig,
    SiteConfig,
)
from server.messaging.publisher import RecordingPublisher
from server.seed.types import DeviceSeed, SiteSeed, UserSeed
from server.service import Actor, QueueService
from server.storage.db import Database
from server.storage.migrate import upgrade
from server.storage.seeding import load_sites

SITE = "t1"
ALWAYS = OpeningHours(windows=((time(0, 0), time(23, 59, 59)),), weekdays=frozenset(range(7)))


def tiny_site(site_id: str = SITE) -> SiteSeed:
    return SiteSeed(
        site=SiteConfig(
            id=site_id,
            name="Điểm thử",
            name_en="Test point",
            hours=ALWAYS,
            priority_categories=(PriorityCategory("elderly", "Người cao tuổi", "Elderly"),),
        ),
        areas=(Area("A", "Khu A", "Zone A"),),
        departments=(Department("tp", "Sở Tư pháp", "Department of Justice"),),
        services=(
            ServiceConfig(
                "ht", "tp", "Hộ tịch", "Civil status", NumberFormat("block", start=1001, end=1999)
            ),
            ServiceConfig(
                "ct",
                "tp",
                "Chứng thực",
                "Certification",
                NumberFormat("prefix", "C", 3),
                daily_quota=50,
            ),
        ),
        counters=(
            CounterConfig("1", 1, "Quầy 1", "A", ("ht", "ct")),
            CounterConfig("2", 2, "Quầy 2", "A", ("ht",)),
            CounterConfig("3", 3, "Quầy 3", "A", ("ct",)),
        ),
        users=(
            UserSeed("c1", "Cán bộ 1", Role.CLERK, "pw-c1", "1"),
            UserSeed("c2", "Cán bộ 2", Role.CLERK, "pw-c2", "2"),
            UserSeed("c3", "Cán bộ 3", Role.CLERK, "pw-c3", "3"),
            UserSeed("boss", "Giám sát", Role.SUPERVISOR, "pw-boss", None),
        ),
        devices=(
            DeviceSeed(f"{site_id}-kiosk", DeviceKind.KIOSK, "Ki-ốt", None),
            DeviceSeed(f"{site_id}-display", DeviceKind.DISPLAY, "Màn hình", "A"),
        ),
    )


@dataclass
class Clock:
    """A clock the test moves by hand (aware UTC)."""

    now: datetime = field(default_factory=lambda: datetime(2026, 3, 2, 2, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@dataclass
class World:
    db: Database
    service: QueueService
    publisher: RecordingPublisher
    clock: Clock
    tokens: dict[str, str]

    def actor(self, username: str, password: str) -> Actor:
        return self.service.accounts.authenticate(
            self.service.accounts.login(username, password).token
        )

    @property
    def kiosk(self) -> Actor:
        return self.service.accounts.authenticate(self.tokens[f"{SITE}-kiosk"])


def make_world(url: str, clock: Clock | None = None, site: SiteSeed | None = None) -> World:
    db = Database(url)
    upgrade(db.engine)
    clock = clock or Clock()
    with db.write() as session:
        tokens = load_sites(session, [site or tiny_site()], now=clock())
    publisher = RecordingPublisher()
    service = QueueService(db, publisher, public_url="https://q.example", clock=clock)
    return World(db, service, publisher, clock, tokens)


def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'qms.sqlite3'}"


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("postgres", id="postgres", marks=pytest.mark.postgres),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return sqlite_url(tmp_path)
    server = request.getfixturevalue("postgres_server")
    url: str = server.create_database()
    return url


@pytest.fixture
def world(db_url: str) -> Iterator[World]:
    w = make_world(db_url)
    yield w
    w.db.dispose()
