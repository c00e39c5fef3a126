"""Ticket printing: layout (pure), ESC/POS bytes, and printers opened from a URL."""

from hardware.printer.backends import EscposPrinter, open_printer
from hardware.printer.layout import (
    PAPER_58MM,
    PAPER_80MM,
    PrintedTicket,
    TicketLayout,
    render_ticket,
)
from hardware.printer.virtual import VirtualPrinter

__all__ = [
    "PAPER_58MM",
    "PAPER_80MM",
    "EscposPrinter",
    "PrintedTicket",
    "TicketLayout",
    "VirtualPrinter",
    "open_printer",
    "render_ticket",
]
