"""Run blocking calls (HTTP, printer, status queries) off the GUI thread.

A request to a slow or dead server must never freeze the touchscreen. ``Runner``
runs the call on a worker thread and hands the result back on the Qt thread of the
view-model, through a queued signal, so callbacks may touch the view-model freely.
``InlineRunner`` runs it at once on the caller's thread: same interface, for code
that is already off the GUI thread and for deterministic view-model tests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[Exception], None]


class Runs(Protocol):
    def run(self, call: Callable[[], Any], done: Done, failed: Failed) -> None: ...

    def idle(self) -> bool: ...


class Runner(QObject):
    """One daemon thread per call; results come back as a queued Qt signal."""

    _finished = Signal(object, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._busy = 0
        self._lock = threading.Lock()
        self._finished.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    def run(self, call: Callable[[], Any], done: Done, failed: Failed) -> None:
        with self._lock:
            self._busy += 1
        thread = threading.Thread(target=self._work, args=(call, done, failed), daemon=True)
        thread.start()

    def idle(self) -> bool:
        """No call in flight (tests wait on this rather than on time)."""
        with self._lock:
            return self._busy == 0

    def _work(self, call: Callable[[], Any], done: Done, failed: Failed) -> None:
        try:
            result = call()
        except Exception as exc:
            self._emit(failed, exc)
        else:
            self._emit(done, result)

    def _emit(self, callback: Callable[[Any], None], value: Any) -> None:
        try:
            self._finished.emit(callback, value, None)
        except RuntimeError:  # the view-model is gone (app shutting down): nobody to tell
            log.debug("kiosk runner result dropped after shutdown")

    def _deliver(self, callback: Callable[[Any], None], value: Any, _unused: object) -> None:
        with self._lock:
            self._busy -= 1
        try:
            callback(value)
        except Exception:
            log.exception("a kiosk callback failed")


class InlineRunner:
    """Runs the call right away on this thread."""

    def run(self, call: Callable[[], Any], done: Done, failed: Failed) -> None:
        try:
            result = call()
        except Exception as exc:
            failed(exc)
        else:
            done(result)

    def idle(self) -> bool:
        return True
