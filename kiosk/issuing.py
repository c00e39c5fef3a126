"""Issuing a number: one tap, one idempotency key, however often it is sent.

A tap the server did not answer is sent again with the same key a few times, and
kept: when the server comes back within ``pending_window_s`` it is sent once more,
so the citizen gets the number they asked for and never two. The issued ticket
stays here as the one on screen, and as the last one (staff may reprint it).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from appkit.api_client import ApiError, ServerUnreachable
from appkit.offthread import Runs
from kiosk.client import IssueRequest, KioskClient
from kiosk.state import KioskSettings
from server.contract.http import TicketIn, TicketOut

log = logging.getLogger(__name__)


class Issuing:
    """The tap in flight, the ticket on screen and the last one issued.

    ``on_issued`` hears a new ticket, ``on_refused`` the server's refusal, and
    ``on_unreachable`` that the server did not answer after every attempt; ``notify``
    that ``busy`` changed.
    """

    def __init__(
        self,
        client: KioskClient,
        settings: KioskSettings,
        runner: Runs,
        clock: Callable[[], float],
        *,
        notify: Callable[[], None],
        on_issued: Callable[[TicketOut], None],
        on_refused: Callable[[ApiError], None],
        on_unreachable: Callable[[], None],
    ) -> None:
        self.client = client
        self.settings = settings
        self.runner = runner
        self._clock = clock
        self._notify = notify
        self._on_issued = on_issued
        self._on_refused = on_refused
        self._on_unreachable = on_unreachable
        self.busy = False
        self.ticket: TicketOut | None = None  # the ticket on screen
        self.last_ticket: TicketOut | None = None
        self._pending: IssueRequest | None = None
        self._pending_at = 0.0
        self._attempts = 0

    @property
    def has_pending(self) -> bool:
        return self._pending is not None

    def issue(self, body: TicketIn) -> None:
        """Ask the server for a number: a new tap, a new key."""
        self._pending = IssueRequest(body)
        self._pending_at = self._clock()
        self._attempts = 0
        self._send_pending()

    def resume(self) -> bool:
        """The server is back: send the kept tap again if it is recent; True if sent."""
        if self._pending is None:
            return False
        if self._clock() - self._pending_at <= self.settings.pending_window_s:
            self._attempts = 0
            self._send_pending()
            return True
        log.info("dropping a tap older than %ss", self.settings.pending_window_s)
        self._pending = None
        return False

    def drop(self) -> None:
        """The citizen started over: the tap that did not get through is forgotten."""
        if self._pending is not None:
            log.info("the citizen started over: dropping the tap that did not get through")
            self._pending = None

    def refreshed(self, fresh: TicketOut) -> bool:
        """Fresh counts for the last ticket (a reprint); True if it is the one on screen."""
        self.last_ticket = fresh
        if self.ticket is not None and self.ticket.id == fresh.id:
            self.ticket = fresh
            return True
        return False

    def is_on_screen(self, ticket: TicketOut) -> bool:
        return self.ticket is not None and self.ticket.id == ticket.id

    def _send_pending(self) -> None:
        request = self._pending
        if request is None:
            return
        self._set_busy(True)
        self._attempts += 1
        self.runner.run(lambda: self.client.issue(request), self._issued, self._issue_failed)

    def _issued(self, ticket: TicketOut) -> None:
        self._pending = None
        self._set_busy(False)
        self.ticket = ticket
        self.last_ticket = ticket
        self._on_issued(ticket)

    def _issue_failed(self, exc: Exception) -> None:
        if isinstance(exc, ApiError):
            self._pending = None
            self._set_busy(False)
            self._on_refused(exc)
            return
        if isinstance(exc, ServerUnreachable) and self._attempts < self.settings.issue_attempts:
            log.warning(
                "issue attempt %d failed, retrying with the same key: %s", self._attempts, exc
            )
            self._send_pending()
            return
        log.warning("server unreachable while issuing; keeping the tap for later: %s", exc)
        self._set_busy(False)
        self._on_unreachable()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self._notify()
