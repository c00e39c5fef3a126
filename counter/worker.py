"""Runs HTTP requests off the GUI thread and hands each result back on it.

One background thread, so the clerk's requests reach the server in the order they
were made and the window never freezes while the server is slow or away.
"""

import itertools
import logging
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]


class Worker(QObject):
    """Runs jobs one after another; calls ``callback(result or exception)`` on the GUI thread."""

    _finished = Signal(int, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="counter-http")
        self._callbacks: dict[int, Callback] = {}
        self._ids = itertools.count(1)
        self._finished.connect(self._deliver)
        self._closed = False

    def submit(self, job: Callable[[], Any], callback: Callback | None = None) -> Future[Any]:
        """Queue ``job``; its result, or the exception it raised, goes to ``callback``."""
        if self._closed:
            # A timer that fires while the app closes: nothing more reaches the server.
            log.debug("request dropped: the worker is shut down")
            dropped: Future[Any] = Future()
            dropped.cancel()
            return dropped
        job_id = next(self._ids)
        if callback is not None:
            self._callbacks[job_id] = callback

        def run() -> Any:
            try:
                result: Any = job()
            except Exception as exc:  # handed to the callback, which decides
                result = exc
            if not self._closed:
                self._finished.emit(job_id, result)
            return result

        return self._pool.submit(run)

    @Slot(int, object)
    def _deliver(self, job_id: int, result: Any) -> None:
        callback = self._callbacks.pop(job_id, None)
        if callback is not None:
            callback(result)

    def shutdown(self) -> None:
        """Wait for queued requests (a logout must reach the server) and stop the thread."""
        self._closed = True
        self._pool.shutdown(wait=True)
