"""Open a ticket printer from a URL: ``usb://``, ``serial://``, ``tcp://``, ``cups://``,
``file://`` go through python-escpos; ``virtual://`` saves PNG + ``.bin`` files.

Every print is rendered once, turned into ESC/POS bytes once, and sent in one write.
A printer that can answer real-time status is asked before each print, so a kiosk
never hands out a blank ticket; any failure becomes a ``PrintError``.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from PIL import Image

from hardware.ports import DeviceConfigError, PrintError, PrinterStatus
from hardware.printer.escpos_output import ticket_bytes
from hardware.printer.fonts import find_fonts
from hardware.printer.layout import PrintedTicket, TicketLayout, render_ticket
from hardware.printer.status import QUERIES, decode_status, first_status_byte
from hardware.printer.url_path import local_path
from hardware.printer.virtual import VirtualPrinter

log = logging.getLogger(__name__)

DEFAULT_TCP_TIMEOUT_S = 3.0
DEFAULT_SERIAL_TIMEOUT_S = 1.0
DEFAULT_USB_TIMEOUT_MS = 2000
REPLY_TIMEOUT_S = 1.0  # a printer answers DLE EOT within milliseconds; silence = offline
CUT_MODES = {"part": "PART", "full": "FULL", "none": None}


def _one(query: dict[str, list[str]], key: str, default: str | None = None) -> str | None:
    values = query.get(key)
    return values[-1] if values else default


def _number(query: dict[str, list[str]], key: str, default: float, url: str) -> float:
    raw = _one(query, key)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise DeviceConfigError(f"{key}={raw!r} is not a number in {url}") from None
    if value < 0:
        raise DeviceConfigError(f"{key} must not be negative in {url}")
    return value


class EscposPrinter:
    """A real printer behind a python-escpos transport, opened afresh for each job."""

    def __init__(
        self,
        url: str,
        connect: Callable[[], Any],
        *,
        probe: Callable[[], PrinterStatus] | None = None,
        layout: TicketLayout | None = None,
        cut: str | None = "PART",
    ) -> None:
        """``probe``: for write-only transports, how to tell status without a print job
        (opening a CUPS ``lp`` job and closing it would print a blank line)."""
        self._url = url
        self._connect = connect
        self._probe = probe
        self.layout = layout or TicketLayout()
        find_fonts(self.layout.font_regular, self.layout.font_bold)  # fail at start, not mid-print
        self.cut = cut
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return self._url

    def __repr__(self) -> str:
        return f"EscposPrinter({self._url!r})"

    def _open(self) -> Any:
        """Open the transport; any failure to open (whatever the driver raises: pyusb
        without libusb raises ValueError) means the printer is offline."""
        try:
            device = self._connect()
            device.open()
        except Exception as exc:
            raise PrintError(PrinterStatus.OFFLINE, f"{self._url}: {exc}") from exc
        return device

    def _read_reply(self, device: Any) -> bytes:
        """One status byte, waiting at most ``REPLY_TIMEOUT_S`` (escpos's own read waits
        for 16 bytes on serial ports, i.e. always for the whole timeout)."""
        import socket

        import serial

        link = getattr(device, "device", None)
        if isinstance(link, serial.SerialBase):
            link.timeout = REPLY_TIMEOUT_S
            return bytes(link.read(1))
        if isinstance(link, socket.socket):
            link.settimeout(REPLY_TIMEOUT_S)
        return bytes(device._read())

    def _query_status(self, device: Any) -> PrinterStatus:
        answers: list[int | None] = []
        for query in QUERIES:
            device._raw(query)
            try:
                reply = self._read_reply(device)
            except (OSError, NotImplementedError) as exc:
                log.debug("no status reply from %s: %s", self._url, exc)
                reply = b""
            answers.append(first_status_byte(reply))
            if answers[0] is None:
                break  # no answer to the basic query: do not wait three more timeouts
        answers += [None] * (4 - len(answers))
        return decode_status(*answers)

    def status(self) -> PrinterStatus:
        """Real-time status where the transport reads; otherwise what the probe says.

        Never raises: whatever goes wrong while asking, the printer is offline.
        """
        with self._lock:
            if self._probe is not None:
                return self._probe()
            try:
                device = self._open()
            except PrintError:
                return PrinterStatus.OFFLINE
            try:
                return self._query_status(device)
            except Exception as exc:
                log.warning("status query to %s failed: %s", self._url, exc)
                return PrinterStatus.OFFLINE
            finally:
                device.close()

    def print_ticket(self, ticket: PrintedTicket | Image.Image) -> None:
        from escpos.exceptions import Error as EscposError

        image = ticket if isinstance(ticket, Image.Image) else render_ticket(ticket, self.layout)
        data = ticket_bytes(image, cut=self.cut)
        with self._lock:
            if self._probe is not None:
                state = self._probe()
                if not state.can_print:
                    raise PrintError(state, self._url)
            device = self._open()
            try:
                if self._probe is None:
                    state = self._query_status(device)
                    if not state.can_print:
                        raise PrintError(state, self._url)
                device._raw(data)
            except (OSError, EscposError) as exc:
                raise PrintError(PrinterStatus.OFFLINE, f"{self._url}: {exc}") from exc
            finally:
                device.close()

    def close(self) -> None:
        """Nothing stays open between jobs."""


@lru_cache(maxsize=1)
def _network_class() -> type:
    """escpos's ``Network`` with a careful ``open`` and ``close``.

    python-escpos 3.1 leaks the socket when the connect fails (a ResourceWarning on every
    retry) and closes with ``SHUT_RDWR`` whatever is left unread.
    """
    import socket

    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network

    class ClosingNetwork(Network):
        def open(self, raise_not_found: bool = True) -> None:
            try:
                self.device = socket.create_connection((self.host, self.port), self.timeout)
            except OSError as exc:
                self._device = None
                raise DeviceNotFoundError(f"cannot reach {self.host}:{self.port}: {exc}") from exc

        def close(self) -> None:
            """Drain unread replies, then half-close: closing a socket with unread input
            makes the kernel send a reset, which can drop the tail of a job still queued."""
            sock = self._device
            if not isinstance(sock, socket.socket):
                return
            self._device = False
            with contextlib.suppress(OSError):  # nothing (more) to read, or the peer is gone
                sock.setblocking(False)
                while sock.recv(4096):
                    pass
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_WR)
            sock.close()

    return ClosingNetwork


def open_printer(url: str, layout: TicketLayout | None = None) -> EscposPrinter | VirtualPrinter:
    """Build a printer from its URL; a wrong URL raises ``DeviceConfigError`` at once.

    Query options on every scheme: ``cut=part|full|none``; plus ``timeout`` (seconds)
    for ``tcp`` and ``serial``, ``baudrate`` for ``serial``, ``fault``/``delay`` for
    ``virtual``.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    scheme = parts.scheme.lower()
    cut_name = (_one(query, "cut", "part") or "part").lower()
    if cut_name not in CUT_MODES:
        raise DeviceConfigError(f"cut must be part, full or none in {url}")
    cut = CUT_MODES[cut_name]
    if scheme == "virtual":
        return VirtualPrinter.from_url(url, layout=layout)
    if scheme == "tcp":
        return _tcp(url, host=parts.hostname, port=parts.port, query=query, layout=layout, cut=cut)
    if scheme == "serial":
        return _serial(url, unquote(parts.path), query, layout, cut)
    if scheme == "usb":
        return _usb(url, parts.netloc, layout, cut)
    if scheme == "file":
        return _file(url, local_path(url), layout, cut)
    if scheme == "cups":
        return _cups(url, unquote(parts.netloc or parts.path.strip("/")), layout, cut)
    raise DeviceConfigError(
        f"unknown printer URL {url!r}: use usb://VID:PID, serial:///dev/ttyUSB0, "
        "tcp://host:9100, cups://NAME, file:///path or virtual:///DIR"
    )


