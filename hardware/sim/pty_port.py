"""A pseudo-terminal pair standing in for a serial cable.

The simulator holds the master end and plays the device; the app opens ``path`` with
pyserial like any real port. ``path`` is a symlink in a folder of our own, so it stays
the same across a simulated unplug (``disconnect``: the link and the pty vanish) and
replug (``reconnect``: a new pty behind the same name), exactly what the app's
reconnect logic must survive. POSIX only, like the serial ports it imitates.
"""

from __future__ import annotations

import contextlib
import logging
import os
import select
import tempfile
import threading
import tty
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)


class PtyPort:
    """The device end of a simulated serial port."""

    def __init__(self, name: str = "ttySIM", directory: Path | None = None) -> None:
        self._own_dir = directory is None
        self.directory = Path(directory or tempfile.mkdtemp(prefix="qms-pty-"))
        self.path = self.directory / name
        self._master = -1
        self._slave = -1
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self._on_data: Callable[[bytes], None] | None = None
        self._stop = threading.Event()
        self._open()

    def __repr__(self) -> str:
        return f"PtyPort({str(self.path)!r}, connected={self.connected})"

    def _open(self) -> None:
        master, slave = os.openpty()
        tty.setraw(slave)  # no echo, no line editing: a plain byte pipe like a UART
        self._master, self._slave = master, slave
        tmp = self.path.with_name(self.path.name + ".new")
        tmp.unlink(missing_ok=True)
        tmp.symlink_to(os.ttyname(slave))
        tmp.replace(self.path)

    @property
    def connected(self) -> bool:
        return self._master >= 0

    def write(self, data: bytes) -> None:
        """Send bytes from the device to the app (silently dropped while unplugged)."""
        with self._lock:
            if self._master < 0:
                return
            view = memoryview(data)
            while view:
                written = os.write(self._master, view)
                view = view[written:]

    def read(self, timeout: float = 0.0) -> bytes:
        """Bytes the app sent to the device, waiting up to ``timeout`` seconds for some."""
        fd = self._master
        if fd < 0:
            return b""
        try:
            # An unplug on another thread may close ``fd`` under the wait: nothing came,
            # and the next read uses the pty plugged back in.
            ready, _, _ = select.select([fd], [], [], timeout)
            if not ready:
                return b""
            return os.read(fd, 4096)
        except (OSError, ValueError):
            return b""

    def on_data(self, callback: Callable[[bytes], None]) -> None:
        """Deliver what the app writes to ``callback`` from a background thread."""
        self._on_data = callback
        if self._reader is None:
            self._reader = threading.Thread(target=self._pump, name=f"pty-{self.path.name}")
            self._reader.daemon = True
            self._reader.start()

    def _pump(self) -> None:
        while not self._stop.is_set():
            if self._master < 0:
                self._stop.wait(0.05)
                continue
            data = self.read(timeout=0.05)
            if data and self._on_data is not None:
                try:
                    self._on_data(data)
                except Exception:
                    log.exception("simulator %s failed on %r", self.path.name, data[:32])

    def disconnect(self) -> None:
        """Unplug: the pty closes and ``path`` disappears; the app's reads fail."""
        with self._lock:
            if self._master < 0:
                return
            self.path.unlink(missing_ok=True)
            for fd in (self._master, self._slave):
                with contextlib.suppress(OSError):
                    os.close(fd)
            self._master = self._slave = -1

    def reconnect(self) -> None:
        """Plug back in: a new pty appears at the same ``path``."""
        with self._lock:
            if self._master < 0:
                self._open()

    def close(self) -> None:
        """Stop the reader, unplug, and remove our folder."""
        self._stop.set()
        if self._reader is not None:
            self._reader.join(timeout=2)
        self.disconnect()
        if self._own_dir:
            with contextlib.suppress(OSError):
                self.directory.rmdir()

    def __enter__(self) -> PtyPort:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
