"""One citizen's visit to the kiosk: what they chose, who they are, what the kiosk said.

Plain state, cleared when the citizen leaves (start over, the idle timeout, a new
ticket). The ID number of a scanned card never reaches it: only the name, the
masked number and the keyed hash.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Message = Callable[[str], str]  # a sentence in a given language: re-rendered on switch


@dataclass(frozen=True, slots=True)
class Citizen:
    """What the kiosk keeps of a scanned ID card: never the ID number itself."""

    name: str
    masked_id: str
    citizen_key: str  # keyed hash, the only identity the server sees


@dataclass(slots=True)
class Visit:
    """The citizen's department, field and search, their card, and the last message."""

    department: str | None = None
    service: str | None = None
    query: str = ""
    message: Message | None = None
    citizen: Citizen | None = None

    def clear(self) -> None:
        self.department = None
        self.service = None
        self.query = ""
        self.message = None
        self.citizen = None
