"""Publishing off the request path: changes are merged per site and published by one
thread, so a burst of commands costs one snapshot build, not one per command."""

import logging
import threading
import time
from collections.abc import Callable

from server.service.context import Effects

log = logging.getLogger(__name__)

MAX_GAP_S = 0.1  # a big build (republishing everything) must not hold back the next call


def merge(into: Effects, more: Effects) -> None:
    into.areas |= more.areas
    into.counters |= more.counters
    into.queue = into.queue or more.queue
    into.everything = into.everything or more.everything
    into.calls.extend(more.calls)


class Pump:
    """One background thread that runs ``publish(site, effects)`` for merged changes."""

    def __init__(self, publish: Callable[[str, Effects], None], *, share: float = 0.33) -> None:
        """``share``: the most of the time the pump spends building under a burst. After
        a build that took ``d`` it waits until ``d / share`` has passed since the build
        began, so a burst of commands gathers into one build and requests keep the rest
        of the CPU. When no change arrived during the last build, the next one goes out
        at once (a hall calling at a human pace never waits)."""
        self._publish = publish
        self._share = share
        self._last_build = 0.0
        self._last_cost = 0.0
        self._burst = False
        self._pending: dict[str, Effects] = {}
        self._cond = threading.Condition()
        self._busy = False
        self._closing = False
        self._thread = threading.Thread(target=self._run, name="snapshot-pump", daemon=True)
        self._thread.start()

    def submit(self, site_id: str, effects: Effects) -> None:
        with self._cond:
            pending = self._pending.setdefault(site_id, Effects())
            merge(pending, effects)
            self._cond.notify_all()

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._pending and not self._closing:
                    self._cond.wait()
                if self._closing and not self._pending:
                    return
                gap = min(self._last_cost / self._share, MAX_GAP_S)
                rest = self._last_build + gap - time.monotonic()
                if self._burst and rest > 0 and not self._closing:
                    self._cond.wait(rest)  # let a burst gather into one build
                    continue
                batch, self._pending = self._pending, {}
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
                # Changes arrived while building: a burst, so the next build waits a
                # little to gather more; otherwise the next change goes out at once.
                self._burst = bool(self._pending)
                self._busy = False
                self._cond.notify_all()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is published."""
        with self._cond:
            return self._cond.wait_for(lambda: not self._pending and not self._busy, timeout)

    def close(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._thread.join(timeout=10)
