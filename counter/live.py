"""The counter's retained MQTT snapshot, brought onto the GUI thread as Qt signals.

``appkit.mqtt_state.StateSubscriber`` does the MQTT work (reconnects, drops stale
and malformed messages) on paho's thread; this only re-emits what it delivers.
"""

from pydantic import BaseModel
from PySide6.QtCore import QObject, Signal

from appkit.mqtt_state import ConnectionState, StateSubscriber, Subscription
from server.contract import topics
from server.contract.messages import CounterSnapshot
from server.contract.signing import ServerKey


class CounterLive(QObject):
    """Follows ``topics.counter(site, counter)``; ``snapshot`` and ``connection`` signals."""

    snapshot = Signal(object)
    connection = Signal(bool)

    def __init__(
        self,
        mqtt_url: str,
        site: str,
        counter_id: str,
        *,
        server_key: ServerKey | None = None,
        credentials: tuple[str, str] | None = None,
        ca_file: str | None = None,
    ) -> None:
        super().__init__()
        self.topic = topics.counter(site, counter_id)
        self.subscriber = StateSubscriber(
            mqtt_url,
            [Subscription(self.topic, CounterSnapshot)],
            self._on_message,
            self._on_connection,
            client_id=f"qms-counter-{site}-{counter_id}-{id(self):x}"[:64],
            server_key=server_key,
            credentials=credentials,
            ca_file=ca_file,
        )

    def start(self) -> None:
        self.subscriber.start()

    def stop(self) -> None:
        self.subscriber.stop()

    def _on_message(self, topic: str, message: BaseModel) -> None:
        if topic == self.topic and isinstance(message, CounterSnapshot):
            self.snapshot.emit(message)

    def _on_connection(self, state: ConnectionState) -> None:
        self.connection.emit(state.connected)
