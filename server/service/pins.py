"""Counter PINs: the format, and the lockout after wrong PINs at one counter.

A PIN is short, so what protects it is the number of guesses: after
``MAX_WRONG`` wrong PINs at one counter within ``WINDOW`` the counter refuses
PINs for ``LOCKOUT``. A PIN matches any clerk of the site, so a guess at one counter
is a guess against every clerk: the site as a whole also refuses PINs for
``SITE_LOCKOUT`` after ``SITE_MAX_WRONG`` wrong ones within ``WINDOW`` (going round
the counters gains nothing). The counts live in the server process (a restart
forgets them; several server processes each count their own).
"""

import re
import threading
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


class PinGuard:
    """Wrong PINs per key ((site, counter), or the site); times from the service's clock."""

    def __init__(
        self, max_wrong: int = MAX_WRONG, lockout: timedelta = LOCKOUT, window: timedelta = WINDOW
    ) -> None:
        self.max_wrong, self.lockout, self.window = max_wrong, lockout, window
        self._lock = threading.Lock()
        self._wrong: dict[tuple[str, str], list[datetime]] = {}
        self._locked_until: dict[tuple[str, str], datetime] = {}

    def locked_for(self, key: tuple[str, str], now: datetime) -> int:
        """Seconds until the counter takes PINs again (0: it takes them now)."""
        with self._lock:
            until = self._locked_until.get(key)
            if until is None:
                return 0
            if until <= now:
                del self._locked_until[key]
                return 0
            return max(1, int((until - now).total_seconds() + 0.999))

    def wrong(self, key: tuple[str, str], now: datetime) -> None:
        """Count a wrong PIN; the ``max_wrong``-th within ``window`` locks the key."""
        with self._lock:
            recent = [t for t in self._wrong.get(key, []) if now - t < self.window]
            recent.append(now)
            if len(recent) >= self.max_wrong:
                self._locked_until[key] = now + self.lockout
                recent = []
            if recent:
                self._wrong[key] = recent
            else:
                self._wrong.pop(key, None)
            self._forget_old(now)

    def right(self, key: tuple[str, str]) -> None:
        """A clerk got in: the wrong tries before no longer count."""
        with self._lock:
            self._wrong.pop(key, None)

    def _forget_old(self, now: datetime) -> None:
        if len(self._wrong) > 1000:
            self._wrong = {
                k: times for k, times in self._wrong.items() if now - times[-1] < self.window
            }
