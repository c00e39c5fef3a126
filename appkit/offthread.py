"""Run blocking calls (HTTP, printer, status queries) off the GUI thread.

A slow or dead server or printer must never freeze a touchscreen or a clerk's
window. ``OffThread`` runs each call on a background thread and hands its outcome
back on the thread the runner lives on (the GUI thread), through a queued Qt
signal, so the callbacks may touch the view-model freely. ``InlineRunner`` runs
the call at once on the caller's thread: the same interface, for deterministic
view-model tests.

Two ways to run, chosen by the app:

- ``in_order=False`` (the kiosk): a thread per call, so a printer that hangs on a
  status query never holds back the next ticket;
- ``in_order=True`` (the counter): one thread for all calls, so the clerk's
  requests reach the server in the order they were made.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class Runs(Protocol):
    """What a view-model needs of a runner."""

    def run(self, call: Callable[[], Any], done: Done, failed: Failed) -> Future[Any]: ...

    def idle(self) -> bool: ...


class OffThread(QObject):
    """Runs calls on background threads; ``done(result)`` or ``failed(exception)`` is
    called later on this object's thread.

    The callbacks stay on this side, keyed by a job number, and the background thread
    lets go of the call before it reports: so the last reference to a view-model is
    never dropped on a background thread, where Qt must not delete it.
    """

    _finished = Signal(int, bool, object)

    def __init__(
        self, parent: QObject | None = None, *, in_order: bool = False, name: str = "app"
    ) -> None:
        super().__init__(parent)
        self._name = name
        self._pool = (
            ThreadPoolExecutor(max_workers=1, thread_name_prefix=name) if in_order else None
        )
        self._lock = threading.Lock()
        self._callbacks: dict[int, tuple[Done, Failed]] = {}
        self._jobs = itertools.count(1)
        self._closed = False
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, call: Callable[[], Any], done: Done, failed: Failed) -> Future[Any]:
        """Start ``call``; the returned future says when it ran (for tests), never its result."""
        future: Future[Any] = Future()
        if self._closed:
            # A timer that fires while the app closes: nothing more leaves the app.
            log.debug("%s: call dropped, the runner is shut down", self._name)
            future.cancel()
            return future
        job = next(self._jobs)
        with self._lock:
            self._callbacks[job] = (done, failed)
        box = [call]  # emptied by the thread before it reports (see the class)
        if self._pool is not None:
            return self._pool.submit(self._work, job, box)
        thread = threading.Thread(target=self._work_into, args=(future, job, box), daemon=True)
        thread.start()
        return future

    def idle(self) -> bool:
        """No call in flight (tests wait on this rather than on time)."""
        with self._lock:
            return not self._callbacks

    def shutdown(self) -> None:
        """Wait for the calls already queued (a logout must reach the server), then take
        no more; outcomes that arrive after this are dropped."""
        self._closed = True
        if self._pool is not None:
            self._pool.shutdown(wait=True)

    def _work_into(self, future: Future[Any], job: int, box: list[Callable[[], Any]]) -> None:
        self._work(job, box)
        future.set_result(None)

    def _work(self, job: int, box: list[Callable[[], Any]]) -> None:
        call = box.pop()
        ok = True
        try:
            result: Any = call()
        except Exception as exc:  # handed to ``failed``, which decides
            result, ok = exc, False
        del call
        if self._closed:
            return
        try:
            self._finished.emit(job, ok, result)
        except RuntimeError:  # the runner is gone (app shutting down): nobody to tell
            log.debug("%s: a result was dropped after shutdown", self._name)

    @Slot(int, bool, object)
    def _deliver(self, job: int, ok: bool, result: Any) -> None:
        with self._lock:
            done, failed = self._callbacks.pop(job)
        try:
            if ok:
                done(result)
            else:
                failed(result)
        except Exception:
            log.exception("%s: a callback failed", self._name)


class InlineRunner:
    """Runs the call right away on this thread."""

    def run(self, call: Callable[[], Any], done: Done, failed: Failed) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            result = call()
        except Exception as exc:
            future.set_result(None)
            failed(exc)
        else:
            future.set_result(None)
            done(result)
        return future

    def idle(self) -> bool:
        return True
