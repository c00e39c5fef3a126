"""Messages waiting for the publisher thread: snapshots coalesce by topic, events queue.

The service publishes after every commit from many request threads. Under a burst the
same retained topic may be published many times before the first leaves; only the
newest matters (snapshots are full state), so a later snapshot replaces a pending one
in place. Call events are never merged or dropped here. A snapshot with a lower ``seq``
than the pending one of its topic (two commits published out of order by two threads)
is ignored, so the broker never retains an older state after a newer one.
"""

import itertools
import threading
from dataclasses import dataclass

from pydantic import BaseModel


@dataclass(frozen=True)
class Outgoing:
    topic: str
    message: BaseModel
    retain: bool


def _seq(message: BaseModel) -> int | None:
    value = getattr(message, "seq", None)
    return value if isinstance(value, int) else None


class Outbox:
    """A thread-safe ordered queue; ``take`` blocks until something is there."""

    def __init__(self, *, coalesce: bool = True) -> None:
        self._coalesce = coalesce
        self._items: dict[object, Outgoing] = {}
        self._keys = itertools.count()
        self._cond = threading.Condition()
        self._closed = False
        self._wakeups = 0

    def put_snapshot(self, topic: str, message: BaseModel) -> None:
        with self._cond:
            key: object = ("snapshot", topic) if self._coalesce else next(self._keys)
            pending = self._items.get(key)
            if pending is not None:
                old, new = _seq(pending.message), _seq(message)
                if old is not None and new is not None and new < old:
                    return
            self._items[key] = Outgoing(topic, message, retain=True)
            self._cond.notify()

    def put_event(self, topic: str, message: BaseModel) -> None:
        with self._cond:
            self._items[next(self._keys)] = Outgoing(topic, message, retain=False)
            self._cond.notify()

    def wake(self) -> None:
        """Make ``take`` return (empty if need be) so the taker can look at its flags."""
        with self._cond:
            self._wakeups += 1
            self._cond.notify()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        return self._closed

    def take(self, timeout: float | None = None) -> list[Outgoing]:
        """Everything pending, oldest first; [] on timeout, wake-up or close."""
        with self._cond:
            if not self._items and not self._closed and not self._wakeups:
                self._cond.wait(timeout)
            self._wakeups = 0
            items = list(self._items.values())
            self._items.clear()
            return items

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)
