"""The kiosk's link to the queue server: the menu, the live counts, and whether it answers.

The menu is fetched at start, every status interval, and while the kiosk is
unavailable: loading it is also how the kiosk finds the server back. The live
counts come from the site's retained ``QueueSnapshot`` over MQTT; without the
broker they would go stale, so the menu's counts are shown instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from appkit.api_client import ApiError, ServerUnreachable
from appkit.offthread import Runs
from kiosk.client import KioskClient
from kiosk.state import unknown_services
from server.contract.http import DeviceStatusIn, MenuOut
from server.contract.messages import QueueSnapshot

log = logging.getLogger(__name__)


class ServerLink:
    """The menu, the live queue snapshot, online or not, and why not.

    ``on_loaded(was_offline)`` hears each menu that arrived; ``on_lost`` that the
    server did not answer (the menu or a status report).
    """

    def __init__(
        self,
        client: KioskClient,
        site: str,
        runner: Runs,
        *,
        on_loaded: Callable[[bool], None],
        on_lost: Callable[[], None],
    ) -> None:
        self.client = client
        self.site = site
        self.runner = runner
        self._on_loaded = on_loaded
        self._on_lost = on_lost
        self.menu: MenuOut | None = None
        self.snapshot: QueueSnapshot | None = None
        self.online = False
        self.problem: str | None = None  # why the server is away, for the technician
        self._refreshing = False

    def refresh(self) -> None:
        """Fetch the menu (once at a time)."""
        if self._refreshing:
            return
        self._refreshing = True
        self.runner.run(self.client.menu, self._menu_loaded, self._menu_failed)

    def went_offline(self) -> None:
        self.online = False

    def answered(self) -> None:
        """The server answered a command: it is there."""
        self.online = True

    def apply_queue(self, snapshot: object) -> bool:
        """Keep a fresh ``QueueSnapshot`` of this site; True when it was one."""
        if not isinstance(snapshot, QueueSnapshot) or snapshot.site != self.site:
            return False
        self.snapshot = snapshot
        if unknown_services(self.menu, snapshot) and not self._refreshing:
            self.refresh()
        return True

    def drop_live(self) -> bool:
        """The broker is gone: forget the live counts; True if there were some."""
        if self.snapshot is None:
            return False
        log.info("live queue state lost; showing the menu's counts until it is back")
        self.snapshot = None
        return True

    def report_status(self, body: DeviceStatusIn) -> None:
        self.runner.run(lambda: self.client.report_status(body), _ignore, self._report_failed)

    def _menu_loaded(self, menu: MenuOut) -> None:
        self._refreshing = False
        self.menu = menu
        self.problem = None
        was_offline = not self.online
        self.online = True
        self._on_loaded(was_offline)

    def _menu_failed(self, exc: Exception) -> None:
        self._refreshing = False
        if isinstance(exc, ApiError):
            log.error("the server refused this kiosk's menu request: %s", exc)
            self.problem = f"{exc.status} {exc.code}: {exc.error.message_en}"
        else:
            log.warning("server unreachable while loading the menu: %s", exc)
            self.problem = str(exc)[:120] or type(exc).__name__
        self._on_lost()

    def _report_failed(self, exc: Exception) -> None:
        log.warning("status report failed: %s", exc)
        if isinstance(exc, ServerUnreachable):
            self._on_lost()


def _ignore(_result: Any) -> None:
    """A status report needs no answer beyond a 2xx."""
