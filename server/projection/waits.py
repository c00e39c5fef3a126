"""The wait of a ticket taken now in each field of a site: what a kiosk's field buttons
show, worked out by the site's estimator from a ``SiteState``
(``server.projection.site_state``), a few fields at a time, on a thread of its own in the
snapshot process (``WaitsThread``).
"""

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from server.contract.vocab import CounterState
from server.engine.estimate import (
    Estimator,
    Line,
    WaitEstimate,
    estimate_wait_s,
    shape_estimate,
)
from server.engine.estimators import estimator_for
from server.engine.model import SiteConfig
from server.projection.site_state import (
    QUEUE_LENGTH,
    SiteState,
    read_state,
    taken_now,
)
from server.storage.mapping import SiteBundle
from server.storage.repository import Repository

log = logging.getLogger(__name__)


# A site's field buttons show waits worked out about this long ago at most (``FieldWaits``:
# each is a look-ahead, and a busy site changes many times a second).
FIELD_WAITS_FOR = timedelta(seconds=10)
FIELDS_PER_BUILD = 6
# ... and a site's waits are looked at no more often than this (a burst of changes builds
# the queue snapshot many times a second; the boards' builds wait behind each).
FIELD_WAITS_GAP = timedelta(seconds=2)


class FieldWaits:
    """The wait of a ticket taken now in each field of a site, by the site's estimator:
    what a kiosk's field buttons show. One per projector.

    Each is a look-ahead, and a busy site changes many times a second: a field's wait is
    worked out again when it is ``FIELD_WAITS_FOR`` old, at most ``FIELDS_PER_BUILD``
    fields at a time (the oldest first), and a site is looked at no more often than
    every ``FIELD_WAITS_GAP``. A field whose first counter opens or last one closes goes
    first when the site is next looked at, so a button does not go on saying "no counter
    open" of an open field.

    ``later``: when set (the snapshot process, through ``WaitsThread``), ``of`` never
    works the waits out itself: it asks ``later(site)`` to, and answers with the waits
    kept meanwhile (None before the first), so a build of the boards' snapshots never
    waits behind a look-ahead; whoever runs ``refresh`` then sends the queue snapshot."""

    def __init__(self, estimator_of: Callable[[SiteConfig], Estimator] = estimator_for) -> None:
        """``estimator_of``: the site's estimator (the service's, so the button, the
        printed ticket and the tracking page say one wait)."""
        self._kept: dict[str, _Kept] = {}
        self._lock = threading.Lock()
        self._estimator_of = estimator_of
        self.later: Callable[[str], None] | None = None

    def of(
        self,
        repo: Repository,
        bundle: SiteBundle,
        *,
        day: date,
        now: datetime,
        seq: int,
        counters: dict[str, Any],
        waiting: dict[str, int],
        recent_s: dict[str, list[float]],
    ) -> dict[str, WaitEstimate] | None:
        """``counters``, ``waiting``, ``recent_s``: the counters' state rows, the waiting
        counts and recent service times per field, as the view has read them. None: the
        waits are being worked out elsewhere (``later``), none kept yet."""
        site = bundle.site
        if site.wait_estimator == QUEUE_LENGTH:  # from counts: nothing to keep
            open_by: dict[str, int] = {}
            for row in counters.values():
                counter = bundle.counters.get(row.id)
                if counter is not None and row.state == CounterState.OPEN.value:
                    for code in counter.services:
                        open_by[code] = open_by.get(code, 0) + 1
            out = {}
            for code, service in bundle.services.items():
                ahead, open_now = waiting.get(code, 0), open_by.get(code, 0)
                point = estimate_wait_s(
                    ahead, recent_s.get(code, []), open_now, service.default_service_s
                )
                out[code] = shape_estimate(
                    point, ahead, counters_open=open_now > 0, site=site, now=now
                )
            return out
        with self._lock:
            kept = self._kept.get(site.id)
        if self.later is not None:
            if kept is None or kept.bundle is not bundle or kept.day != day:
                self.later(site.id)
                return None
            if now - kept.looked_at >= FIELD_WAITS_GAP:
                self.later(site.id)
            return kept.waits
        self.refresh(repo, bundle, day=day, now=now, seq=seq, counters=counters)
        with self._lock:
            return self._kept[site.id].waits

    def refresh(
        self,
        repo: Repository,
        bundle: SiteBundle,
        *,
        day: date,
        now: datetime,
        seq: int,
        counters: dict[str, Any],
    ) -> bool:
        """Work out the fields' waits that are due now; False when none was."""
        site = bundle.site
        with self._lock:
            kept = self._kept.get(site.id)
        if kept is None or kept.bundle is not bundle or kept.day != day:
            due = list(bundle.services)
            history = None
            waits: dict[str, WaitEstimate] = {}
            at: dict[str, datetime] = {}
        elif now - kept.looked_at < FIELD_WAITS_GAP:
            return False
        else:
            # A field whose first counter opened, or last one closed, since; then the
            # fields whose waits are oldest, if they are old enough.
            line = replace(kept.state, counters=counters).line(bundle, now)
            due = [
                code
                for code in bundle.services
                if _open_for(code, line) != kept.waits[code].counters_open
            ]
            old = sorted(
                (kept.at[code], code)
                for code in bundle.services
                if code not in due and now - kept.at[code] >= FIELD_WAITS_FOR
            )
            due = (due + [code for _, code in old])[:FIELDS_PER_BUILD]
            if not due:
                kept = replace(kept, looked_at=now)
                with self._lock:
                    self._kept[site.id] = kept
                return False
            fresh = now - kept.state.history_at < FIELD_WAITS_FOR
            history = (kept.state.history, kept.state.history_at) if fresh else None
            waits, at = dict(kept.waits), dict(kept.at)
        state = read_state(repo, site.id, seq=seq, day=day, now=now, history=history)
        line = state.line(bundle, now)
        estimator = self._estimator_of(site)
        for code in due:
            waits[code] = estimator(taken_now(bundle, code, day=day, now=now), line)
            at[code] = now
        kept = _Kept(bundle, day, state, waits, at, now)
        with self._lock:
            self._kept[site.id] = kept
        return True


