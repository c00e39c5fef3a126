"""Where commands run (server.api.dispatch): inline on SQLite, in a site's lane otherwise."""

import asyncio
import threading
import zlib

from server.api.dispatch import CommandRunner
from server.contract.http import TicketIn
from tests.server.backends import SITE, World


def _lane_of(site: str, lanes: int) -> int:
    return zlib.crc32(site.encode()) % lanes


def test_a_command_runs_inline_on_sqlite_and_in_its_sites_lane_on_postgresql(
    world: World,
) -> None:
    runner = CommandRunner(world.service.core, lanes=4)
    kiosk = world.kiosk

    def issue(key: str) -> tuple[str, str]:
        result = world.service.tickets.issue(SITE, TicketIn(service="ht"), kiosk, key, key)
        return threading.current_thread().name, result.body["number"]

    async def issue_three() -> list[tuple[str, str]]:
        return [await runner.run(SITE, lambda k=k: issue(k)) for k in ("a", "b", "c")]

    try:
        ran = asyncio.run(issue_three())
    finally:
        runner.close()
    assert [number for _, number in ran] == ["1001", "1002", "1003"]
    threads = {name for name, _ in ran}
    if world.db.is_sqlite:
        assert threads == {threading.current_thread().name}
    else:
        assert threads == {f"commands-{_lane_of(SITE, 4)}_0"}


def test_a_site_waiting_in_its_lane_holds_up_no_site_of_another_lane() -> None:
    runner = CommandRunner(_NeverAtOnce(), lanes=2)  # type: ignore[arg-type]
    blocked = next(s for s in (f"s{i}" for i in range(99)) if _lane_of(s, 2) == 0)
    other = next(s for s in (f"s{i}" for i in range(99)) if _lane_of(s, 2) == 1)
    started, release = threading.Event(), threading.Event()

    def stuck() -> str:
        started.set()
        release.wait(10)
        return "late"

    async def both() -> tuple[str, str]:
        waiting = asyncio.ensure_future(runner.run(blocked, stuck))
        await asyncio.sleep(0)
        assert await asyncio.to_thread(started.wait, 10)
        first = await runner.run(other, lambda: "on time")
        release.set()
        return first, await waiting

    try:
        assert asyncio.run(both()) == ("on time", "late")
    finally:
        release.set()
        runner.close()


class _NeverAtOnce:
    """A service core whose commands never run inline (PostgreSQL's case)."""

    def at_once(self, command: object) -> None:
        return None
