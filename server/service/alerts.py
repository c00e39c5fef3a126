"""The alert log of the live hall: raised, acknowledged by whom, cleared.

The conditions come from ``server.alerts.evaluate`` (pure); this part only writes what
changed. An alert is raised once per trouble: its ``open_key`` (site and condition key) is
unique while it is not cleared, so two server processes that see the same trouble write it
once. It stays until its condition no longer holds (cleared) whether or not a supervisor
acknowledged it; an acknowledged alert stops sounding on the live view.
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from server.alerts import Condition
from server.contract.vocab import Role
from server.service import errors
from server.service.context import Actor
from server.service.core import ServiceCore
from server.storage.models import AlertRow

log = logging.getLogger(__name__)

STAFF = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})


@dataclass(frozen=True)
class AlertSeen:
    id: int
    site: str
    key: str
    kind: str
    message_vi: str
    message_en: str
    raised_at: datetime
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    cleared_at: datetime | None

    @property
    def open(self) -> bool:
        return self.cleared_at is None


def _seen(row: AlertRow) -> AlertSeen:
    return AlertSeen(
        id=row.id,
        site=row.site_id,
        key=row.key,
        kind=row.kind,
        message_vi=row.message_vi,
        message_en=row.message_en,
        raised_at=row.raised_at,
        acknowledged_at=row.acknowledged_at,
        acknowledged_by=row.acknowledged_by,
        cleared_at=row.cleared_at,
    )


def _open_key(site: str, key: str) -> str:
    return f"{site}|{key}"[:240]


class Alerts:
    """Raises, clears and acknowledges a site's alerts; reads their log."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core

    def open(self, site: str | None = None) -> list[AlertSeen]:
        """The alerts not cleared (of a site, or of all), oldest first."""
        with self.core.db.read() as session:
            query = select(AlertRow).where(AlertRow.cleared_at.is_(None))
            if site is not None:
                query = query.where(AlertRow.site_id == site)
            return [_seen(r) for r in session.scalars(query.order_by(AlertRow.id))]

    def log(self, site: str, limit: int = 200) -> list[AlertSeen]:
        """The latest alerts of a site, cleared ones too, newest first."""
        with self.core.db.read() as session:
            rows = session.scalars(
                select(AlertRow)
                .where(AlertRow.site_id == site)
                .order_by(AlertRow.id.desc())
                .limit(limit)
            )
            return [_seen(r) for r in rows]

    def open_counts(self) -> dict[str, int]:
        """How many alerts each site has open (the installation view)."""
        with self.core.db.read() as session:
            rows = session.execute(
                select(AlertRow.site_id, func.count())
                .where(AlertRow.cleared_at.is_(None))
                .group_by(AlertRow.site_id)
            ).all()
            return {row[0]: row[1] for row in rows}

    def sync(self, site: str, conditions: list[Condition]) -> bool:
        """Raise the conditions not yet open, clear the open alerts whose condition no
        longer holds; True when anything changed."""
        now = self.core.clock()
        wanted = {c.key: c for c in conditions}
        changed = False
        with self.core.db.write() as session:
            open_rows = session.scalars(
                select(AlertRow).where(AlertRow.site_id == site, AlertRow.cleared_at.is_(None))
            ).all()
            have = {r.key for r in open_rows}
            for row in open_rows:
                if row.key not in wanted:
                    row.cleared_at = now
                    row.open_key = None
                    changed = True
            session.flush()
            for key, condition in wanted.items():
                if key in have:
                    continue
                try:
                    with session.begin_nested():
                        session.add(
                            AlertRow(
                                site_id=site,
                                key=key,
                                kind=condition.kind.value,
                                message_vi=condition.vi[:300],
                                message_en=condition.en[:300],
                                raised_at=now,
                                open_key=_open_key(site, key),
                            )
                        )
                    changed = True
                except IntegrityError:  # another server process raised it first
                    log.debug("alert %s of %s already raised", key, site)
        return changed

    def acknowledge(self, actor: Actor, site: str, alert_id: int) -> AlertSeen:
        """A supervisor (of the site) or an administrator has seen the alert."""
        if actor.kind != "user" or actor.role not in STAFF:
            raise errors.forbidden("xác nhận cảnh báo", "acknowledge an alert")
        if actor.role != Role.ADMIN.value and actor.site != site:
            raise errors.forbidden("xác nhận cảnh báo", "acknowledge an alert")
        now = self.core.clock()
        with self.core.db.write() as session:
            session.execute(
                update(AlertRow)
                .where(
                    AlertRow.id == alert_id,
                    AlertRow.site_id == site,
                    AlertRow.acknowledged_at.is_(None),
                )
                .values(acknowledged_at=now, acknowledged_by=actor.name)
            )
            row = session.get(AlertRow, alert_id)
            if row is None or row.site_id != site:
                raise errors.unknown_alert(alert_id)
            return _seen(row)
