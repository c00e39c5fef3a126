"""Counter PINs are stored as scrypt hashes, on SQLite and PostgreSQL."""

from sqlalchemy import select

from server.contract.vocab import DeviceKind
from server.storage.models import UserRow


def test_a_pin_is_stored_hashed_and_logs_in(world) -> None:
    world.service.accounts.set_pin("c1", "4821")
    with world.db.read() as s:
        stored = s.scalars(select(UserRow.pin_hash).where(UserRow.username == "c1")).one()
        others = set(s.scalars(select(UserRow.pin_hash).where(UserRow.username != "c1")))
    assert stored is not None and stored.startswith("k1$scrypt$") and "4821" not in stored
    assert others == {None}
    pc = world.service.accounts.authenticate(
        world.service.devices.add("pc-3", DeviceKind.COUNTER, "t1")
    )
    login = world.service.accounts.pin_login("t1", "3", "4821", terminal=pc)
    assert login.username == "c1"
    assert world.service.accounts.authenticate(login.token).name == "c1"
