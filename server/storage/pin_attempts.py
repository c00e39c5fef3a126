"""Reading and storing the wrong-PIN counts of a site's counters and of the site."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import PinAttemptRow

Attempts = tuple[list[datetime], datetime | None]  # wrong PINs (oldest first), locked until


def read_attempts(session: Session, site: str, scopes: list[str]) -> dict[str, Attempts]:
    """Each scope's attempts (a counter id, or "" for the whole site); none yet: empty."""
    rows = session.scalars(
        select(PinAttemptRow).where(PinAttemptRow.site_id == site, PinAttemptRow.scope.in_(scopes))
    )
    found = {r.scope: ([datetime.fromisoformat(t) for t in r.wrong], r.locked_until) for r in rows}
    return {scope: found.get(scope, ([], None)) for scope in scopes}


def store_attempts(session: Session, site: str, scope: str, attempts: Attempts) -> None:
    """Write one scope's attempts (call under the site's lock: read, change, store)."""
    wrong, locked_until = attempts
    row = session.get(PinAttemptRow, (site, scope))
    if row is None:
        row = PinAttemptRow(site_id=site, scope=scope)
        session.add(row)
    row.wrong = [t.isoformat() for t in wrong]
    row.locked_until = locked_until
