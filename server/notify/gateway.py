"""The messaging gateway: how a text reaches a citizen's phone (SMS, Zalo ZNS...).

A provider is a small class with ``send``; the one this project ships is the simulator,
which records what it would have sent (tests read it; a hall without a contract with a
provider runs with it, and the messages are only logged). No test calls an external
service.
"""

import logging
import re
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

log = logging.getLogger(__name__)

# A Vietnamese mobile number: 0 or +84, then nine digits (spaces, dots and dashes allowed).
_PHONE = re.compile(r"^(?:\+?84|0)(\d{9})$")


def normal_phone(text: str) -> str | None:
    """The number as ``0xxxxxxxxx``, or None when it is not a Vietnamese mobile number."""
    digits = re.sub(r"[\s.\-()]", "", text)
    match = _PHONE.match(digits)
    return f"0{match.group(1)}" if match else None


@dataclass(frozen=True)
class TextMessage:
    phone: str
    text: str
    at: datetime


class MessageGateway(Protocol):
    """Sends one short text; raises when the provider refused it."""

    def send(self, phone: str, text: str) -> None: ...


class SimulatedGateway:
    """Records every message instead of sending it (thread-safe)."""

    def __init__(self) -> None:
        self._sent: list[TextMessage] = []
        self._lock = threading.Lock()

    def send(self, phone: str, text: str) -> None:
        with self._lock:
            self._sent.append(TextMessage(phone, text, datetime.now(UTC)))
        log.info("message to %s***: %s", phone[:4], text)

    @property
    def sent(self) -> list[TextMessage]:
        with self._lock:
            return list(self._sent)
