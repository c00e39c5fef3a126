"""Reading and storing the wrong-password counts of accounts and client addresses, and
the epoch that ends cached sessions (``AuthEpochRow``)."""

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from server.storage.models import AuthEpochRow, LoginAttemptRow

Attempts = tuple[list[datetime], datetime | None]  # wrong passwords (oldest first), locked until
# A key untouched this long is forgotten (its window and any lockout are long over).
FORGET_AFTER = timedelta(days=1)


def read_login_attempts(
    session: Session, keys: list[str], *, for_update: bool = False
) -> dict[str, Attempts]:
    """Each key's attempts; none yet: empty. ``for_update``: lock the rows (PostgreSQL)
    so two processes never lose each other's count."""
    query = select(LoginAttemptRow).where(LoginAttemptRow.key.in_(keys))
    if for_update:
        query = query.with_for_update()
    rows = session.scalars(query)
    found = {r.key: ([datetime.fromisoformat(t) for t in r.wrong], r.locked_until) for r in rows}
    return {key: found.get(key, ([], None)) for key in keys}


def store_login_attempts(session: Session, key: str, attempts: Attempts, now: datetime) -> None:
    wrong, locked_until = attempts
    row = session.get(LoginAttemptRow, key)
    if row is None:
        row = LoginAttemptRow(key=key)
        session.add(row)
    row.wrong = [t.isoformat() for t in wrong]
    row.locked_until = locked_until
    row.updated_at = now


def forget_old_attempts(session: Session, now: datetime) -> None:
    """Guessed names must not fill the table: a key's row goes a day after its last use."""
    session.execute(delete(LoginAttemptRow).where(LoginAttemptRow.updated_at < now - FORGET_AFTER))


def auth_epoch(session: Session) -> int:
    return session.scalar(select(AuthEpochRow.epoch).where(AuthEpochRow.id == 1)) or 0


def bump_auth_epoch(session: Session) -> None:
    """In the transaction that ends sessions or tokens: every process drops its cache."""
    done = session.execute(
        update(AuthEpochRow).where(AuthEpochRow.id == 1).values(epoch=AuthEpochRow.epoch + 1)
    )
    if getattr(done, "rowcount", 1) == 0:
        session.add(AuthEpochRow(id=1, epoch=1))