def _tcp(
    url: str,
    *,
    host: str | None,
    port: int | None,
    query: dict[str, list[str]],
    layout: TicketLayout | None,
    cut: str | None,
) -> EscposPrinter:
    if not host:
        raise DeviceConfigError(f"tcp printer URL needs a host: {url}")
    timeout = _number(query, "timeout", DEFAULT_TCP_TIMEOUT_S, url)

    def connect() -> Any:
        return _network_class()(host=host, port=port or 9100, timeout=timeout)

    return EscposPrinter(url, connect, layout=layout, cut=cut)


def _serial(
    url: str,
    path: str,
    query: dict[str, list[str]],
    layout: TicketLayout | None,
    cut: str | None,
) -> EscposPrinter:
    if not path:
        raise DeviceConfigError(f"serial printer URL needs a device path: {url}")
    baudrate = int(_number(query, "baudrate", 19200, url))
    timeout = _number(query, "timeout", DEFAULT_SERIAL_TIMEOUT_S, url)

    def connect() -> Any:
        from escpos.printer import Serial

        return Serial(devfile=path, baudrate=baudrate, timeout=timeout)

    return EscposPrinter(url, connect, layout=layout, cut=cut)


def _usb(url: str, netloc: str, layout: TicketLayout | None, cut: str | None) -> EscposPrinter:
    try:
        vid_text, pid_text = netloc.split(":")
        vid, pid = int(vid_text, 16), int(pid_text, 16)
    except ValueError:
        raise DeviceConfigError(f"usb printer URL must be usb://VID:PID in hex: {url}") from None
    from escpos.printer import Usb

    if not Usb.is_usable():
        raise DeviceConfigError(
            "usb:// printers need pyusb (pip install pyusb) and libusb; or use the kernel's "
            "usblp driver with file:///dev/usb/lp0"
        )

    def connect() -> Any:
        return Usb(idVendor=vid, idProduct=pid, timeout=DEFAULT_USB_TIMEOUT_MS)

    return EscposPrinter(url, connect, layout=layout, cut=cut)


