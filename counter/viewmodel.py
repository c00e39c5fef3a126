"""The counter terminal's state and commands, with no widgets.

The view, the keypad and the rating pad all call the same commands here. Requests
run on one worker thread (``appkit.offthread``); answers, MQTT snapshots and device
events reach this object only through Qt signals, so its state changes on the GUI
thread alone.
"""

import logging
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal, Slot

from appkit.api_client import ApiError, ServerUnreachable
from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.intents import Body, Context, Intent, IntentBook
from counter.names import SiteNames
from counter.reachability import ServerReachability
from counter.rules import DAY_CHANGING, AnswerHold, offered, shown
from counter.texts import text
from server.contract.http import (
    ActionOut,
    CallIn,
    ClerkDayOut,
    CounterOut,
    CountersOut,
    MenuOut,
    RateIn,
    ServiceOut,
    TransferIn,
)
from server.contract.messages import CounterSnapshot, CounterView, ServiceWaiting, TicketBrief
from server.contract.vocab import CounterState, Rating, TicketStatus

log = logging.getLogger(__name__)

# A ticket in one of these states is still waiting: its wait grows on the clerk's screen.
STILL_WAITING = frozenset({TicketStatus.WAITING, TicketStatus.PARKED})


class CounterViewModel(QObject):
    """One clerk at one counter: what the screen shows and what the clerk can do."""

    changed = Signal()
    """Anything on screen changed (ticket, queue, day, banners, busy actions)."""
    refused = Signal(str)
    """The server refused an action; the argument is its message for the clerk."""
    action_done = Signal(str, str)
    """(action, outcome) with outcome ``ok``, ``refused`` or ``unreachable``."""
    rating_requested = Signal(str)
    """A ticket was finished: ask the citizen to rate it (ticket id)."""
    rating_closed = Signal(bool)
    """The rating is over: ``True`` when the citizen rated, ``False`` when it was skipped."""
    logged_out = Signal()
    session_expired = Signal(str)
    """The server no longer knows the clerk's token (401): log in again (message)."""
    snapshot_applied = Signal(object)
    """The counter's ``CounterSnapshot`` just shown (the LED display follows these)."""

    def __init__(
        self,
        client: CounterClient,
        worker: OffThread,
        site: str,
        counter_id: str,
        *,
        language: str = "vi",
        clerk: str = "",
        retry_delays_ms: tuple[int, ...] = (1000, 2000, 4000, 8000, 15000),
        probe_ms: int = 5000,
        poll_ms: int = 10000,
        open_on_start: bool = False,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.worker = worker
        self.site = site
        self.counter_id = counter_id
        self.language = language
        self.clerk = clerk
        self.intents = IntentBook()
        self.counter: CounterView | None = None
        self.current: TicketBrief | None = None
        self.next_up: list[TicketBrief] = []
        self.parked: list[TicketBrief] = []
        self.waiting: list[ServiceWaiting] = []
        self.longest_wait_s = 0
        # The site's default place in line for a transfer, from the latest snapshot; the
        # engine's own default (keep) until one arrives.
        self.transfer_keeps_place = True
        self.day: ClerkDayOut | None = None
        self.names = SiteNames(language)
        self.counters: list[CounterOut] = []
        self.message = ""
        self.rating_ticket: str | None = None
        self.rating_number = ""
        self.reachability = ServerReachability(
            self.intents,
            retry_delays_ms=retry_delays_ms,
            probe_ms=probe_ms,
            poll_ms=poll_ms,
            parent=self,
        )
        self.reachability.changed.connect(self.changed)
        self.reachability.resend_due.connect(self.retry)
        self.reachability.probe_due.connect(self._read_counters)
        self.reachability.poll_due.connect(self._read_counters)
        self._open_on_start = open_on_start
        self._hold = AnswerHold(clock)
        self._clock = clock
        # ``clock()`` when the last snapshot arrived: the server sends one only when the
        # queue changes, so its waits grow from there on screen. Its age before it arrived
        # (a retained one) is not counted: the two machines' clocks need not agree, and the
        # next change of the queue brings fresh figures.
        self._waits_measured: float | None = None

    # ---- what the view asks -----------------------------------------------------

    @property
    def server_ok(self) -> bool:
        """Whether the last request got an answer (a refusal counts as one)."""
        return self.reachability.ok

    @property
    def paused(self) -> bool:
        return self.counter is not None and self.counter.state != CounterState.OPEN

    @property
    def live_ok(self) -> bool:
        """Whether the MQTT link to the counter's snapshots is up."""
        return self.reachability.live_ok

    @property
    def live_seen(self) -> bool:
        return self.reachability.live_seen

    @property
    def polling(self) -> bool:
        """Whether the counter is being read over HTTP because MQTT is away."""
        return self.reachability.polling

    def busy(self, action: str) -> bool:
        return self.intents.busy(action)

    def can(self, action: str) -> bool:
        """Whether the button for ``action`` is enabled now."""
        if self.intents.busy(action):
            return False
        return offered(
            action, self.counter, self.current, rating_open=self.rating_ticket is not None
        )

    @property
    def services(self) -> dict[str, ServiceOut]:
        """The site's fields from the menu (empty until it was read)."""
        return self.names.services

    def service_name(self, code: str) -> str:
        return self.names.service(code, self.waiting)

    def priority_name(self, code: str) -> str:
        return self.names.priority(code)

    def _grown_s(self) -> float:
        if self._waits_measured is None:
            return 0.0
        return max(0.0, self._clock() - self._waits_measured)

    def wait_now(self, ticket: TicketBrief) -> int:
        """The ticket's wait at this moment: the snapshot's figure plus the time since it
        was measured, for a ticket still waiting or parked (a called one waits no more)."""
        if ticket.status not in STILL_WAITING:
            return ticket.waited_s
        return ticket.waited_s + int(self._grown_s())

    @property
    def longest_wait_now_s(self) -> int:
        """The longest wait of the counter's lines at this moment (0 when nobody waits)."""
        if not any(field.waiting for field in self.waiting):
            return 0
        return self.longest_wait_s + int(self._grown_s())

    def context(self) -> Context:
        current = self.current
        return (
            current.id if current else None,
            str(current.status) if current else None,
            current.call_count if current else 0,
            str(self.counter.state) if self.counter else None,
        )

    # ---- loading ----------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the counter, the field names and the clerk's day over HTTP."""
        self._read_counters()
        self.worker.run(
            lambda: self.client.services(self.site), self._on_services, self._on_services
        )
        self.refresh_day()

    def _read_counters(self) -> None:
        self.worker.run(
            lambda: self.client.counters(self.site), self._on_counters, self._on_counters
        )

    def refresh_day(self) -> None:
        self.worker.run(
            lambda: self.client.day(self.site, self.counter_id), self._on_day, self._on_day
        )

    def _on_counters(self, result: Any) -> None:
        if not self._reached(result):
            return
        if isinstance(result, CountersOut):
            self.counters = sorted(result.counters, key=lambda c: c.counter.number)
            # Also read while MQTT is away (polling), where no CounterSnapshot comes.
            self.transfer_keeps_place = result.transfer_keeps_place
            for item in result.counters:
                if item.counter.id == self.counter_id:
                    self._apply_counter(item)
        self.changed.emit()
        if self._open_on_start and self.counter is not None:
            # The clerk just sat down: a closed or paused counter opens (logout paused it).
            self._open_on_start = False
            if self.counter.state != CounterState.OPEN:
                self.act("resume")

    def _on_services(self, result: Any) -> None:
        if not self._reached(result):
            return
        if isinstance(result, MenuOut):
            self.names.load(result)
        self.changed.emit()

    def _on_day(self, result: Any) -> None:
        if not self._reached(result):
            return
        if isinstance(result, ClerkDayOut):
            self.day = result
        self.changed.emit()

    def _reached(self, result: Any) -> bool:
        """Track server reachability from any answer; ``False`` when there is no usable one."""
        if isinstance(result, ServerUnreachable):
            self.reachability.set_ok(False)
            return False
        self.reachability.set_ok(True)
        if isinstance(result, ApiError):
            log.warning("server refused a read: %s", result)
            self.message = result.message(self.language)
            self._check_session(result)
            return False
        if isinstance(result, Exception):
            log.error("unexpected error talking to the server", exc_info=result)
            self.message = str(result)
            return False
        return True

    # ---- live state -------------------------------------------------------------

    @Slot(object)
    def apply_snapshot(self, snapshot: CounterSnapshot) -> None:
        """A retained ``CounterSnapshot`` from MQTT (the subscriber already dropped stale ones)."""
        if snapshot.counter.id != self.counter_id or snapshot.site != self.site:
            return
        if not self._hold.holds_back(shown(snapshot.counter, snapshot.current)):
            self.counter = snapshot.counter
            self.current = snapshot.current
        self.next_up = list(snapshot.next_up)
        self.parked = list(snapshot.parked)
        self.waiting = list(snapshot.waiting)
        self.longest_wait_s = snapshot.longest_wait_s
        self._waits_measured = self._clock()
        self.transfer_keeps_place = snapshot.transfer_keeps_place
        self.intents.observe(self.context())
        self.changed.emit()
        self.snapshot_applied.emit(snapshot)

    @Slot(bool)
    def set_live(self, connected: bool) -> None:
        self.reachability.set_live(connected)

    def _apply_counter(self, item: CounterOut) -> None:
        self.counter = item.counter
        self.current = item.current
        self.intents.observe(self.context())

    # ---- actions ----------------------------------------------------------------

    def call_next(self) -> None:
        """The big button; the other simple actions go through ``act(name)``."""
        self.act("call-next")

    def toggle_pause(self) -> None:
        self.act("resume" if self.paused else "pause")

    def transfer(
        self,
        *,
        to_service: str | None = None,
        to_counter: str | None = None,
        note: str = "",
        keep_place: bool | None = None,
    ) -> None:
        """``keep_place``: keep the original place in line (True), go to the front (False),
        or let the site's rule decide (None)."""
        body = TransferIn(
            to_service=to_service, to_counter=to_counter, note=note.strip(), keep_place=keep_place
        )
        self.act("transfer", body)

    def call_number(self, ticket: str, reason: str) -> None:
        """Call a specific waiting or parked ticket; the reason goes to the server's log."""
        self.act("call", CallIn(ticket=ticket.strip(), reason=reason.strip()))

    def resume_parked(self, ticket_id: str) -> None:
        reason = text("resume_parked_reason", self.language)
        self.act("call", CallIn(ticket=ticket_id, reason=reason))

    def rate(self, rating: Rating | str) -> None:
        """Send the citizen's rating of the ticket just finished."""
        if self.rating_ticket is None:
            log.info("rating %s ignored: no finished ticket to rate", rating)
            return
        self.act("rate", RateIn(rating=Rating(rating), ticket=self.rating_ticket))

    def skip_rating(self) -> None:
        self.rating_ticket = None
        self.rating_closed.emit(False)
        self.changed.emit()

    def retry(self) -> None:
        """Send again the press that got no answer, under the same idempotency key."""
        kept = self.intents.first_unanswered()
        if kept is None:
            self.refresh()
            return
        intent = self.intents.retry(kept.action)
        if intent is not None:
            self._send(intent)

    def act(self, action: str, body: Body = None) -> bool:
        """Press ``action``; ``False`` when the same action is still in flight."""
        intent = self.intents.begin(action, body, self.context())
        if intent is None:
            log.info("%s ignored: the previous press is still in flight", action)
            return False
        self._send(intent)
        return True

    def _send(self, intent: Intent) -> None:
        self.message = ""
        self.changed.emit()
        site, counter = self.site, self.counter_id

        def job() -> ActionOut:
            return self.client.action(site, counter, intent.action, intent.key, intent.body)

        def answered(result: Any) -> None:
            self._on_action(intent, result)

        self.worker.run(job, answered, answered)

    def _on_action(self, intent: Intent, result: Any) -> None:
        if isinstance(result, ServerUnreachable):
            log.warning("%s got no answer (%s); key kept for a retry", intent.action, result)
            self.intents.no_answer(intent)
            self.reachability.set_ok(False)
            self.changed.emit()
            self.action_done.emit(intent.action, "unreachable")
            return
        self.intents.answered(intent)
        self.reachability.set_ok(True)
        if isinstance(result, ApiError):
            self.message = result.message(self.language)
            self.changed.emit()
            self.refused.emit(self.message)
            self.action_done.emit(intent.action, "refused")
            self._check_session(result)
            return
        if not isinstance(result, ActionOut):
            log.error("unexpected result of %s", intent.action, exc_info=result)
            self.message = str(result)
            self.changed.emit()
            self.refused.emit(self.message)
            self.action_done.emit(intent.action, "refused")
            return
        before = self.current
        self._apply_counter(result.counter)
        self._hold.start(shown(result.counter.counter, result.counter.current))
        if intent.action == "finish":
            finished = result.ticket or before
            if finished is not None:
                self.rating_ticket = finished.id
                self.rating_number = finished.number
                self.rating_requested.emit(finished.id)
        elif intent.action == "rate" or (intent.action == "start" and self.rating_ticket):
            # Rated, or the next citizen is already being served: the rating is closed.
            self.rating_ticket = None
            self.rating_closed.emit(intent.action == "rate")
        if intent.action in DAY_CHANGING:
            self.refresh_day()
        self.changed.emit()
        self.action_done.emit(intent.action, "ok")

    def pending(self) -> Intent | None:
        """A press that never got an answer, while the server is reachable again."""
        if not self.server_ok:
            return None
        return self.intents.first_unanswered()

    def dismiss_pending(self) -> None:
        """The clerk chose not to resend an unanswered press."""
        kept = self.intents.first_unanswered()
        if kept is not None:
            self.intents.answered(kept)
            self.changed.emit()

    def stop(self) -> None:
        """No more requests of its own (probes, polls): the terminal is closing."""
        self.reachability.stop()

    def _check_session(self, error: ApiError) -> None:
        if error.status == 401:
            self.stop()
            self.session_expired.emit(error.message(self.language))

    # ---- logging out ------------------------------------------------------------

    def logout(self, on_done: Callable[[str], None] | None = None) -> None:
        """Pause the counter and end the session on the server (the server pauses every
        counter the clerk had open). ``on_done`` gets "" when the server did it, else a
        warning for the clerk: the counter may still show as open in the hall."""
        site, counter, language = self.site, self.counter_id, self.language
        client = self.client

        def job() -> None:
            client.logout(site, counter)

        def done(result: Any) -> None:
            warning = ""
            if isinstance(result, Exception):
                log.warning("logout did not reach the server: %s", result)
                warning = text("logout_unreachable", language)
            self.logged_out.emit()
            if on_done is not None:
                on_done(warning)

        self.stop()
        self.worker.run(job, done, done)
