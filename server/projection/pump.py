"""Publishing off the request path: changes are merged per site and published by one
thread, so a burst of commands costs one snapshot build, not one per command.

The slow-moving snapshots of a site go out at most every ``slow_interval`` seconds:
the queue snapshot (what kiosks show: counts and estimates per field) and the counter
snapshots whose only change is a waiting count (``Effects.counts``: a ticket joined a
line far behind the next ones). A change inside the interval holds them back until the
interval ends (the trailing edge); they are then built from the database, so the last
ones always show the final state. Display snapshots, call events and counter snapshots
whose next tickets changed are never held back.
"""

import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from server.projection.effects import Effects

log = logging.getLogger(__name__)

MAX_GAP_S = 0.1  # a big build (republishing everything) must not hold back the next call
# Under a burst builds start at most this often, so cheap builds leave the CPU to the
# requests instead of running more often (a paced hall never waits for it).
MIN_GAP_S = 0.05
SLOW_INTERVAL_S = 0.25  # one site's queue (and counts-only counter) snapshots at most this often
# A burst: this many changes within this window (50 a second). Fewer are a hall at its
# pace, whose next change goes out at once even if it arrived during a slow build.
BURST_CHANGES = 5
BURST_WINDOW_S = 0.1


class BurstMeter:
    """Whether changes arrive faster than a hall makes them, from their last arrivals."""

    def __init__(self, changes: int = BURST_CHANGES, window: float = BURST_WINDOW_S) -> None:
        self._arrivals: deque[float] = deque(maxlen=changes)
        self._window = window

    def note(self, at: float) -> None:
        self._arrivals.append(at)

    def busy(self, now: float) -> bool:
        """The last ``changes`` arrivals all fell within the window before ``now``."""
        full = len(self._arrivals) == self._arrivals.maxlen
        return full and now - self._arrivals[0] <= self._window


class Pump:
    """One background thread that runs ``publish(site, effects)`` for merged changes."""

    def __init__(
        self,
        publish: Callable[[str, Effects], None],
        *,
        share: float = 0.2,
        min_gap: float = MIN_GAP_S,
        max_gap: float = MAX_GAP_S,
        slow_interval: float = SLOW_INTERVAL_S,
        by_rate: bool = False,
    ) -> None:
        """``share``: the most of the time the pump spends building under a burst (a
        fifth: the requests' own work is the capacity that matters there). After
        a build that took ``d`` it waits until ``max(d / share, min_gap)`` has passed
        since the build began, so a burst of commands gathers into one build and
        requests keep the rest of the CPU. When no change arrived during the last build,
        or changes come slower than a burst (``BurstMeter``), the next one goes out at
        once (a hall calling at a human pace never waits).
        ``slow_interval``: the shortest time between two builds of a site's slow
        snapshots (its queue, and counters whose waiting counts alone changed).
        ``max_gap``: the longest wait between two builds, whatever the last one cost.
        ``by_rate``: a burst is known by the rate of changes alone (``BurstMeter``), not
        also by changes arriving during the last build: for a publish that only hands
        the change over (to the snapshot process), during which nothing ever arrives."""
        self._publish = publish
        self._share = share
        self._min_gap = min_gap
        self._max_gap = max_gap
        self._slow_interval = slow_interval
        self._last_build = 0.0
        self._last_cost = 0.0
        self._burst = False
        self._by_rate = by_rate
        self._arrivals = BurstMeter()
        self._pending: dict[str, Effects] = {}
        self._slow_sent: dict[str, float] = {}  # site -> when its slow snapshots last went
        self._held: dict[str, Effects] = {}  # site -> slow snapshots held back
        self._due: dict[str, float] = {}  # site -> when its held snapshots go out
        self._release = False  # flush: send held snapshots now
        self._cond = threading.Condition()
        self._busy = False
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="snapshot-pump", daemon=True)
        self._thread.start()

    def submit(self, site_id: str, effects: Effects) -> None:
        with self._cond:
            first = not self._pending
            pending = self._pending.setdefault(site_id, Effects())
            pending.merge(effects)
            self._arrivals.note(time.monotonic())
            # Waking the thread is a system call made while holding the interpreter
            # lock, a real share of the request loop's time under a burst when done on
            # every change. While changes are pending, the thread has been woken
            # already or waits out a gap that ends by itself, so only the first wakes it.
            if first:
                self._cond.notify_all()

    def _take(self, now: float) -> dict[str, Effects]:
        """The next build: the pending changes, minus slow snapshots still inside their
        site's interval (held until due), plus held ones that fell due. Under the lock."""
        batch: dict[str, Effects] = {}
        for site_id, effects in self._pending.items():
            effects.counts -= effects.counters  # sent at once anyway
            if (effects.queue or effects.counts) and not effects.everything:
                due = self._slow_sent.get(site_id, -self._slow_interval) + self._slow_interval
                if now < due and not (self._release or self._closing):
                    held = self._held.setdefault(site_id, Effects())
                    held.queue = held.queue or effects.queue
                    held.counts |= effects.counts
                    self._due[site_id] = due
                    effects.queue, effects.counts = False, set()
                    if not effects.changed:
                        continue
            batch[site_id] = effects
        self._pending = {}
        for site_id, due in list(self._due.items()):
            sending = batch.get(site_id)
            everything = sending is not None and sending.everything
            if due <= now or self._release or self._closing or everything:
                effects = batch.setdefault(site_id, Effects())
                held = self._held.pop(site_id)
                del self._due[site_id]
                effects.queue = effects.queue or held.queue
                effects.counts |= held.counts - effects.counters
        for site_id, effects in batch.items():
            if effects.queue or effects.counts or effects.everything:
                self._slow_sent[site_id] = now
        return batch

    def _next_batch(self) -> dict[str, Effects] | None:
        """Wait for the next build (None: closed and nothing left). Called under the lock."""
        while True:
            now = time.monotonic()
            if self._pending:
                gap = min(max(self._last_cost / self._share, self._min_gap), self._max_gap)
                rest = self._last_build + gap - now
                if self._burst and rest > 0 and not (self._closing or self._release):
                    self._cond.wait(rest)  # let a burst gather into one build
                    continue
            elif self._due:
                due = min(self._due.values())
                if due > now and not (self._closing or self._release):
                    self._cond.wait(due - now)
                    continue
            elif self._closing:
                return None
            else:
                self._release = False
                self._cond.wait()
                continue
            batch = self._take(now)
            if batch:
                return batch

    def _run(self) -> None:
        while True:
            with self._cond:
                batch = self._next_batch()
                if batch is None:
                    return
                self._busy = True
            began = time.monotonic()
            for site_id, effects in batch.items():
                try:
                    self._publish(site_id, effects)
                except Exception:
                    log.exception("publishing site %s failed", site_id)
            with self._cond:
                self._last_build = began
                self._last_cost = time.monotonic() - began
                # Changes arrived while building, and many of late: a burst, so the next
                # build waits a little to gather more. Otherwise the next change goes out
                # at once: one call arriving during a slow build (the queue snapshot
                # included) used to wait up to max_gap for the boards.
                gathered = bool(self._pending) or self._by_rate
                self._burst = gathered and self._arrivals.busy(time.monotonic())
                self._busy = False
                self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Publish everything submitted so far, held snapshots included, and wait
        until it went out."""
        with self._cond:
            self._release = True
            self._cond.notify_all()
            return self._cond.wait_for(
                lambda: not self._pending and not self._due and not self._busy, timeout
            )

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout=10)
