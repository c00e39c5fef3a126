"""The small interfaces every device role implements, real driver or simulator alike.

The kiosk, counter and bridge processes program against these Protocols only, so a
virtual printer or a pseudo-terminal simulator can stand in for any real device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from hardware.cccd import CccdScan, ScanRejected
from hardware.errors import DeviceConfigError, HardwareError
from hardware.links import LinkScan

if TYPE_CHECKING:
    from PIL import Image

    from hardware.printer.layout import PrintedTicket

__all__ = [
    "CccdScan",
    "DeviceConfigError",
    "EventSource",
    "HardwareError",
    "Keypad",
    "KeypadAction",
    "KeypadEvent",
    "LedDisplay",
    "LinkScan",
    "PrintError",
    "PrinterStatus",
    "RatingEvent",
    "RatingPad",
    "ScanRejected",
    "Scanner",
    "TicketPrinter",
    "status_text",
]


class PrinterStatus(StrEnum):
    """What a ticket printer reports; the values match the server's ``DeviceStatusIn``."""

    OK = "ok"
    PAPER_LOW = "paper_low"
    PAPER_OUT = "paper_out"
    COVER_OPEN = "cover_open"
    OFFLINE = "offline"

    @property
    def can_print(self) -> bool:
        """A kiosk may issue a ticket only when this is true (paper low still prints)."""
        return self in (PrinterStatus.OK, PrinterStatus.PAPER_LOW)


_STATUS_VI = {
    PrinterStatus.OK: "Máy in sẵn sàng",
    PrinterStatus.PAPER_LOW: "Máy in sắp hết giấy",
    PrinterStatus.PAPER_OUT: "Máy in hết giấy",
    PrinterStatus.COVER_OPEN: "Nắp máy in đang mở",
    PrinterStatus.OFFLINE: "Máy in không kết nối",
}
_STATUS_EN = {
    PrinterStatus.OK: "Printer ready",
    PrinterStatus.PAPER_LOW: "Printer paper low",
    PrinterStatus.PAPER_OUT: "Printer out of paper",
    PrinterStatus.COVER_OPEN: "Printer cover open",
    PrinterStatus.OFFLINE: "Printer offline",
}


def status_text(status: PrinterStatus, language: str = "vi") -> str:
    """A human sentence for a status, for the kiosk screen or the supervisor."""
    return (_STATUS_VI if language == "vi" else _STATUS_EN)[status]


class PrintError(HardwareError):
    """A ticket could not be printed. The caller still has the ticket and may reprint it."""

    def __init__(self, status: PrinterStatus, detail: str = "") -> None:
        self.status = status
        self.detail = detail
        text = status_text(status, "en")
        super().__init__(f"{text}: {detail}" if detail else text)

    @property
    def message_vi(self) -> str:
        """The same error in Vietnamese, for the kiosk screen."""
        return status_text(self.status, "vi")


@runtime_checkable
class TicketPrinter(Protocol):
    """A thermal ticket printer (real ESC/POS or virtual)."""

    @property
    def url(self) -> str:
        """The URL it was opened from, without secrets, for logs and status reports."""
        ...

    def print_ticket(self, ticket: PrintedTicket | Image.Image) -> None:
        """Print one ticket and cut; raise ``PrintError`` if it did not print."""
        ...

    def status(self) -> PrinterStatus:
        """Ask the printer now; never raises, an unreachable printer is ``OFFLINE``."""
        ...

    def close(self) -> None:
        """Release the port or socket."""
        ...


class KeypadAction(StrEnum):
    """What a clerk's hardware keypad can ask for (same verbs as the counter screen)."""

    CALL_NEXT = "call_next"
    RECALL = "recall"
    NO_SHOW = "no_show"
    TRANSFER = "transfer"
    PAUSE = "pause"
    START = "start"
    FINISH = "finish"


@dataclass(frozen=True, slots=True)
class KeypadEvent:
    """One key press on the keypad at bus ``address`` (one address per counter)."""

    address: int
    action: KeypadAction


@dataclass(frozen=True, slots=True)
class RatingEvent:
    """One press on the satisfaction pad; ``rating`` is a ``server.contract.vocab.Rating`` value."""

    address: int
    rating: str


class EventSource(Protocol):
    """A serial input device: it delivers items to a callback from its reader thread."""

    def start(self) -> None:
        """Open the port and start reading in the background; reconnects by itself."""
        ...

    def stop(self) -> None:
        """Stop reading and close the port."""
        ...

    @property
    def connected(self) -> bool:
        """Whether the port is open right now (health, shown to supervisors)."""
        ...


class Scanner(EventSource, Protocol):
    """An ID/QR scanner; each scan arrives as ``CccdScan``, ``LinkScan`` (a booking's QR
    code) or ``ScanRejected``."""

    on_scan: Callable[[CccdScan | ScanRejected | LinkScan], None]


class Keypad(EventSource, Protocol):
    """A counter keypad on the RS-485 bus."""

    on_event: Callable[[KeypadEvent], None]


class RatingPad(EventSource, Protocol):
    """A satisfaction pad on the RS-485 bus."""

    on_event: Callable[[RatingEvent], None]


@runtime_checkable
class LedDisplay(Protocol):
    """The LED number display above a counter."""

    def show(self, address: int, text: str, *, blink: bool = False) -> None:
        """Show ``text`` on the display at ``address``, blinking a few times if asked."""
        ...

    def close(self) -> None:
        """Release the port."""
        ...
