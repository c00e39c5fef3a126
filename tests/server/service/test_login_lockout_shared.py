"""Wrong passwords and ended sessions live in the database: another server process on
the same database (or one restarted) counts the same guesses and forgets the same
tokens, on SQLite and PostgreSQL."""

import pytest

from server.messaging.publisher import RecordingPublisher
from server.service import QueueService, ServiceError
from server.service.lockout import ACCOUNT_MAX_WRONG, LOCKOUT
from server.storage.db import Database
from tests.server.backends import World


def _other_process(world: World) -> QueueService:
    """A second server on the same database, with its own memory (as after a restart)."""
    return QueueService(Database(world.db.url), RecordingPublisher(), clock=world.clock)


def test_wrong_passwords_counted_by_two_servers_lock_the_account_in_both(world: World) -> None:
    first, second = world.service, _other_process(world)
    try:
        for n in range(ACCOUNT_MAX_WRONG):
            with pytest.raises(ServiceError) as wrong:
                (first, second)[n % 2].accounts.login("c1", "wrong-password", address="10.0.0.7")
            assert wrong.value.code == "bad_credentials"
        restarted = _other_process(world)
        for server in (first, second, restarted):
            with pytest.raises(ServiceError) as locked:
                server.accounts.login("c1", "pw-c1", address="10.0.0.8")
            assert locked.value.code == "login_locked" and locked.value.status == 429
        assert second.accounts.login("c2", "pw-c2", address="10.0.0.8").username == "c2"
        world.clock.advance(LOCKOUT.total_seconds() + 1)
        assert restarted.accounts.login("c1", "pw-c1").username == "c1"
        restarted.db.dispose()
    finally:
        second.db.dispose()


def test_a_password_changed_by_another_process_ends_the_cached_token(world: World) -> None:
    server, admin = world.service, _other_process(world)
    try:
        server.accounts.watch_revocations()
        token = server.accounts.login("c1", "pw-c1").token
        assert server.accounts.authenticate(token).name == "c1"  # now cached here
        admin.accounts.change_password("c1", "a-long-new-password")
        assert server.accounts.cached_actor(token) is not None  # the other process's change...
        server.accounts.watch_revocations()  # ...is seen at the next look (the runtime's thread)
        assert server.accounts.cached_actor(token) is None
        with pytest.raises(ServiceError) as ended:
            server.accounts.authenticate(token)
        assert ended.value.status == 401
    finally:
        admin.db.dispose()
