"""A serial QR/ID scanner: one scan per line (CR and/or LF), parsed as a CCCD card or,
when it is a web address (a booking's QR code), passed on as a ``LinkScan``.

Scanners configured without a line suffix also work: a scan that is followed by a
quiet gap counts as complete. Every scan reaches the callback as a ``CccdScan`` or a
``ScanRejected`` with the reason, never as an exception.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date

from hardware.cccd import MAX_SCAN_LENGTH, CccdScan
from hardware.links import LinkScan, read_any
from hardware.ports import ScanRejected
from hardware.serial_link import SerialLink

log = logging.getLogger(__name__)

ScanResult = CccdScan | ScanRejected | LinkScan


class SerialScanner(SerialLink[ScanResult]):
    """Implements ``hardware.ports.Scanner``; ``on_scan`` gets each parsed scan."""

    def __init__(
        self,
        port: str,
        on_scan: Callable[[ScanResult], None] | None = None,
        *,
        baudrate: int | None = None,
        today: Callable[[], date] | None = None,
    ) -> None:
        super().__init__(port, on_scan, baudrate=baudrate, name="scanner")
        self._today = today
        self._pending = bytearray()

    @property
    def on_scan(self) -> Callable[[ScanResult], None]:
        return self.on_item

    @on_scan.setter
    def on_scan(self, callback: Callable[[ScanResult], None]) -> None:
        self.on_item = callback

    def reset(self) -> None:
        self._pending.clear()

    def _read(self, raw: bytes) -> ScanResult | None:
        text = raw.decode("utf-8", errors="replace").strip()
        if not text:
            return None
        result = read_any(text, today=self._today() if self._today else None)
        if isinstance(result, ScanRejected):
            log.info("scan rejected: %s", result.message_en)
        return result

    def parse(self, data: bytes) -> list[ScanResult]:
        self._pending += data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        results: list[ScanResult] = []
        while b"\n" in self._pending:
            line, _, rest = bytes(self._pending).partition(b"\n")
            self._pending[:] = rest
            result = self._read(line)
            if result is not None:
                results.append(result)
        if len(self._pending) > MAX_SCAN_LENGTH:
            self._pending.clear()
            results.append(ScanRejected("Mã QR quá dài.", "The QR code is too long."))
        return results

    def idle(self) -> list[ScanResult]:
        if not self._pending:
            return []
        line = bytes(self._pending)
        self._pending.clear()
        result = self._read(line)
        return [result] if result is not None else []
