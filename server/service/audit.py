"""The audit log as the console reads it, and records of changes made outside a site file."""

from typing import Any

from server.service.core import ServiceCore
from server.storage import audit
from server.storage.audit import AuditEntry


class Audit:
    """Who changed what; configuration changes are recorded by ``SiteConfigs`` itself."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core

    def record(
        self,
        *,
        actor: str,
        site: str | None,
        action: str,
        target: str = "",
        before: Any = None,
        after: Any = None,
    ) -> None:
        with self.core.db.write() as session:
            audit.record(
                session,
                at=self.core.clock(),
                actor=actor,
                site=site,
                action=action,
                target=target,
                before=before,
                after=after,
            )

    def entries(
        self,
        *,
        site: str | None = None,
        actor: str | None = None,
        action: str | None = None,
        limit: int = 200,
    ) -> list[AuditEntry]:
        with self.core.db.read() as session:
            return audit.entries(session, site=site, actor=actor, action=action, limit=limit)
