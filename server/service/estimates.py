"""The wait promised to a citizen, by the site's estimator, from what storage holds.

The engine's estimators (``server.engine.estimators``) answer from a ``Line``: the
counters, the waiting tickets, the day's history. This part builds that ``Line`` from
the database (``server.projection.site_state.SiteState``): today's waiting tickets, the
counters' states, and the recent calls (hold times, waits, how fast citizens come).

Reading a busy site's line costs far more than the estimate itself, and an issue reads
it under the site's lock. So what the line is made of (``SiteState``) is kept per site
with the site's sequence number, which every committed change bumps: while the number
holds, the kept state is what the database would say. An issue that committed knows
the one thing it added (a waiting ticket) and keeps the state of the number after it,
so a burst of issues reads the site once. Anything else (a call, another server process)
moves the number and the next estimate reads again. A ticket's estimate is kept a short
while too: the tracking page asks again and again.
"""

from datetime import date, datetime, timedelta
from threading import Lock

from server.contract.vocab import CounterState
from server.engine.estimate import WaitEstimate
from server.engine.estimators import estimator_for
from server.engine.model import Ticket
from server.projection.site_state import HISTORY_FOR, SiteState, read_state
from server.storage.mapping import SiteBundle
from server.storage.repository import Repository

# How many sites' states, and tickets' estimates, are kept.
KEPT_SITES = 64
KEPT_RESULTS = 20_000
# A tracking page asking again this soon, with nothing changed in the hall, gets the same
# estimate: the look-ahead costs more than a page, and minutes are what it shows.
REUSE_FOR = timedelta(seconds=30)


class WaitEstimates:
    """Estimates for issued tickets and tracking pages (``Tickets`` holds one)."""

    def __init__(self) -> None:
        self._kept: dict[str, SiteState] = {}
        self._results: dict[tuple[str, str], tuple[int, datetime, WaitEstimate]] = {}
        self._lock = Lock()

    def estimate(
        self,
        repo: Repository,
        bundle: SiteBundle,
        ticket: Ticket,
        *,
        day: date,
        now: datetime,
        seq: int,
        locked: bool = False,
    ) -> WaitEstimate:
        """The site's estimator on the site as stored at sequence number ``seq``, read in
        this transaction. ``locked``: in a command, which holds the site's lock (no other
        change can commit meanwhile) and wants a fresh estimate; a read may be given a
        ticket's estimate of a moment ago again (tracking pages ask again and again)."""
        key = (bundle.site.id, ticket.id)
        if not locked:
            with self._lock:
                kept = self._results.get(key)
            if kept is not None and kept[0] == seq and now - kept[1] < REUSE_FOR:
                return kept[2]
        state = self.state(repo, bundle.site.id, seq=seq, day=day, now=now, locked=locked)
        line = state.line(bundle, now)
        estimate = estimator_for(bundle.site)(ticket, line)
        with self._lock:
            if len(self._results) >= KEPT_RESULTS:
                self._results.clear()
            self._results[key] = (seq, now, estimate)
        return estimate

    def state(
        self, repo: Repository, site_id: str, *, seq: int, day: date, now: datetime, locked: bool
    ) -> SiteState:
        """The site's state at ``seq``: kept, or read (and kept if it is that of ``seq``)."""
        with self._lock:
            kept = self._kept.get(site_id)
        if kept is not None and kept.seq == seq and kept.day == day:
            return kept
        history = None
        if kept is not None and kept.day == day and now - kept.history_at < HISTORY_FOR:
            history = (kept.history, kept.history_at)
        state = read_state(repo, site_id, seq=seq, day=day, now=now, history=history)
        # A read outside the lock on PostgreSQL (read committed) may have seen a change
        # that committed while it read; then the number has moved and it is not kept.
        if locked or repo.site_version(site_id).seq == seq:
            self._keep(site_id, state)
        return state

    def issued(self, site_id: str, ticket: Ticket, *, seq: int) -> None:
        """An issue of ``ticket`` committed and moved the site to ``seq``: keep the state
        after it, if the one before it (``seq - 1``) is kept."""
        with self._lock:
            kept = self._kept.get(site_id)
        if kept is not None and kept.seq == seq - 1 and kept.day == ticket.business_day:
            self._keep(site_id, kept.with_issued(ticket, seq))

    def _keep(self, site_id: str, state: SiteState) -> None:
        with self._lock:
            kept = self._kept.get(site_id)
            if kept is not None and (kept.day, kept.seq) > (state.day, state.seq):
                return  # a later state is kept already (threads finish out of order)
            self._kept.pop(site_id, None)
            if len(self._kept) >= KEPT_SITES:
                del self._kept[next(iter(self._kept))]  # the one least lately changed
            self._kept[site_id] = state


def open_day_counters(repo: Repository, bundle: SiteBundle, site_id: str, service: str) -> int:
    """Open counters serving ``service`` today only: the database's count of a field's
    open counters (``count_open_for``, ``issue_counts``) knows the configured ones alone.
    No query unless a counter serves the field today only."""
    extra = [c for c, codes in bundle.day_services.items() if service in codes]
    if not extra:
        return 0
    states = repo.counter_states(site_id)
    return sum(1 for c in extra if c in states and states[c].state == CounterState.OPEN.value)
