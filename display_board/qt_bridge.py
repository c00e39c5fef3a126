"""Carry the subscriber's callbacks (paho's thread) to the view-model on the GUI thread.

The Plover habit: the logic (``BoardViewModel``) knows nothing of Qt, and this
small adapter turns each callback into a Qt signal. A signal emitted on paho's
thread reaches a receiver living on the GUI thread as a queued call, so the
view-model and the widgets are only ever touched by the GUI thread.
"""

from __future__ import annotations

from pydantic import BaseModel
from PySide6.QtCore import QObject, Signal, Slot

from appkit.mqtt_state import ConnectionState
from display_board.viewmodel import BoardViewModel


class QtBoard(QObject):
    """Pass ``on_message`` and ``on_connection`` to ``StateSubscriber``; safe from any thread."""

    message_received = Signal(str, object)
    connection_changed = Signal(object)

    def __init__(self, vm: BoardViewModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        self.message_received.connect(self._apply_message)
        self.connection_changed.connect(self._apply_connection)

    def on_message(self, topic: str, message: BaseModel) -> None:
        self.message_received.emit(topic, message)

    def on_connection(self, state: ConnectionState) -> None:
        self.connection_changed.emit(state)

    @Slot(str, object)
    def _apply_message(self, topic: str, message: BaseModel) -> None:
        self.vm.handle(topic, message)

    @Slot(object)
    def _apply_connection(self, state: ConnectionState) -> None:
        self.vm.set_connection(state)
