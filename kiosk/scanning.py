"""The ID-card reader: a scan becomes a greeting and a keyed hash, never a stored number.

The scanner's reader thread must not touch the view-model: it emits ``scanned``,
and Qt delivers the scan to ``on_scan`` on the GUI thread, where this object lives.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal, Slot

from hardware.cccd import CccdScan, ScanRejected
from hardware.ports import Scanner
from kiosk.i18n import text
from kiosk.visit import Citizen, Message

log = logging.getLogger(__name__)


class Scanning(QObject):
    """The attached scanner and the site's ID key; ``touch`` hears any scan (the kiosk is
    in use), ``on_citizen`` who was read, ``on_say`` what to tell the citizen when the
    card could not be read."""

    scanned = Signal(object)  # CccdScan | ScanRejected, from the reader thread

    def __init__(
        self,
        id_key: bytes | None,
        *,
        touch: Callable[[], None],
        on_citizen: Callable[[Citizen], None],
        on_say: Callable[[Message], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._id_key = id_key
        self._touch = touch
        self._on_citizen = on_citizen
        self._on_say = on_say
        self.scanner: Scanner | None = None
        self.attached = False  # the welcome screen then invites a scan
        # Takes a scan first when it returns True (an appointment's check-in).
        self.claim: Callable[[object], bool] | None = None
        self.scanned.connect(self.on_scan)

    def attach(self, scanner: Scanner) -> None:
        """Start reading ``scanner``; its scans arrive through ``scanned``."""
        scanner.on_scan = self.scanned.emit
        self.scanner = scanner
        self.attached = True
        scanner.start()

    def stop(self) -> None:
        if self.scanner is not None:
            self.scanner.stop()
            self.scanner = None

    @Slot(object)
    def on_scan(self, scan: object) -> None:
        """A scan on the GUI thread. Only the name, the masked number and the keyed hash
        are kept; the scan object (which holds the number) is dropped here."""
        self._touch()
        if self.claim is not None and self.claim(scan):
            return
        if isinstance(scan, ScanRejected):
            rejected = scan
            self._on_say(lambda lang: rejected.message_en if lang == "en" else rejected.message_vi)
            return
        if not isinstance(scan, CccdScan):
            log.warning("ignoring a scan of unexpected type %s", type(scan).__name__)
            return
        if self._id_key is None:
            log.error("an ID card was scanned but this kiosk has no ID key (--id-key)")
            self._on_say(lambda lang: text("scan_unconfigured", lang))
            return
        self._on_citizen(Citizen(scan.full_name, scan.masked_id, scan.citizen_key(self._id_key)))
