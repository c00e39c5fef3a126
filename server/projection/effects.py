"""What a committed change made stale: the one value that crosses from the service's
transactions to the projection (and, pickled, over the pipe to the snapshot process)."""

from dataclasses import dataclass, field

from server.contract.messages import CallInfo
from server.storage.mapping import SiteBundle


@dataclass
class Effects:
    """Which snapshots a committed change makes stale, and the calls to announce.

    ``counters`` go out at once; ``counts`` are counters whose snapshot changed only
    in its waiting counts (their next tickets and longest wait are the same), which,
    like the site's ``queue`` snapshot, the background pump may send a little later
    (see ``server.projection.pump``). Every snapshot sent is complete, built from the
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

    def merge(self, more: "Effects") -> None:
        """Add another change of the same site (the pump and the child merge bursts)."""
        self.areas |= more.areas
        self.counters |= more.counters
        self.counts |= more.counts
        self.queue = self.queue or more.queue
        self.everything = self.everything or more.everything
        self.calls.extend(more.calls)
        self.call_infos.update(more.call_infos)
