"""Whether the counter's server answers, and the timer that works on it while it does not.

Kept apart from the view-model so the rule for getting back in touch reads in one
place: a press that got no answer is sent again under its idempotency key after each
of ``retry_delays_ms`` in turn; after those (or with nothing kept) the server is only
probed every ``probe_ms`` with a read, and the first answer of any kind ends it.
"""

from PySide6.QtCore import QObject, QTimer, Signal

from counter.intents import IntentBook


class ServerReachability(QObject):
    """The ``ok`` flag the screen shows, and the one timer that retries or probes.

    It tells its owner what to do through signals rather than callbacks: a callback
    bound to the view-model would make a reference cycle, leaving a dropped view-model
    to the cyclic garbage collector, which may run (and destroy its timers) on a
    worker thread.
    """

    changed = Signal()
    """The server went away or came back."""
    resend_due = Signal()
    """Time to send the kept press again, under the same idempotency key."""
    probe_due = Signal()
    """Time to ask the server something cheap, to learn whether it is back."""

    def __init__(
        self,
        intents: IntentBook,
        *,
        retry_delays_ms: tuple[int, ...],
        probe_ms: int,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ok = True
        self._intents = intents
        self._retry_delays = retry_delays_ms
        self._probe_ms = probe_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)

    def set_ok(self, ok: bool) -> None:
        """Record what the last request showed; a lost server starts the timer."""
        if ok == self.ok:
            if not ok and not self._timer.isActive():
                self._schedule()
            return
        self.ok = ok
        if ok:
            self._timer.stop()
        else:
            self._schedule()
        self.changed.emit()

    def stop(self) -> None:
        """No more retries or probes: the terminal is closing or the session ended."""
        self._timer.stop()

    def _schedule(self) -> None:
        kept = self._intents.first_unanswered()
        if kept is not None and kept.attempts <= len(self._retry_delays):
            delay = self._retry_delays[kept.attempts - 1]
        else:
            delay = self._probe_ms
        if delay > 0:
            self._timer.start(delay)

    def _on_timer(self) -> None:
        """While the server is away: resend the kept press a few times, else just probe."""
        if self.ok:
            return
        kept = self._intents.first_unanswered()
        if kept is not None and kept.attempts <= len(self._retry_delays):
            self.resend_due.emit()
        else:
            self.probe_due.emit()
