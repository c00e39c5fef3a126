"""Counter PINs: the format, and the lockout after wrong PINs at one counter.

A PIN is short, so what protects it is the number of guesses: after
``MAX_WRONG`` wrong PINs at one counter within ``WINDOW`` the counter refuses
PINs for ``LOCKOUT``. A PIN matches any clerk of the site, so a guess at one counter
is a guess against every clerk: the site as a whole also refuses PINs for
``SITE_LOCKOUT`` after ``SITE_MAX_WRONG`` wrong ones within ``WINDOW`` (going round
the counters gains nothing). The counts live in the database (``pin_attempts``), so a
restart forgets nothing and several server processes count the same guesses.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from server.contract.vocab import Role

PIN_FORMAT = re.compile(r"[0-9]{4,8}")
PIN_ROLES = (Role.CLERK.value, Role.SUPERVISOR.value)
MAX_WRONG = 5
WINDOW = timedelta(minutes=5)
LOCKOUT = timedelta(seconds=60)
SITE_MAX_WRONG = 20
SITE_LOCKOUT = timedelta(minutes=5)


def valid_pin(pin: str) -> bool:
    return PIN_FORMAT.fullmatch(pin) is not None


@dataclass
class PinState:
    """Wrong PINs still inside the window (oldest first), and until when PINs wait."""

    wrong: list[datetime] = field(default_factory=list)
    locked_until: datetime | None = None


@dataclass(frozen=True)
class PinGuard:
    """The rule for one kind of key (a counter, or a whole site); times from the
    service's clock. Pure: the state is read and stored by the caller."""

    max_wrong: int = MAX_WRONG
    lockout: timedelta = LOCKOUT
    window: timedelta = WINDOW

    def locked_for(self, state: PinState, now: datetime) -> int:
        """Seconds until PINs are taken again (0: they are taken now)."""
        until = state.locked_until
        if until is None or until <= now:
            return 0
        return max(1, int((until - now).total_seconds() + 0.999))

    def wrong(self, state: PinState, now: datetime) -> PinState:
        """Count a wrong PIN; the ``max_wrong``-th within ``window`` locks the key
        (and its count starts again)."""
        recent = [t for t in state.wrong if now - t < self.window]
        recent.append(now)
        if len(recent) >= self.max_wrong:
            return PinState([], now + self.lockout)
        return PinState(recent, state.locked_until)

    @staticmethod
    def right(state: PinState) -> PinState:
        """A clerk got in: the wrong tries before no longer count."""
        return PinState([], state.locked_until)