class WaitsThread:
    """Runs ``work(site)`` for the sites asked for, one at a time, on a thread of its
    own: the snapshot process's field waits, off the boards' builds (``FieldWaits``).
    Asking again for a site already asked for is free."""

    def __init__(self, work: Callable[[str], None]) -> None:
        self._work = work
        self._asked: dict[str, None] = {}  # in the order asked
        self._busy = False
        self._closing = False
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="field-waits", daemon=True)
        self._thread.start()

    def request(self, site_id: str) -> None:
        with self._cond:
            if site_id not in self._asked:
                self._asked[site_id] = None
                self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._asked and not self._closing:
                    self._cond.wait()
                if self._closing:
                    return
                site_id = next(iter(self._asked))
                del self._asked[site_id]
                self._busy = True
            try:
                self._work(site_id)
            except Exception:
                log.exception("working out the field waits of site %s failed", site_id)
            with self._cond:
                self._busy = False
                self._cond.notify_all()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until every site asked for so far was worked out."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._asked and not self._busy, timeout)

    def close(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout)


@dataclass(frozen=True)
class _Kept:
    bundle: SiteBundle
    day: date
    state: SiteState  # the last read, for the counters' check
    waits: dict[str, WaitEstimate]
    at: dict[str, datetime]  # when each field's wait was worked out
    looked_at: datetime  # when the waits were last looked at (``FIELD_WAITS_GAP``)


def _open_for(code: str, line: Line) -> bool:
    """Whether a counter of the field is open or holds a ticket (as the estimators say)."""
    return any(
        code in c.config.services and (c.state is CounterState.OPEN or c.current is not None)
        for c in line.counters
    )
