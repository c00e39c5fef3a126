"""Staff accounts, sessions and counter PINs; who is behind a bearer token."""

import logging
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from server.contract.http import LoginOut
from server.contract.vocab import CounterState, DeviceKind, Role
from server.security.hashing import (
    DUMMY_HASH,
    hash_password,
    new_token,
    token_hash,
    verify_password,
)
from server.security.secret import hash_keyed_pin, pin_matches
from server.service import errors
from server.service.context import Ack, Actor, Ctx
from server.service.core import ServiceCore
from server.service.lockout import LoginLockout
from server.service.passwords import check_password
from server.service.pins import (
    PIN_ROLES,
    SITE_LOCKOUT,
    SITE_MAX_WRONG,
    PinGuard,
    PinState,
    valid_pin,
)
from server.storage.login_attempts import auth_epoch, bump_auth_epoch
from server.storage.models import (
    CounterRow,
    DeviceRow,
    SessionRow,
    SiteRow,
    UserRow,
)
from server.storage.pin_attempts import Attempts, read_attempts, store_attempts
from server.storage.repository import Repository

SESSION_TTL = timedelta(hours=12)
AUTH_CACHE_S = 5.0
SITE_ROLES = (Role.CLERK.value, Role.SUPERVISOR.value)

log = logging.getLogger(__name__)


def has_live_session(session: Session, username: str, now: datetime) -> bool:
    """Whether ``username`` (an active account) holds a session not ended nor expired:
    a counter they opened is still theirs."""
    found = session.execute(
        select(SessionRow.token_hash)
        .join(UserRow, UserRow.id == SessionRow.user_id)
        .where(
            UserRow.username == username,
            UserRow.active.is_(True),
            SessionRow.revoked.is_(False),
            SessionRow.expires_at > now,
        )
        .limit(1)
    ).first()
    return found is not None


