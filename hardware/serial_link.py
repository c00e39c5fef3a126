"""One serial connection that keeps itself alive: the base of every serial device driver.

It opens the port with ``serial.serial_for_url`` (a device path, a pty, ``loop://``,
``socket://127.0.0.1:7000``...), reads in a background thread, hands the bytes to the
subclass's ``parse`` and each parsed item to a callback, and when the port vanishes
(cable pulled, USB adapter reset) closes it and retries with capped exponential backoff
until it comes back. Garbage is the parser's business: it logs and skips it.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar
from urllib.parse import parse_qs, urlsplit

from hardware.ports import DeviceConfigError, HardwareError

log = logging.getLogger(__name__)

T = TypeVar("T")

READ_TIMEOUT_S = 0.1  # also the quiet gap after which a half frame counts as torn
BACKOFF_START_S = 0.2
BACKOFF_MAX_S = 5.0


class NotConnectedError(HardwareError):
    """Writing to a serial device whose port is not open right now."""


def split_port_url(url: str) -> tuple[str, int]:
    """``serial:///dev/ttyUSB0?baudrate=9600`` -> (``/dev/ttyUSB0``, 9600); other pyserial
    URLs and plain paths pass through with the default 9600 baud."""
    if not url:
        raise DeviceConfigError("empty serial port")
    if url.startswith("serial://"):
        parts = urlsplit(url)
        query = parse_qs(parts.query)
        raw = query.get("baudrate", ["9600"])[-1]
        if not raw.isdigit() or int(raw) == 0:
            raise DeviceConfigError(f"baudrate must be a positive whole number in {url}")
        path = parts.netloc + parts.path
        if not path:
            raise DeviceConfigError(f"serial URL needs a device path: {url}")
        return path, int(raw)
    return url, 9600


class SerialLink(Generic[T]):
    """Subclasses implement ``parse`` (bytes -> items) and may override ``idle``."""

    def __init__(
        self,
        port: str,
        on_item: Callable[[T], None] | None = None,
        *,
        baudrate: int | None = None,
        name: str = "serial",
    ) -> None:
        self.port, default_baud = split_port_url(port)
        self.baudrate = baudrate or default_baud
        self.name = name
        self.on_item: Callable[[T], None] = on_item or (lambda item: None)
        self.on_connect: Callable[[], None] | None = None
        self._serial: Any = None
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._connected = threading.Event()
        self._thread: threading.Thread | None = None
        self.reconnects = 0
        # A simulator this link was opened on by ``hardware.registry`` (``sim://``): the
        # demo drives it, and ``stop`` closes it with the link.
        self.simulator: Any = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.port!r}, connected={self.connected})"

    # -- what subclasses provide ------------------------------------------------

    def parse(self, data: bytes) -> list[T]:
        """Turn received bytes into items; keep partial input for the next call."""
        raise NotImplementedError

    def idle(self) -> list[T]:
        """Called when a read times out with nothing new: finish or drop partial input."""
        return []

    def reset(self) -> None:
        """Forget partial input (the port was reopened)."""

    # -- life cycle ---------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        """Block until the port is open (or ``timeout`` passes): for tools and tests."""
        return self._connected.wait(timeout)

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self.name}-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._close()
        if self.simulator is not None:
            self.simulator.close()
            self.simulator = None

    def __enter__(self) -> SerialLink[T]:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def write(self, data: bytes) -> None:
        """Send bytes now; ``NotConnectedError`` if the port is down (the caller decides)."""
        import serial

        with self._write_lock:
            link = self._serial
            if link is None:
                raise NotConnectedError(f"{self.name} on {self.port} is not connected")
            try:
                link.write(data)
                link.flush()
            except (serial.SerialException, OSError) as exc:
                raise NotConnectedError(f"{self.name} on {self.port}: {exc}") from exc

    # -- the reader thread ----------------------------------------------------------

    def _open(self) -> Any:
        import serial

        return serial.serial_for_url(
            self.port, baudrate=self.baudrate, timeout=READ_TIMEOUT_S, write_timeout=1.0
        )

    def _close(self) -> None:
        with self._write_lock:
            link, self._serial = self._serial, None
        self._connected.clear()
        if link is not None:
            try:
                link.close()
            except Exception:  # closing a vanished port may fail in odd ways; it is gone anyway
                log.debug("closing %s failed", self.port, exc_info=True)

    def _run(self) -> None:
        import serial

        delay = BACKOFF_START_S
        first = True
        while not self._stop.is_set():
            try:
                link = self._open()
            except (serial.SerialException, OSError, ValueError) as exc:
                if first:
                    log.warning("%s: cannot open %s (%s); retrying", self.name, self.port, exc)
                first = False
                self._stop.wait(delay * random.uniform(0.8, 1.2))
                delay = min(delay * 2, BACKOFF_MAX_S)
                continue
            with self._write_lock:
                self._serial = link
            self.reset()
            self._connected.set()
            log.info("%s: connected to %s", self.name, self.port)
            self._notify_connect()
            delay, first = BACKOFF_START_S, True
            self._read_until_error(link)
            self._close()
            if not self._stop.is_set():
                self.reconnects += 1
                log.warning("%s: lost %s; reconnecting", self.name, self.port)

    def _notify_connect(self) -> None:
        if self.on_connect is not None:
            try:
                self.on_connect()
            except Exception:
                log.exception("%s: on_connect handler failed", self.name)

    def _read_until_error(self, link: Any) -> None:
        import serial

        while not self._stop.is_set():
            try:
                data = link.read(max(1, link.in_waiting or 1))
            except (serial.SerialException, OSError, TypeError, AttributeError) as exc:
                # TypeError/AttributeError: pyserial's posix read on a fd closed under it
                log.debug("%s: read failed: %s", self.name, exc)
                return
            try:
                items = self.parse(data) if data else self.idle()
            except Exception:
                log.exception("%s: could not parse %r; skipped", self.name, data[:64])
                self.reset()
                continue
            for item in items:
                try:
                    self.on_item(item)
                except Exception:
                    log.exception("%s: handler failed on %r", self.name, item)
