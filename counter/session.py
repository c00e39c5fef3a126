"""Logging a clerk in and choosing the counter, before the terminal opens.

The chosen counter is saved in the terminal's settings so the same PC offers
it first next time.
"""

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from appkit.api_client import ApiError, ServerUnreachable
from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.settings import SettingsStore, TerminalSettings
from counter.texts import text
from server.contract.http import CounterOut, CountersOut, LoginOut

log = logging.getLogger(__name__)


class LoginViewModel(QObject):
    """Username and password (or a PIN at the known counter) in; a token, the clerk's name
    and the counters out."""

    busy_changed = Signal(bool)
    failed = Signal(str)
    logged_in = Signal(object)
    """The ``LoginOut`` of a successful login; counters follow in ``counters_loaded``."""
    counters_loaded = Signal(list)
    ready = Signal(str)
    """The clerk chose a counter (its id): open the terminal."""

    def __init__(
        self,
        client: CounterClient,
        worker: OffThread,
        store: SettingsStore,
        settings: TerminalSettings,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.worker = worker
        self.store = store
        self.settings = settings
        self.login: LoginOut | None = None
        self.counters: list[CounterOut] = []
        self.busy = False
        self.error = ""

    @property
    def site(self) -> str:
        return self.settings.site

    def submit(self, username: str, password: str) -> None:
        username = username.strip()
        if not username or not password:
            self._fail(text("need_login", self.settings.language))
            return
        self._log_in(lambda: self.client.login(username, password))

    @property
    def pin_available(self) -> bool:
        """A PIN names the clerk at a counter: offered once this terminal knows its counter
        and has its device token (the server takes PINs only from registered counter PCs)."""
        return bool(self.settings.counter) and bool(self.client.device_token)

    def submit_pin(self, pin: str) -> None:
        """Log in with the clerk's PIN at the remembered (or ``--counter``) counter."""
        pin = pin.strip()
        counter = self.settings.counter
        if not counter:
            self._fail(text("need_counter", self.settings.language))
            return
        if not self.client.device_token:
            self._fail(text("need_terminal", self.settings.language))
            return
        if not (4 <= len(pin) <= 8 and pin.isascii() and pin.isdigit()):
            self._fail(text("need_pin", self.settings.language))
            return
        site = self.site
        self._log_in(lambda: self.client.pin_login(site, counter, pin))

    def _log_in(self, login: Callable[[], LoginOut]) -> None:
        """Log in one way or the other, then read the counters of the clerk's site."""
        if self.busy:
            return
        self._set_busy(True)
        site = self.site

        def job() -> tuple[LoginOut, CountersOut]:
            answer = login()
            return answer, self.client.counters(answer.site or site)

        self.worker.run(job, self._on_login, self._on_login)

    def _on_login(self, result: Any) -> None:
        self._set_busy(False)
        language = self.settings.language
        if isinstance(result, ApiError):
            self._fail(result.message(language))
            return
        if isinstance(result, ServerUnreachable):
            self._fail(text("unreachable", language))
            return
        if isinstance(result, Exception):
            log.error("login failed unexpectedly", exc_info=result)
            self._fail(f"{text('login_failed', language)}: {result}")
            return
        login, counters = result
        self.login = login
        if login.site and login.site != self.settings.site:
            self.settings = TerminalSettings(
                server=self.settings.server,
                mqtt=self.settings.mqtt,
                site=login.site,
                counter=None,
                username=login.username,
                language=language,
            )
        self.counters = sorted(counters.counters, key=lambda c: c.counter.number)
        self.error = ""
        self.logged_in.emit(login)
        self.counters_loaded.emit(self.counters)

    def default_counter(self) -> str | None:
        """The remembered counter if it still exists, else the first one."""
        ids = [c.counter.id for c in self.counters]
        if self.settings.counter in ids:
            return self.settings.counter
        return ids[0] if ids else None

    def choose(self, counter_id: str) -> None:
        """Remember ``counter_id`` (and the user) on this PC and open the terminal."""
        if counter_id not in {c.counter.id for c in self.counters}:
            self._fail(f"{text('counter', self.settings.language)} {counter_id}?")
            return
        username = self.login.username if self.login else self.settings.username
        self.settings = TerminalSettings(
            server=self.settings.server,
            mqtt=self.settings.mqtt,
            site=self.settings.site,
            counter=counter_id,
            username=username,
            language=self.settings.language,
        )
        try:
            self.store.save(self.settings)
        except OSError as exc:
            log.warning("could not remember the counter in %s: %s", self.store.path, exc)
        self.ready.emit(counter_id)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)

    def _fail(self, message: str) -> None:
        self.error = message
        self.failed.emit(message)
