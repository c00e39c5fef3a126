"""The audit log: who changed what, when, with the values before and after."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.models import AuditRow


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    actor: str
    site: str | None
    action: str
    target: str
    before: Any
    after: Any


def record(
    session: Session,
    *,
    at: datetime,
    actor: str,
    site: str | None,
    action: str,
    target: str = "",
    before: Any = None,
    after: Any = None,
) -> None:
    """Add a row in the caller's transaction: the change and its record commit together."""
    session.add(
        AuditRow(
            at=at,
            actor=actor,
            site_id=site,
            action=action,
            target=target[:200],
            before=before,
            after=after,
        )
    )


def entries(
    session: Session,
    *,
    site: str | None = None,
    actor: str | None = None,
    action: str | None = None,
    limit: int = 200,
) -> list[AuditEntry]:
    """Newest first; each filter left as None matches everything."""
    query = select(AuditRow).order_by(AuditRow.id.desc()).limit(limit)
    if site is not None:
        query = query.where(AuditRow.site_id == site)
    if actor is not None:
        query = query.where(AuditRow.actor == actor)
    if action is not None:
        query = query.where(AuditRow.action.startswith(action))
    return [
        AuditEntry(r.id, r.at, r.actor, r.site_id, r.action, r.target, r.before, r.after)
        for r in session.scalars(query)
    ]
