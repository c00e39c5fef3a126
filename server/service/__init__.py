"""The use-cases of the queue server: one transaction per command, then the projection.

``QueueService`` is what the API, the CLI and the runtime hold. It is composed of
parts, each with one job and each holding the shared ``ServiceCore`` (transactions)
as a field; callers ask for the part by name: ``service.tickets.issue(...)``,
``service.counters.act(...)``, ``service.accounts.login(...)``.
"""

from server.engine.policy import Policies
from server.messaging.publisher import Publisher
from server.projection.projector import Clock, Projector, SnapshotBuilder, utc_now
from server.service.accounts import Accounts
from server.service.alerts import Alerts
from server.service.audit import Audit
from server.service.context import Actor, Result
from server.service.core import ServiceCore
from server.service.counters import Counters
from server.service.devices import Devices
from server.service.directory import Directory
from server.service.errors import ServiceError
from server.service.gauges import Gauges
from server.service.hall import Hall
from server.service.notices import Notices
from server.service.reads import Reads
from server.service.site_config import SiteConfigs
from server.service.supervision import Supervision
from server.service.tickets import Tickets
from server.storage.db import Database


class QueueService:
    """Every use-case of the server over one database and one publisher."""

    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        *,
        public_url: str = "http://127.0.0.1:8080",
        clock: Clock = utc_now,
        policies: Policies | None = None,
        background: bool = False,
        builder: SnapshotBuilder | None = None,
    ) -> None:
        """``policies``: the call policies sites may name (the built-in ones by default).
        ``background`` and ``builder``: how snapshots are published (``Projector``)."""
        self.db = db
        self.projector = Projector(
            db,
            publisher,
            clock=clock,
            policies=policies,
            background=background,
            builder=builder,
        )
        self.core = ServiceCore(db, self.projector, clock=clock)
        self.tickets = Tickets(self.core, public_url)
        self.counters = Counters(self.core)
        self.supervision = Supervision(self.core, self.counters)
        self.accounts = Accounts(self.core)
        self.devices = Devices(self.core, self.accounts.forget_token)
        self.notices = Notices(self.core)
        self.gauges = Gauges(self.core, self.devices.silent_counts)
        self.reads = Reads(self.core)
        self.site_config = SiteConfigs(self.core)
        self.audit = Audit(self.core)
        self.directory = Directory(self.core, self.accounts, self.devices)
        self.hall = Hall(self.core)
        self.alerts = Alerts(self.core)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the snapshots of every committed change went out."""
        return self.projector.flush(timeout)

    def close(self) -> None:
        self.projector.close()


__all__ = ["Actor", "QueueService", "Result", "ServiceError"]
