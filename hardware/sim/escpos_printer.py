"""A simulated ESC/POS thermal printer: it reads the byte stream a real one would.

It understands what our tickets use (``ESC @``, ``GS v 0`` raster, ``ESC d`` feed,
``GS V`` cut) and answers ``DLE EOT n`` from its current status, so the real
``tcp://`` and ``serial://`` backends can be tested end to end. Raster bands are
reassembled into the printed image, so a test can compare paper with PNG.
"""

from __future__ import annotations

import logging
import socket
import threading
from dataclasses import dataclass, field

from PIL import Image

from hardware.ports import PrinterStatus
from hardware.printer.status import encode_status

log = logging.getLogger(__name__)

ESC, GS, DLE = 0x1B, 0x1D, 0x10


@dataclass
class PaperTicket:
    """What came out of the printer between two cuts."""

    bands: list[Image.Image] = field(default_factory=list)
    cut: bool = False

    def image(self) -> Image.Image:
        """The bands stacked top to bottom, mode "1"."""
        width = max((b.width for b in self.bands), default=0)
        height = sum(b.height for b in self.bands)
        page = Image.new("1", (width, height), 1)
        y = 0
        for band in self.bands:
            page.paste(band, (0, y))
            y += band.height
        return page


class EscposPrinterSim:
    """A streaming ESC/POS interpreter; ``feed`` returns the bytes the printer answers."""

    def __init__(self, status: PrinterStatus = PrinterStatus.OK, *, answers: bool = True) -> None:
        self.status = status
        self.answers = answers  # False: a printer that never replies to DLE EOT
        self.tickets: list[PaperTicket] = [PaperTicket()]
        self.queries: list[int] = []
        self._buf = bytearray()

    @property
    def finished(self) -> list[PaperTicket]:
        """Tickets that were cut."""
        return [t for t in self.tickets if t.cut]

    def feed(self, data: bytes) -> bytes:
        self._buf += data
        out = bytearray()
        while self._buf:
            used = self._step(out)
            if used == 0:
                break  # wait for the rest of a command
            del self._buf[:used]
        return bytes(out)

    def _step(self, out: bytearray) -> int:  # noqa: PLR0911 - a return per command shape
        buf = self._buf
        b = buf[0]
        if b == DLE and len(buf) < 3:
            return 0  # maybe a real-time command: wait for its other bytes
        if b == DLE and buf[1] == 0x04:
            self.queries.append(buf[2])
            if self.answers and 1 <= buf[2] <= 4:
                out.append(encode_status(self.status)[buf[2] - 1])
            return 3
        if b == ESC:
            if len(buf) < 2:
                return 0
            if buf[1] == ord("@"):
                return 2
            return 3 if len(buf) >= 3 else 0  # ESC d n, ESC 2/3 n and similar
        if b == GS:
            return self._gs(buf)
        return 1  # text or a byte we do not model: paper would show it, we skip it

    def _gs(self, buf: bytearray) -> int:  # noqa: PLR0911 - a return per command shape
        if len(buf) < 3:
            return 0  # every GS command we model has at least three bytes
        if buf[1] == ord("V"):
            if buf[2] in (65, 66):  # GS V m n: feed n then cut
                if len(buf) < 4:
                    return 0
                self._cut()
                return 4
            self._cut()
            return 3
        if buf[1] == ord("v") and buf[2] == ord("0"):
            if len(buf) < 8:
                return 0
            width_bytes = buf[4] | buf[5] << 8
            height = buf[6] | buf[7] << 8
            size = width_bytes * height
            if len(buf) < 8 + size:
                return 0
            raw = bytes(buf[8 : 8 + size])
            band = Image.frombytes("1", (width_bytes * 8, height), raw, "raw", "1;I")
            self.tickets[-1].bands.append(band)
            return 8 + size
        return 2

    def _cut(self) -> None:
        self.tickets[-1].cut = True
        self.tickets.append(PaperTicket())


class TcpPrinterServer:
    """The simulator behind a TCP socket on 127.0.0.1 (a network printer's port 9100)."""

    def __init__(self, sim: EscposPrinterSim | None = None, host: str = "127.0.0.1") -> None:
        self.sim = sim or EscposPrinterSim()
        self._server = socket.create_server((host, 0))
        self._server.settimeout(0.2)
        self.port: int = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="tcp-printer-sim", daemon=True)
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def start(self) -> TcpPrinterServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._server.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(0.2)
                self._talk(conn)

    def _talk(self, conn: socket.socket) -> None:
        while not self._stop.is_set():
            try:
                data = conn.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            with self._lock:
                reply = self.sim.feed(data)
            if reply:
                conn.sendall(reply)


class PtyPrinter:
    """The simulator behind a pseudo-terminal: a serial receipt printer (``serial://PATH``)."""

    def __init__(self, sim: EscposPrinterSim | None = None) -> None:
        from hardware.sim.pty_port import PtyPort

        self.sim = sim or EscposPrinterSim()
        self.port = PtyPort("ttyPRN")
        self._lock = threading.Lock()
        self.port.on_data(self._receive)

    @property
    def url(self) -> str:
        return f"serial://{self.port.path}?baudrate=19200"

    def _receive(self, data: bytes) -> None:
        with self._lock:
            reply = self.sim.feed(data)
        if reply:
            self.port.write(reply)

    def close(self) -> None:
        self.port.close()
