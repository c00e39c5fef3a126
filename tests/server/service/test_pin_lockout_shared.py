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
    first.accounts.set_pin("c1", "1111")
    pc = first.accounts.authenticate(first.devices.add("pc-1", DeviceKind.COUNTER, SITE))
    second, restarted = _other_process(world), _other_process(world)
    try:
        for server in (first, second, first, second, first):  # five wrong PINs in all
            with pytest.raises(ServiceError) as wrong:
                server.accounts.pin_login(SITE, "1", "0000", terminal=pc)
            assert wrong.value.status == 401
        for server in (first, second, restarted):
            with pytest.raises(ServiceError) as locked:
                server.accounts.pin_login(SITE, "1", "1111", terminal=pc)
            assert locked.value.code == "pin_locked"
        world.clock.advance(61)
        assert second.accounts.pin_login(SITE, "1", "1111", terminal=pc).token
        # Wrong tries through either server count toward the site's 20 (a right PIN
        # clears only its counter's count, so no counter locks on its own here).
        world.clock.advance(301)  # the five above are out of the window
        for round_ in range(5):
            for n in range(4):
                with pytest.raises(ServiceError) as wrong:
                    (first, second)[n % 2].accounts.pin_login(SITE, "1", "0000", terminal=pc)
                assert wrong.value.status == 401
            if round_ < 4:
                assert first.accounts.pin_login(SITE, "1", "1111", terminal=pc).token
        with pytest.raises(ServiceError) as site_locked:
            restarted.accounts.pin_login(SITE, "3", "1111", terminal=pc)  # a counter never tried
        assert site_locked.value.code == "pin_locked"
        assert "counter" not in site_locked.value.details  # the site's lock, not a counter's
        assert site_locked.value.details["retry_after_s"] == 300
    finally:
        second.db.dispose()
        restarted.db.dispose()
