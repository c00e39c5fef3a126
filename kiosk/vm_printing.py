"""The printer side of the kiosk view-model: checked before choosing, printed after issuing."""

from __future__ import annotations

import logging

from appkit.api_client import ApiError
from hardware.ports import PrintError, PrinterStatus, status_text
from kiosk.i18n import text
from kiosk.state import (
    PrintState,
    Screen,
)
from kiosk.vm_base import ViewModelBase
from server.contract.http import TicketOut
from server.contract.vocab import ACTIVE_STATUSES

log = logging.getLogger(__name__)


class PrinterViewModel(ViewModelBase):
    """Adds the printer rules: can the kiosk issue, print, reprint."""

    @property
    def can_issue(self) -> bool:
        """Whether a tap on a field may issue a number now (the printer rule)."""
        status = self._printer_status
        if status is None or status.can_print:
            return True  # no printer (screen tickets), not asked yet, or ready
        return self.settings.allow_screen_ticket

    @property
    def printer_notice(self) -> str | None:
        """The banner about the printer, shown before anyone chooses; None when it is fine."""
        if self.printer.printer is None:
            return self.t("printer_none")
        status = self._printer_status
        if status is None or status is PrinterStatus.OK:
            return None
        said = status_text(status, self._language)
        if status.can_print:
            return said  # paper low: still prints, staff should know
        key = "printer_screen_only" if self.settings.allow_screen_ticket else "printer_blocking"
        return self.t(key, status=said)

    @property
    def printer_blocks(self) -> bool:
        return not self.can_issue

    @property
    def print_failure(self) -> str | None:
        if self._print_state is PrintState.FAILED:
            reason = self._print_error.status if self._print_error else PrinterStatus.OFFLINE
            return self.t("ticket_print_failed", reason=status_text(reason, self._language))
        if self._print_state is PrintState.SCREEN_ONLY:
            return self.t("ticket_screen_only")
        return None

    def reprint_last(self) -> None:
        """Staff: print the last issued ticket again, with fresh counts from the server."""
        self.touch()
        last = self._last_ticket
        if last is None:
            self._say(lambda lang: text("reprint_none", lang))
            return
        self.runner.run(
            lambda: self.client.ticket(last.id), self._reprint_fetched, self._reprint_stale
        )

    def poll_printer(self) -> None:
        self._next_printer_at = self._clock() + self.settings.printer_poll_s
        if self._polling:
            return
        self._polling = True
        self.runner.run(self.printer.status, self._printer_polled, self._printer_poll_failed)

    def _printer_polled(self, status: PrinterStatus | None) -> None:
        self._polling = False
        if status != self._printer_status:
            log.info("printer %s: %s", self.printer.url, status)
            self._printer_status = status
            if self._online:
                self.report_status()
            self.changed.emit()

    def _printer_poll_failed(self, exc: Exception) -> None:
        self._polling = False
        log.error("printer status failed: %s", exc)
        self._printer_polled(PrinterStatus.OFFLINE)

    def _print(self, ticket: TicketOut, *, retry: bool = False) -> None:
        """Print an issued ticket; ``retry`` (staff reprint) tries even if the last poll was bad."""
        status = self._printer_status
        known_bad = status is not None and not status.can_print and not retry
        if self.printer.printer is None or known_bad:
            self._print_state = PrintState.SCREEN_ONLY
            self.printFinished.emit(PrintState.SCREEN_ONLY.value)
            self.changed.emit()
            return
        self._print_state = PrintState.PRINTING
        self._print_error = None
        label = self._priority_label(ticket.priority, ticket.language)
        site_name = self._menu.site_name if self._menu else ticket.site
        self.runner.run(
            lambda: self.printer.print_ticket(ticket, site_name, label),
            lambda _: self._printed(ticket),
            lambda exc: self._print_failed(ticket, exc),
        )

    def _priority_label(self, code: str | None, language: str) -> str | None:
        """The category's name in the ticket's language (printed in its band)."""
        for category in self.priority_categories():
            if category.code == code:
                return category.name_en if language == "en" else category.name_vi
        return code

    def _printed(self, ticket: TicketOut) -> None:
        if self._printer_status is not None and not self._printer_status.can_print:
            self.poll_printer()  # it printed, so the printer is back: say so at once
        if self._ticket is not None and self._ticket.id == ticket.id:
            self._print_state = PrintState.PRINTED
            self.touch()  # the short ticket timeout counts from the print
        self.printFinished.emit(PrintState.PRINTED.value)
        self.changed.emit()

    def _print_failed(self, ticket: TicketOut, exc: Exception) -> None:
        log.error("ticket %s issued but not printed: %s", ticket.number, exc)
        if self._ticket is not None and self._ticket.id == ticket.id:
            self._print_state = PrintState.FAILED
            self._print_error = exc if isinstance(exc, PrintError) else None
        self.printFinished.emit(PrintState.FAILED.value)
        self.poll_printer()
        self.changed.emit()

    def _reprint_fetched(self, fresh: TicketOut) -> None:
        if fresh.status not in ACTIVE_STATUSES:
            self._say(lambda lang: text("reprint_inactive", lang, number=fresh.number))
            return
        self._last_ticket = fresh
        if self._ticket is not None and self._ticket.id == fresh.id:
            self._ticket = fresh
        elif self._screen is not Screen.TICKET:
            self._ticket = fresh
            self._history.clear()
            self._set_screen(Screen.TICKET)
        self._print(fresh, retry=True)

    def _reprint_stale(self, exc: Exception) -> None:
        """No answer: print what we have (the server did issue it). A refusal: do not."""
        if isinstance(exc, ApiError):
            self._say(lambda lang: text("issue_refused", lang, message=exc.message(lang)))
            return
        log.warning("reprint without fresh counts: %s", exc)
        if self._last_ticket is not None:
            self._reprint_fetched(self._last_ticket)
