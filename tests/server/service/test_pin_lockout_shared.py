"""Wrong PINs are counted in the database: a restart, or another server process on the
same database, still refuses PINs at a locked counter."""

import pytest

from server.contract.vocab import DeviceKind
from server.messaging.publisher import RecordingPublisher
from server.service import QueueService, ServiceError
from server.storage.db import Database
from tests.server.backends import SITE, World


def _other_process(world: World) -> QueueService:
    """A second server on the same database, with its own memory (as after a restart)."""
    return QueueService(Database(world.db.url), RecordingPublisher(), clock=world.clock)


def test_a_lockout_counted_by_one_server_holds_in_another(world: World) -> None:
    first = world.service
    first.set_pin("c1", "1111")
    pc = first.authenticate(first.add_device("pc-1", DeviceKind.COUNTER, SITE))
    second, restarted = _other_process(world), _other_process(world)
    try:
        for server in (first, second, first, second, first):  # five wrong PINs in all
            with pytest.raises(ServiceError) as wrong:
                server.pin_login(SITE, "1", "0000", terminal=pc)
            assert wrong.value.status == 401
        for server in (first, second, restarted):
            with pytest.raises(ServiceError) as locked:
                server.pin_login(SITE, "1", "1111", terminal=pc)
            assert locked.value.code == "pin_locked"
        world.clock.advance(61)
        assert second.pin_login(SITE, "1", "1111", terminal=pc).token
        # Wrong tries made through either server count toward the site's 20.
        for n in range(20):
            server = (first, second)[n % 2]
            counter = ("1", "2", "3")[n % 3]
            with pytest.raises(ServiceError):
                server.pin_login(SITE, counter, "0000", terminal=pc)
            if (n + 1) % 4 == 0:
                world.clock.advance(1)
        with pytest.raises(ServiceError) as site_locked:
            first.pin_login(SITE, "2", "1111", terminal=pc)
        assert site_locked.value.code == "pin_locked"
    finally:
        second.db.dispose()
        restarted.db.dispose()
