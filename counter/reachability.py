"""How the counter keeps in touch with its server: whether the server answers, the
timer that works on it while it does not, and reading the counter over HTTP while the
MQTT link is away.

Kept apart from the view-model so the rules for getting back in touch read in one
place: a press that got no answer is sent again under its idempotency key after each
of ``retry_delays_ms`` in turn; after those (or with nothing kept) the server is only
probed every ``probe_ms`` with a read, and the first answer of any kind ends it.
Without MQTT the counter is read every ``poll_ms``, so the screen never goes stale.
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
    poll_due = Signal()
    """MQTT is away: time to read the counter over HTTP."""

    def __init__(
        self,
        intents: IntentBook,
        *,
        retry_delays_ms: tuple[int, ...],
        probe_ms: int,
        poll_ms: int = 10000,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ok = True
        self.live_ok = False
        """Whether the MQTT link to the counter's snapshots is up."""
        self.live_seen = False
        """Connected at least once (else the screen says "connecting", not "lost")."""
        self._intents = intents
        self._retry_delays = retry_delays_ms
        self._probe_ms = probe_ms
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)
        self._poll = QTimer(self)
        self._poll.setInterval(poll_ms)
        self._poll.timeout.connect(self._on_poll)

    @property
    def polling(self) -> bool:
        """Whether the counter is being read over HTTP because MQTT is away."""
        return self._poll.isActive()

    def set_live(self, connected: bool) -> None:
        """The MQTT link came or went; polling runs exactly while it is away."""
        if connected != self.live_ok:
            self.live_ok = connected
            self.live_seen = self.live_seen or connected
            self.changed.emit()
        if connected:
            self._poll.stop()
        elif not self._poll.isActive() and self._poll.interval() > 0:
            self._poll.start()

    def _on_poll(self) -> None:
        if self.live_ok:
            self._poll.stop()
            return
        self.poll_due.emit()

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
        """No more retries, probes or polls: the terminal is closing or the session ended."""
        self._timer.stop()
        self._poll.stop()
        self._poll.setInterval(0)

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