class Accounts:
    """Logins (password or PIN), sessions and the bearer tokens of users and devices."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core
        self._auth_cache: dict[str, tuple[Actor, float]] = {}
        self.pin_guard = PinGuard()
        self.site_pin_guard = PinGuard(SITE_MAX_WRONG, SITE_LOCKOUT)
        self.login_lockout = LoginLockout(self.core.db)
        # The server secret PINs are keyed with (``server.security.secret``); the runtime
        # and the CLI set it from the data directory.
        self.pin_key: bytes = b""
        self._seen_epoch: int | None = None

    # ---- people ---------------------------------------------------------------------

    def add_user(
        self,
        username: str,
        password: str,
        role: Role,
        *,
        site: str | None = None,
        display_name: str = "",
    ) -> bool:
        """Create an account, or reset its password and role when it exists (which
        ends its sessions, as ``change_password`` does).

        A clerk or supervisor belongs to one site; only an admin may have none. The
        password must pass the policy (``server.service.passwords``). A PIN is unique
        only among one site's accounts, so an account moved to another site, or to a
        role without a PIN, loses its PIN (returns True then): it could be another
        clerk's PIN there.
        """
        check_password(password, username)
        if site is None and role.value in SITE_ROLES:
            raise errors.site_required(role.value)
        pin_cleared = False
        password_hash = hash_password(password)
        with self.core.db.write() as session:
            if site is not None and session.get(SiteRow, site) is None:
                raise errors.unknown_site(site)
            row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
            if row is None:
                row = UserRow(username=username, created_at=self.core.clock())
                session.add(row)
            else:
                if row.pin_hash and (row.site_id != site or role.value not in PIN_ROLES):
                    row.pin_hash = None
                    pin_cleared = True
                self._end_sessions(session, row.id)
            row.display_name = display_name or username
            row.role = role.value
            row.site_id = site
            row.password_hash = password_hash
            row.active = True
        return pin_cleared

    def change_password(self, username: str, password: str) -> None:
        """``qms user passwd``: a new password (policy checked); every session of the
        account ends at once, in every server process (``watch_revocations``)."""
        check_password(password, username)
        password_hash = hash_password(password)
        with self.core.db.write() as session:
            row = self._user(session, username)
            row.password_hash = password_hash
            self._end_sessions(session, row.id)
        log.info("password of %s changed; its sessions ended", username)

    def set_active(self, username: str, active: bool) -> None:
        """``qms user disable|enable``: a disabled account cannot log in, and its
        sessions end at once."""
        with self.core.db.write() as session:
            row = self._user(session, username)
            row.active = active
            if not active:
                self._end_sessions(session, row.id)
        log.info("account %s %s", username, "enabled" if active else "disabled")

    def remove_user(self, username: str) -> None:
        """``qms user remove``: the account and its sessions go; tickets and ratings
        keep the name they were served under."""
        with self.core.db.write() as session:
            row = self._user(session, username)
            self._end_sessions(session, row.id)
            session.execute(delete(SessionRow).where(SessionRow.user_id == row.id))
            session.delete(row)
        log.info("account %s removed", username)

    @staticmethod
    def _user(session: Session, username: str) -> UserRow:
        row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
        if row is None:
            raise errors.unknown_user(username)
        return row

    def _end_sessions(self, session: Session, user_id: int) -> None:
        """Revoke the account's sessions (in the caller's transaction) and forget them
        here at once; other processes forget them when they see the epoch move."""
        hashes = session.scalars(
            select(SessionRow.token_hash).where(
                SessionRow.user_id == user_id, SessionRow.revoked.is_(False)
            )
        ).all()
        if hashes:
            session.execute(
                update(SessionRow).where(SessionRow.user_id == user_id).values(revoked=True)
            )
        bump_auth_epoch(session)
        for digest in hashes:
            self._auth_cache.pop(digest, None)

    def forget_token(self, digest: str) -> None:
        """Drop one token from this process's cache (a device revoked here)."""
        self._auth_cache.pop(digest, None)

    def watch_revocations(self) -> None:
        """Called every fraction of a second by the runtime: when sessions or device
        tokens were ended (by any process: ``qms user passwd`` runs in its own), the
        cached tokens are forgotten, so the next request of an ended one gets 401."""
        with self.core.db.read() as session:
            epoch = auth_epoch(session)
        if self._seen_epoch is not None and epoch != self._seen_epoch:
            self._auth_cache.clear()
        self._seen_epoch = epoch

    def login(self, username: str, password: str, *, address: str | None = None) -> LoginOut:
        """Wrong passwords are counted per account and per client ``address``; past the
        limit every login there is refused for a while (``server.service.lockout``)."""
        now = self.core.clock()
        # The slow password check runs outside any write transaction: it must not hold
        # up the commands of the site.
        with self.core.db.read() as session:
            wait, had_wrong = self.login_lockout.check(session, username, address, now)
            if wait:
                raise errors.logins_locked(wait)
            user = session.scalars(select(UserRow).where(UserRow.username == username)).first()
            found = None
            if user is not None and user.active:
                found = (user.id, user.username, user.display_name, user.role, user.site_id)
                stored = user.password_hash
            else:
                stored = DUMMY_HASH  # the same work as for a real account
        if not verify_password(password, stored) or found is None:
            self.login_lockout.wrong(username, address, now)
            raise errors.bad_login()
        if had_wrong:
            self.login_lockout.right(username, now)
        return self._open_session(*found)

    def _open_session(
        self, user_id: int, name: str, display_name: str, role: str, site: str | None
    ) -> LoginOut:
        token = new_token()
        now = self.core.clock()
        with self.core.db.write() as session:
            session.add(
                SessionRow(
                    token_hash=token_hash(token),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + SESSION_TTL,
                )
            )
        return LoginOut(
            token=token,
            username=name,
            display_name=display_name,
            role=Role(role),
            site=site,
            expires_at=now + SESSION_TTL,
        )

    # ---- counter PINs -----------------------------------------------------------------

    def set_pin(self, username: str, pin: str, *, site: str | None = None) -> None:
        """Give a clerk or supervisor a PIN for the counters of their site.

        Refused when another active account of the site already has the same PIN
        (only hashes are stored, so each of theirs is checked against it).
        """
        if not valid_pin(pin):
            raise errors.invalid_pin()
        with self.core.db.read() as session:
            user = session.scalars(select(UserRow).where(UserRow.username == username)).first()
            if user is None:
                raise errors.unknown_user(username)
            if user.role not in PIN_ROLES:
                raise errors.forbidden("có mã PIN", "have a PIN")
            if user.site_id is None:
                raise errors.pin_needs_site(username)
            if site is not None and site != user.site_id:
                raise errors.other_site(username, user.site_id)
            others = self._pin_hashes(session, user.site_id, exclude=user.id)
        if any(pin_matches(pin, stored, self.pin_key) for _, stored in others):
            raise errors.pin_in_use()
        with self.core.db.write() as session:
            row = session.scalars(select(UserRow).where(UserRow.username == username)).one()
            row.pin_hash = hash_keyed_pin(pin, self.pin_key)

    def clear_pin(self, username: str, *, site: str | None = None) -> bool:
        """Take a clerk's PIN away (a PIN seen by others, a clerk who left the counters).

        Only PIN login stops: the password still works and sessions already open run
        until they expire. Returns whether there was a PIN to remove, so the caller can
        say so; ``site``, when given, must be the account's site, as for ``set_pin``.
        """
        with self.core.db.write() as session:
            row = session.scalars(select(UserRow).where(UserRow.username == username)).first()
            if row is None:
                raise errors.unknown_user(username)
            if site is not None and row.site_id is None:
                raise errors.pin_needs_site(username)
            if site is not None and row.site_id is not None and site != row.site_id:
                raise errors.other_site(username, row.site_id)
            had_pin = row.pin_hash is not None
            row.pin_hash = None
        return had_pin

    def pin_login(self, site: str, counter: str, pin: str, *, terminal: Actor) -> LoginOut:
        """Log in with a PIN at a counter of ``site``: the account whose PIN it is.

        Only a registered counter terminal of the site (a device of kind ``counter``,
        its token in ``terminal``) may ask: a short PIN is a second factor on a PC of
        the hall, not a password anyone reaching the server could guess at. The clerk
        last recorded at the counter is tried first (usually the one typing). Wrong PINs
        are counted per counter and per site (``PinGuard``).
        """
        is_terminal = terminal.kind == "device" and terminal.role == DeviceKind.COUNTER.value
        if not is_terminal or terminal.site != site:
            raise errors.pin_needs_terminal(site)
        with self.core.db.read() as session:
            if session.get(SiteRow, site) is None:
                raise errors.unknown_site(site)
            place = session.get(CounterRow, (site, counter))
            if place is None:
                raise errors.unknown_counter(counter)
            now = self.core.clock()
            here, everywhere = self._pin_states(session, site, counter)
            wait = self.pin_guard.locked_for(here, now)
            if wait:
                raise errors.pin_locked(counter, wait)
            wait = self.site_pin_guard.locked_for(everywhere, now)
            if wait:
                raise errors.pins_locked_at_site(wait)
            candidates = self._pin_hashes(session, site, first=place.clerk)
        found = None
        if valid_pin(pin):
            found = next(
                (uid for uid, stored in candidates if pin_matches(pin, stored, self.pin_key)),
                None,
            )
        if found is None:
            self._count_wrong_pin(site, counter)
            raise errors.bad_pin()
        with self.core.db.read() as session:
            user = session.get(UserRow, found)
            if user is None or not user.active:
                raise errors.bad_pin()
            account = (user.id, user.username, user.display_name, user.role, user.site_id)
        if here.wrong:
            with self.core.db.write() as session:
                store_attempts(session, site, counter, self._attempts(PinGuard.right(here)))
        return self._open_session(*account)

    @staticmethod
    def _pin_states(session: Any, site: str, counter: str) -> tuple[PinState, PinState]:
        """The wrong PINs at ``counter`` and at the whole site (scope "")."""
        read = read_attempts(session, site, [counter, ""])
        return PinState(*read[counter]), PinState(*read[""])

    @staticmethod
    def _attempts(state: PinState) -> Attempts:
        return state.wrong, state.locked_until

    def _count_wrong_pin(self, site: str, counter: str) -> None:
        """Under the site's lock, so two processes never lose each other's count."""
        with self.core.db.write() as session:
            Repository(session).lock_site_version(site)
            here, everywhere = self._pin_states(session, site, counter)
            now = self.core.clock()
            here = self.pin_guard.wrong(here, now)
            everywhere = self.site_pin_guard.wrong(everywhere, now)
            store_attempts(session, site, counter, self._attempts(here))
            store_attempts(session, site, "", self._attempts(everywhere))

    def _pin_hashes(
        self, session: Any, site: str, *, exclude: int | None = None, first: str | None = None
    ) -> list[tuple[int, str]]:
        """``(user id, PIN hash)`` of the site's active accounts with a PIN."""
        rows = session.execute(
            select(UserRow.id, UserRow.username, UserRow.pin_hash)
            .where(
                UserRow.site_id == site,
                UserRow.active.is_(True),
                UserRow.pin_hash.is_not(None),
                UserRow.role.in_(PIN_ROLES),
            )
            .order_by(UserRow.id)
        ).all()
        ordered = sorted(rows, key=lambda r: r.username != first)
        return [(r.id, r.pin_hash) for r in ordered if r.id != exclude]

    def authenticate(self, token: str) -> Actor:
        """The user or device behind a bearer token (401 when unknown or expired).

        Answers are cached for ``AUTH_CACHE_S`` (every request carries a token; a logout
        in this process drops its entry at once, a revocation elsewhere within seconds).
        """
        digest = token_hash(token)
        cached = self._cached(digest)
        if cached is not None:
            return cached
        now = time.monotonic()
        actor = self._authenticate(digest)
        if len(self._auth_cache) > 10_000:
            self._auth_cache.clear()
        self._auth_cache[digest] = (actor, now + AUTH_CACHE_S)
        return actor

    def cached_actor(self, token: str) -> Actor | None:
        """The caller from the cache alone (no database), or None: lets the HTTP layer
        answer most requests' authentication on its event loop, without a thread."""
        return self._cached(token_hash(token))

    def _cached(self, digest: str) -> Actor | None:
        cached = self._auth_cache.get(digest)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        return None

    def _authenticate(self, digest: str) -> Actor:
        with self.core.db.read() as session:
            found = session.execute(
                select(SessionRow, UserRow)
                .join(UserRow, UserRow.id == SessionRow.user_id)
                .where(SessionRow.token_hash == digest)
            ).first()
            if found is not None:
                login, user = found
                if login.revoked or not user.active or login.expires_at <= self.core.clock():
                    raise errors.unauthorized()
                return Actor(
                    kind="user",
                    name=user.username,
                    role=user.role,
                    site=user.site_id,
                    display_name=user.display_name,
                    token_hash=digest,
                )
            device = session.scalars(
                select(DeviceRow).where(DeviceRow.token_hash == digest)
            ).first()
            if device is None or not device.active:
                raise errors.unauthorized()
            return Actor(
                kind="device",
                name=device.id,
                role=device.kind,
                site=device.site_id,
                display_name=device.name,
                token_hash=digest,
            )

    def logout(self, actor: Actor) -> None:
        """End the session; a clerk's counter goes on pause so nobody calls to it."""
        if not actor.is_user:
            return
        touched: list[str] = []
        self._auth_cache.pop(actor.token_hash, None)
        with self.core.db.write() as session:
            login = session.get(SessionRow, actor.token_hash)
            if login is not None:
                login.revoked = True
        with self.core.db.read() as session:
            touched = sorted(
                {
                    row.site_id
                    for row in session.scalars(
                        select(CounterRow).where(
                            CounterRow.clerk == actor.name,
                            CounterRow.state == CounterState.OPEN.value,
                        )
                    )
                }
            )
        for site_id in touched:
            try:
                self.core.command(site_id, actor, None, "", lambda ctx: self._pause_all(ctx, actor))
            except errors.ServiceError as exc:
                # A counter left open here before its site went to a branch: the hall
                # is the branch's, nothing here to pause; the session still ends.
                if exc.code != errors.SERVED_BY_BRANCH:
                    raise

    def _pause_all(self, ctx: Ctx, actor: Actor) -> tuple[int, Ack]:
        for row in ctx.repo.counter_rows(ctx.site.id).values():
            if row.clerk == actor.name and row.state == CounterState.OPEN.value:
                row.state = CounterState.PAUSED.value
                ctx.effects.everything = True
        return 200, Ack()
