"""Retained MQTT state, brought onto the GUI thread: the one bridge of the three apps.

``appkit.mqtt_state.StateSubscriber`` does the MQTT work (reconnects, drops stale
and malformed messages) and calls back on paho's network thread, which must not
touch a view-model or a widget. ``LiveFeed`` gives it callbacks that only emit Qt
signals; Qt delivers them to this object's slots on the thread it lives on (the
GUI thread), and the slots call the app's handlers there. Called on the GUI
thread itself (a test feeding a message by hand), the handlers run at once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel
from PySide6.QtCore import QObject, Signal, Slot

from appkit.mqtt_state import ConnectionState, StateSubscriber, Subscription

MessageHandler = Callable[[str, BaseModel], None]
ConnectionHandler = Callable[[ConnectionState], None]


class LiveFeed(QObject):
    """Pass ``on_message`` and ``on_connection`` to a ``StateSubscriber`` (or let
    ``follow`` build one); they are safe to call from any thread."""

    _message = Signal(str, object)
    _connection = Signal(object)

    def __init__(
        self,
        on_message: MessageHandler,
        on_connection: ConnectionHandler,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_message = on_message
        self._on_connection = on_connection
        self.subscriber: StateSubscriber | None = None
        self._message.connect(self._deliver_message)
        self._connection.connect(self._deliver_connection)

    def follow(
        self, url: str, subscriptions: Sequence[Subscription], *, client_id: str, **options: Any
    ) -> StateSubscriber:
        """Build the subscriber that feeds this bridge (not started yet); ``options`` go
        to ``StateSubscriber`` as they are."""
        self.subscriber = StateSubscriber(
            url,
            subscriptions,
            self.on_message,
            self.on_connection,
            client_id=client_id,
            **options,
        )
        return self.subscriber

    def start(self) -> None:
        if self.subscriber is not None:
            self.subscriber.start()

    def stop(self) -> None:
        if self.subscriber is not None:
            self.subscriber.stop()
            self.subscriber = None

    def on_message(self, topic: str, message: BaseModel) -> None:
        self._message.emit(topic, message)

    def on_connection(self, state: ConnectionState) -> None:
        self._connection.emit(state)

    @Slot(str, object)
    def _deliver_message(self, topic: str, message: BaseModel) -> None:
        self._on_message(topic, message)

    @Slot(object)
    def _deliver_connection(self, state: ConnectionState) -> None:
        self._on_connection(state)
