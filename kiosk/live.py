"""Background inputs of the kiosk (MQTT queue state, the ID scanner) as Qt signals.

paho's network thread and the scanner's reader thread must not touch the
view-model; they emit these signals, and Qt delivers them on the GUI thread.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from server.contract import topics
from server.contract.messages import QueueSnapshot

if TYPE_CHECKING:
    from pydantic import BaseModel

    from appkit.mqtt_state import ConnectionState, StateSubscriber
    from hardware.ports import Scanner
    from kiosk.viewmodel import KioskViewModel
    from server.contract.signing import ServerKey

log = logging.getLogger(__name__)


class LiveInputs(QObject):
    """Carries queue snapshots, broker state and scans to the view-model."""

    snapshot = Signal(object)  # QueueSnapshot
    linkChanged = Signal(bool)  # connected to the broker
    scanned = Signal(object)  # CccdScan | ScanRejected

    def __init__(self, vm: KioskViewModel) -> None:
        super().__init__(vm)
        self.vm = vm
        self.subscriber: StateSubscriber | None = None
        self.scanner: Scanner | None = None
        self.snapshot.connect(vm.apply_queue)
        self.linkChanged.connect(vm.set_live_connected)
        self.scanned.connect(vm.on_scan)

    def subscribe(
        self,
        url: str,
        site: str,
        client_id: str,
        *,
        server_key: ServerKey | None = None,
        credentials: tuple[str, str] | None = None,
        ca_file: str | None = None,
    ) -> None:
        """Follow the retained ``QueueSnapshot`` of the site (reconnects by itself)."""
        from appkit.mqtt_state import StateSubscriber, Subscription

        self.subscriber = StateSubscriber(
            url,
            [Subscription(topics.queue(site), QueueSnapshot)],
            self._on_message,
            self._on_connection,
            client_id=client_id,
            server_key=server_key,
            credentials=credentials,
            ca_file=ca_file,
        )
        self.subscriber.start()

    def attach_scanner(self, scanner: Scanner) -> None:
        scanner.on_scan = self.scanned.emit
        self.scanner = scanner
        self.vm.scanner_attached = True
        scanner.start()

    def _on_message(self, _topic: str, message: BaseModel) -> None:
        if isinstance(message, QueueSnapshot):
            self.snapshot.emit(message)

    def _on_connection(self, state: ConnectionState) -> None:
        self.linkChanged.emit(state.connected)

    def stop(self) -> None:
        if self.subscriber is not None:
            self.subscriber.stop()
            self.subscriber = None
        if self.scanner is not None:
            self.scanner.stop()
            self.scanner = None
