"""Login throttling: wrong passwords are counted per account and per client address.

After ``ACCOUNT_MAX_WRONG`` wrong passwords for one account within ``WINDOW`` the
account refuses every login, the right password too, for ``LOCKOUT`` (429 with
``Retry-After``); after ``ADDRESS_MAX_WRONG`` from one client address, that address
does (trying many accounts from one place gains nothing). The counts live in the
database (``login_attempts``), so a restart forgets nothing and several server
processes count the same guesses. The rule itself is ``PinGuard``'s, with other
numbers. A lockout is logged once, when it starts.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from server.service.pins import PinGuard, PinState
from server.storage.db import Database
from server.storage.login_attempts import (
    forget_old_attempts,
    read_login_attempts,
    store_login_attempts,
)

log = logging.getLogger(__name__)

WINDOW = timedelta(minutes=1)
ACCOUNT_MAX_WRONG = 30
ADDRESS_MAX_WRONG = 50
LOCKOUT = timedelta(minutes=5)


def account_key(username: str) -> str:
    return f"user:{username[:64]}"


def address_key(address: str) -> str:
    return f"addr:{address[:64]}"


@dataclass(frozen=True)
class LoginLockout:
    """Reads, counts and clears wrong logins in ``db``; times from the caller's clock."""

    db: Database
    account: PinGuard = field(default_factory=lambda: PinGuard(ACCOUNT_MAX_WRONG, LOCKOUT, WINDOW))
    address: PinGuard = field(default_factory=lambda: PinGuard(ADDRESS_MAX_WRONG, LOCKOUT, WINDOW))

    def _keys(self, username: str, address: str | None) -> list[str]:
        return [account_key(username)] + ([address_key(address)] if address else [])

    def _guard(self, key: str) -> PinGuard:
        return self.account if key.startswith("user:") else self.address

    def check(
        self, session: Session, username: str, address: str | None, now: datetime
    ) -> tuple[int, bool]:
        """Seconds until a login for ``username`` from ``address`` is taken (0: now), and
        whether the account has wrong passwords to forget once it gets in.
        ``session``: a read session the caller has open anyway."""
        states = read_login_attempts(session, self._keys(username, address))
        wait = max(self._guard(k).locked_for(PinState(*s), now) for k, s in states.items())
        return wait, bool(states[account_key(username)][0])

    def wrong(self, username: str, address: str | None, now: datetime) -> None:
        """Count a wrong password for the account and the address."""
        try:
            self._count(username, address, now)
        except IntegrityError:  # another process stored the key's first row meanwhile
            self._count(username, address, now)

    def _count(self, username: str, address: str | None, now: datetime) -> None:
        with self.db.write() as session:
            keys = self._keys(username, address)
            states = read_login_attempts(session, keys, for_update=True)
            for key, (times, until) in states.items():
                guard = self._guard(key)
                state = guard.wrong(PinState(times, until), now)
                if state.locked_until is not None and state.locked_until != until:
                    log.warning(
                        "login: %s locked for %d s after %d wrong passwords within %d s",
                        key,
                        int(guard.lockout.total_seconds()),
                        guard.max_wrong,
                        int(guard.window.total_seconds()),
                    )
                store_login_attempts(session, key, (state.wrong, state.locked_until), now)
            forget_old_attempts(session, now)

    def right(self, username: str, now: datetime) -> None:
        """The account's owner got in: its wrong tries before no longer count (the
        address's do: it may be guessing at other accounts too)."""
        key = account_key(username)
        with self.db.write() as session:
            times, until = read_login_attempts(session, [key], for_update=True)[key]
            if times:
                store_login_attempts(session, key, ([], until), now)
