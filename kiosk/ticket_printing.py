"""The printer as the kiosk sees it: checked before anyone chooses, printing after issuing.

The printer is asked for its state every ``printer_poll_s``, when a citizen opens
a department, and after a print failed or succeeded while it was known bad. If it
cannot print, the kiosk says so before anyone chooses, and issues on screen only
if the site allows it. A ticket that issued but did not print stays on screen
with its QR code.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from appkit.offthread import Runs
from hardware.ports import PrintError, PrinterStatus, status_text
from kiosk.i18n import text
from kiosk.printing import PrinterGate
from kiosk.state import KioskSettings, PrintState
from server.contract.http import TicketOut

log = logging.getLogger(__name__)


class TicketPrinting:
    """The printer's last known state, and what became of the ticket on screen's paper.

    ``on_screen`` says whether a ticket is still the one on screen; ``on_printed``
    hears that it printed (the short ticket timeout counts from then);
    ``on_status`` that the printer's state changed; ``on_finished`` each print's
    outcome (a ``PrintState`` value); ``notify`` any change.
    """

    def __init__(
        self,
        gate: PrinterGate,
        settings: KioskSettings,
        runner: Runs,
        clock: Callable[[], float],
        *,
        on_screen: Callable[[TicketOut], bool],
        on_printed: Callable[[], None],
        on_status: Callable[[], None],
        on_finished: Callable[[str], None],
        notify: Callable[[], None],
    ) -> None:
        self.gate = gate
        self.settings = settings
        self.runner = runner
        self._clock = clock
        self._on_screen = on_screen
        self._on_printed = on_printed
        self._on_status = on_status
        self._on_finished = on_finished
        self._notify = notify
        self.status: PrinterStatus | None = None
        self.state: PrintState | None = None  # of the ticket on screen
        self._error: PrintError | None = None
        self._polling = False
        self.next_poll_at = 0.0

    @property
    def can_issue(self) -> bool:
        """Whether a tap on a field may issue a number now (the printer rule)."""
        status = self.status
        if status is None or status.can_print:
            return True  # no printer (screen tickets), not asked yet, or ready
        return self.settings.allow_screen_ticket

    def notice(self, language: str) -> str | None:
        """The banner about the printer, shown before anyone chooses; None when it is fine."""
        if self.gate.printer is None:
            return text("printer_none", language)
        status = self.status
        if status is None or status is PrinterStatus.OK:
            return None
        said = status_text(status, language)
        if status.can_print:
            return said  # paper low: still prints, staff should know
        key = "printer_screen_only" if self.settings.allow_screen_ticket else "printer_blocking"
        return text(key, language, status=said)

    def failure(self, language: str) -> str | None:
        """Why the ticket on screen has no paper, if it has none."""
        if self.state is PrintState.FAILED:
            reason = self._error.status if self._error else PrinterStatus.OFFLINE
            return text("ticket_print_failed", language, reason=status_text(reason, language))
        if self.state is PrintState.SCREEN_ONLY:
            return text("ticket_screen_only", language)
        return None

    def forget(self) -> None:
        """The ticket on screen is gone."""
        self.state = None
        self._error = None

    def poll(self) -> None:
        """Ask the printer for its state (once at a time)."""
        self.next_poll_at = self._clock() + self.settings.printer_poll_s
        if self._polling:
            return
        self._polling = True
        self.runner.run(self.gate.status, self._polled, self._poll_failed)

    def print(
        self, ticket: TicketOut, site_name: str, label: str | None, *, retry: bool = False
    ) -> None:
        """Print an issued ticket; ``retry`` (staff reprint) tries even if the last poll was bad."""
        status = self.status
        known_bad = status is not None and not status.can_print and not retry
        if self.gate.printer is None or known_bad:
            self.state = PrintState.SCREEN_ONLY
            self._on_finished(PrintState.SCREEN_ONLY.value)
            self._notify()
            return
        self.state = PrintState.PRINTING
        self._error = None
        self.runner.run(
            lambda: self.gate.print_ticket(ticket, site_name, label),
            lambda _: self._printed(ticket),
            lambda exc: self._print_failed(ticket, exc),
        )

    def _polled(self, status: PrinterStatus | None) -> None:
        self._polling = False
        if status != self.status:
            log.info("printer %s: %s", self.gate.url, status)
            self.status = status
            self._on_status()
            self._notify()

    def _poll_failed(self, exc: Exception) -> None:
        self._polling = False
        log.error("printer status failed: %s", exc)
        self._polled(PrinterStatus.OFFLINE)

    def _printed(self, ticket: TicketOut) -> None:
        if self.status is not None and not self.status.can_print:
            self.poll()  # it printed, so the printer is back: say so at once
        if self._on_screen(ticket):
            self.state = PrintState.PRINTED
            self._on_printed()
        self._on_finished(PrintState.PRINTED.value)
        self._notify()

    def _print_failed(self, ticket: TicketOut, exc: Exception) -> None:
        log.error("ticket %s issued but not printed: %s", ticket.number, exc)
        if self._on_screen(ticket):
            self.state = PrintState.FAILED
            self._error = exc if isinstance(exc, PrintError) else None
        self._on_finished(PrintState.FAILED.value)
        self.poll()
        self._notify()
