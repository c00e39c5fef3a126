"""The kiosk's side of the ticket printer: one caller at a time, status never raising.

A real ESC/POS printer on a serial line or socket cannot answer a status query in
the middle of a print job, so every call goes through one lock. A kiosk without a
printer (``None``) issues on screen only.
"""

from __future__ import annotations

import logging
import threading

from hardware.ports import PrinterStatus, TicketPrinter
from hardware.printer.layout import PrintedTicket
from server.contract.http import TicketOut

log = logging.getLogger(__name__)


class PrinterGate:
    """Serialises access to the printer; ``printer`` None means "no printer"."""

    def __init__(self, printer: TicketPrinter | None) -> None:
        self.printer = printer
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self.printer.url if self.printer is not None else "none"

    def status(self) -> PrinterStatus | None:
        """The printer's state now; None when the kiosk has no printer."""
        if self.printer is None:
            return None
        with self._lock:
            try:
                return self.printer.status()
            except Exception:  # the protocol says never raises; a bad driver must not crash us
                log.exception("printer status query failed on %s", self.printer.url)
                return PrinterStatus.OFFLINE

    def print_ticket(self, ticket: TicketOut, site_name: str, priority_label: str | None) -> None:
        """Print one issued ticket; raises ``hardware.ports.PrintError`` if it did not print."""
        if self.printer is None:
            raise RuntimeError("this kiosk has no printer")
        data = PrintedTicket.from_ticket_out(ticket, site_name, priority_label)
        with self._lock:
            self.printer.print_ticket(data)

    def close(self) -> None:
        if self.printer is not None:
            with self._lock:
                self.printer.close()
