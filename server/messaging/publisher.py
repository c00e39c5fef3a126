"""What the service layer needs from a publisher; the MQTT one and fakes implement it."""

from typing import Protocol

from pydantic import BaseModel


class Publisher(Protocol):
    """Sends state out after a transaction commits.

    Snapshots are retained (a reconnecting display gets the whole picture at
    once); events are not. Implementations never raise on a broker outage: they
    drop the message and republish everything when the broker is back.
    """

    def publish_snapshot(self, topic: str, message: BaseModel) -> None: ...

    def publish_event(self, topic: str, message: BaseModel) -> None: ...


class RecordingPublisher:
    """Keeps every message in memory: the fake the service tests use."""

    def __init__(self) -> None:
        self.snapshots: dict[str, BaseModel] = {}
        self.events: list[tuple[str, BaseModel]] = []
        self.count = 0

    def publish_snapshot(self, topic: str, message: BaseModel) -> None:
        self.snapshots[topic] = message
        self.count += 1

    def publish_event(self, topic: str, message: BaseModel) -> None:
        self.events.append((topic, message))
        self.count += 1
