"""Values passed around inside one command: who acts, what changed, the transaction."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from server.contract.messages import CallInfo
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
class Effects:
    """Which snapshots a committed change makes stale, and the calls to announce.

    ``counters`` go out at once; ``counts`` are counters whose snapshot changed only
    in its waiting counts (their next tickets and longest wait are the same), which,
    like the site's ``queue`` snapshot, the background pump may send a little later
    (see ``server.service.pump``). Every snapshot sent is complete, built from the
    database at the time it is built."""

    areas: set[str] = field(default_factory=set)
    counters: set[str] = field(default_factory=set)
    queue: bool = False
    calls: list[str] = field(default_factory=list)
    everything: bool = False
    counts: set[str] = field(default_factory=set)
    # The announcement of each call in ``calls`` as the command made it (when known):
    # the call event is then sent without reading the call back from the database.
    call_infos: dict[str, CallInfo] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return bool(
            self.areas
            or self.counters
            or self.counts
            or self.queue
            or self.calls
            or self.everything
        )

    def touch_service(self, bundle: SiteBundle, service: str) -> None:
        for counter in bundle.counters_for(service):
            self.counters.add(counter.id)
            self.areas.add(counter.area)
        self.queue = True

    def touch_counts(self, bundle: SiteBundle, service: str) -> None:
        """A ticket joined the end of a line of ``service`` behind at least as many
        tickets as a counter shows next: the counters of the service show the same
        next tickets and only a new waiting count; the boards' counts change too."""
        for counter in bundle.counters_for(service):
            self.counts.add(counter.id)
            self.areas.add(counter.area)
        self.queue = True

    def touch_counter(self, bundle: SiteBundle, counter_id: str) -> None:
        self.counters.add(counter_id)
        self.areas.add(bundle.counters[counter_id].area)
        self.queue = True


@dataclass
class Ctx:
    """One command's transaction: the locked site, its configuration and the clock."""

    repo: Repository
    site: Any  # the locked site: a light row with id, seq and config_version
    bundle: SiteBundle
    now: datetime
    day: date
    actor: Actor
    effects: Effects = field(default_factory=Effects)
    # A counter action: the ticket the counter held when the action began (a transient
    # row, read with the counter), or None.
    held: Any = None


@dataclass(frozen=True)
class Result:
    """A command's answer as the API sends it; ``replayed`` when it came from the store."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


class Ack(BaseModel):
    """The answer of an internal command that returns nothing else."""

    ok: bool = True
