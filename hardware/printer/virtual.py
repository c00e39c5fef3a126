"""The virtual printer: each ticket becomes a PNG and its exact ESC/POS bytes (``.bin``).

It is the demo's default printer and the kiosk tests' printer. Faults (paper out,
cover open, offline, paper low) and a slow print can be set in the URL
(``virtual:///DIR?fault=paper_out&delay=0.5``) or flipped at run time with
``set_fault`` / ``set_delay``, so every error path of the kiosk can be exercised.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from PIL import Image

from hardware.ports import DeviceConfigError, PrintError, PrinterStatus
from hardware.printer.escpos_output import ticket_bytes
from hardware.printer.fonts import find_fonts
from hardware.printer.layout import PrintedTicket, TicketLayout, render_ticket
from hardware.printer.url_path import local_path

_SAFE = re.compile(r"[^A-Za-z0-9_-]+")


def folder_from_url(url: str) -> Path:
    """The folder a ``virtual://`` URL names, absolute (see ``local_path``)."""
    folder = local_path(url)
    if folder is None:
        raise DeviceConfigError(f"virtual printer URL needs a folder: virtual:///DIR ({url})")
    return folder


class VirtualPrinter:
    """Saves tickets in ``directory``; thread-safe; never touches hardware."""

    def __init__(
        self,
        directory: Path,
        *,
        layout: TicketLayout | None = None,
        fault: PrinterStatus = PrinterStatus.OK,
        delay_s: float = 0.0,
        cut: str | None = "PART",
    ) -> None:
        self.directory = Path(directory)
        self.layout = layout or TicketLayout()
        find_fonts(self.layout.font_regular, self.layout.font_bold)  # fail at start, not mid-print
        self.cut = cut
        self._fault = fault
        self._delay_s = delay_s
        self._lock = threading.Lock()
        self._count = 0
        self.printed: list[Path] = []

    @classmethod
    def from_url(cls, url: str, layout: TicketLayout | None = None) -> VirtualPrinter:
        """``virtual:///DIR?fault=paper_out&delay=0.5&cut=full`` (DIR as in ``folder_from_url``)."""
        parts = urlsplit(url)
        directory = folder_from_url(url)
        query = parse_qs(parts.query)
        fault_name = query.get("fault", ["ok"])[-1]
        try:
            fault = PrinterStatus(fault_name)
        except ValueError:
            names = ", ".join(s.value for s in PrinterStatus)
            raise DeviceConfigError(f"fault must be one of {names}, got {fault_name!r}") from None
        try:
            delay_s = float(query.get("delay", ["0"])[-1])
        except ValueError:
            raise DeviceConfigError(f"delay must be a number of seconds in {url}") from None
        if delay_s < 0:
            raise DeviceConfigError(f"delay must not be negative in {url}")
        cut_name = query.get("cut", ["part"])[-1].lower()
        cut = {"part": "PART", "full": "FULL", "none": None}.get(cut_name, "PART")
        return cls(directory, layout=layout, fault=fault, delay_s=delay_s, cut=cut)

    @property
    def url(self) -> str:
        return f"virtual://{self.directory}"

    def __repr__(self) -> str:
        return f"VirtualPrinter({str(self.directory)!r}, fault={self._fault.value})"

    def set_fault(self, fault: PrinterStatus | str) -> None:
        """Make the printer misbehave (or recover with ``ok``) from now on."""
        self._fault = PrinterStatus(fault)

    def set_delay(self, seconds: float) -> None:
        """Make each print take this long, like a slow or busy printer."""
        if seconds < 0:
            raise ValueError("delay must not be negative")
        self._delay_s = seconds

    def status(self) -> PrinterStatus:
        if self._fault is PrinterStatus.OK:
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
            except OSError:
                return PrinterStatus.OFFLINE
        return self._fault

    def print_ticket(self, ticket: PrintedTicket | Image.Image) -> None:
        """Write ``<stamp>-<number>.png`` and ``.bin``; raise ``PrintError`` on a fault."""
        image = ticket if isinstance(ticket, Image.Image) else render_ticket(ticket, self.layout)
        name = _SAFE.sub("_", ticket.number) if isinstance(ticket, PrintedTicket) else "image"
        data = ticket_bytes(image, cut=self.cut)
        with self._lock:
            if self._delay_s:
                time.sleep(self._delay_s)
            fault = self._fault
            if not fault.can_print:
                raise PrintError(fault, self.url)
            self._count += 1
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
            stem = f"{stamp}-{self._count:04d}-{name}"
            try:
                self.directory.mkdir(parents=True, exist_ok=True)
                png = self.directory / f"{stem}.png"
                _atomic_write(png, lambda p: image.save(p, format="PNG"))
                _atomic_write(self.directory / f"{stem}.bin", lambda p: p.write_bytes(data))
            except OSError as exc:
                raise PrintError(PrinterStatus.OFFLINE, f"{self.url}: {exc}") from exc
            self.printed.append(png)

    def close(self) -> None:
        """Nothing to release."""


def _atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write to a temporary name then rename, so a watcher never sees half a ticket."""
    tmp = path.with_suffix(path.suffix + ".part")
    write(tmp)
    tmp.replace(path)