def _file(
    url: str, path: Path | None, layout: TicketLayout | None, cut: str | None
) -> EscposPrinter:
    if path is None:
        raise DeviceConfigError(f"file printer URL needs a path: {url}")

    def connect() -> Any:
        from escpos.printer import File

        return File(devfile=str(path))

    def probe() -> PrinterStatus:
        """Writable device file, or a new file in a writable folder: OK."""
        place = path if path.exists() else path.parent
        return PrinterStatus.OK if os.access(place, os.W_OK) else PrinterStatus.OFFLINE

    return EscposPrinter(url, connect, probe=probe, layout=layout, cut=cut)


def _cups(url: str, name: str, layout: TicketLayout | None, cut: str | None) -> EscposPrinter:
    if not name:
        raise DeviceConfigError(f"cups printer URL needs a queue name: cups://NAME ({url})")
    from escpos.printer import LP, CupsPrinter

    if CupsPrinter.is_usable():

        def connect() -> Any:
            return CupsPrinter(printer_name=name)

    elif LP.is_usable() and shutil.which("lp"):

        def connect() -> Any:
            return LP(printer_name=name)

    else:
        raise DeviceConfigError("cups:// printers need pycups or the lp command (cups-client)")
    return EscposPrinter(url, connect, probe=lambda: cups_status(name), layout=layout, cut=cut)


def cups_status(name: str) -> PrinterStatus:
    """Ask CUPS (``lpstat -p NAME``) whether the queue exists and accepts jobs.

    CUPS does not relay the paper sensor, so this tells only OK or OFFLINE.
    """
    lpstat = shutil.which("lpstat")
    if lpstat is None:
        return PrinterStatus.OK  # cannot ask; the print itself will tell
    try:
        done = subprocess.run(  # noqa: S603 - fixed program, the queue name is one argument
            [lpstat, "-p", name],
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
            env={**os.environ, "LC_ALL": "C"},  # "disabled" in English, whatever the locale
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("lpstat failed for %s: %s", name, exc)
        return PrinterStatus.OFFLINE
    if done.returncode != 0 or "disabled" in done.stdout:
        return PrinterStatus.OFFLINE
    return PrinterStatus.OK
