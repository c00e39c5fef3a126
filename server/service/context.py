"""Values passed around inside one command: who acts, what changed, the transaction."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from server.engine.policy import CallPolicy
from server.projection.effects import Effects
from server.storage.mapping import SiteBundle
from server.storage.repository import Repository


@dataclass(frozen=True)
class Actor:
    """Who sends a request: a logged-in user or a device with its own token."""

    kind: str  # "user" or "device"
    name: str  # username or device id
    role: str  # clerk/supervisor/admin, or the device kind
    site: str | None
    display_name: str = ""
    token_hash: str = ""

    @property
    def scope(self) -> str:
        """The idempotency scope: keys of different callers never collide."""
        return f"{self.kind}:{self.name}"

    @property
    def is_user(self) -> bool:
        return self.kind == "user"

    def may_use_site(self, site: str) -> bool:
        return self.site is None or self.site == site


@dataclass
class Ctx:
    """One command's transaction: the locked site, its configuration and the clock."""

    repo: Repository
    site: Any  # the locked site: a light row with id, seq and config_version
    bundle: SiteBundle
    now: datetime
    day: date
    actor: Actor
    policy: CallPolicy  # the site's, as its snapshots use it
    effects: Effects = field(default_factory=Effects)
    # A counter action: the ticket the counter held when the action began (a transient
    # row, read with the counter), or None.
    held: Any = None
    # A supervisor acts on the counter from the console or the supervisors' API: the
    # clerk on it stays, no take-over, and the change is audited as theirs.
    supervised: bool = False


@dataclass(frozen=True)
class Result:
    """A command's answer as the API sends it; ``replayed`` when it came from the store."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


class Ack(BaseModel):
    """The answer of an internal command that returns nothing else."""

    ok: bool = True
