"""The view-model's state and what the views read from it; no actions here.

Split from ``kiosk.viewmodel`` to keep modules small: ``ViewModelBase`` holds the
state and the derived texts, ``PrinterViewModel`` adds the printer, and
``KioskViewModel`` the citizen's actions, the server and the clock.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from appkit.api_client import ServerUnreachable
from hardware.ports import PrintError, PrinterStatus
from kiosk.client import IssueRequest, KioskClient
from kiosk.i18n import DEFAULT_LANGUAGE, text
from kiosk.printing import PrinterGate
from kiosk.runner import Runner, Runs
from kiosk.state import (
    DepartmentItem,
    KioskSettings,
    PrintState,
    Screen,
    ServiceItem,
    department_item,
    find_service,
    live_service,
    search_services,
    service_item,
)
from server.contract.http import DeviceStatusIn, MenuOut, PriorityCategory, TicketOut
from server.contract.messages import QueueSnapshot

log = logging.getLogger(__name__)

Message = Callable[[str], str]  # a sentence in a given language: re-rendered on switch


@dataclass(frozen=True, slots=True)
class Citizen:
    """What the kiosk keeps of a scanned ID card: never the ID number itself."""

    name: str
    masked_id: str
    citizen_key: str  # keyed hash, the only identity the server sees


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ViewModelBase(QObject):
    changed = Signal()  # anything on screen may have changed: views re-render
    screenChanged = Signal(str)
    languageChanged = Signal(str)
    ticketIssued = Signal(object)  # TicketOut
    printFinished = Signal(str)  # PrintState value

    def __init__(
        self,
        client: KioskClient,
        settings: KioskSettings,
        printer: PrinterGate,
        *,
        id_key: bytes | None = None,
        runner: Runs | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utcnow,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.client = client
        self.settings = settings
        self.printer = printer
        self._id_key = id_key
        self.runner: Runs = runner if runner is not None else Runner(self)
        self._clock = clock
        self._now = now
        self._language = DEFAULT_LANGUAGE
        self._screen = Screen.WELCOME
        self._history: list[Screen] = []
        self._menu: MenuOut | None = None
        self._snapshot: QueueSnapshot | None = None
        self._department: str | None = None
        self._query = ""
        self._service: str | None = None
        self._ticket: TicketOut | None = None
        self._last_ticket: TicketOut | None = None
        self._print_state: PrintState | None = None
        self._print_error: PrintError | None = None
        self._printer_status: PrinterStatus | None = None
        self._message: Message | None = None
        self._citizen: Citizen | None = None
        self._problem: str | None = None  # why the server is away, for the technician
        self.scanner_attached = False  # the welcome screen then invites a scan
        self._pending: IssueRequest | None = None
        self._pending_at = 0.0
        self._attempts = 0
        self._busy = False
        self._online = False
        self._refreshing = False
        self._polling = False
        self._last_activity = clock()
        self._next_retry_at = 0.0
        self._next_status_at = 0.0
        self._next_printer_at = 0.0
        self._timer = QTimer(self)  # ticks once a second once started (see KioskViewModel)
        self._timer.setInterval(1000)

    @property
    def language(self) -> str:
        return self._language

    @property
    def screen(self) -> Screen:
        return self._screen

    @property
    def menu(self) -> MenuOut | None:
        return self._menu

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def online(self) -> bool:
        return self._online

    @property
    def query(self) -> str:
        return self._query

    @property
    def ticket(self) -> TicketOut | None:
        return self._ticket

    @property
    def last_ticket(self) -> TicketOut | None:
        return self._last_ticket

    @property
    def print_state(self) -> PrintState | None:
        return self._print_state

    @property
    def printer_status(self) -> PrinterStatus | None:
        return self._printer_status

    @property
    def has_live_counts(self) -> bool:
        """Whether the counts come from the live queue snapshot (not only the menu)."""
        return self._snapshot is not None

    @property
    def has_pending(self) -> bool:
        return self._pending is not None

    def t(self, key: str, **values: object) -> str:
        return text(key, self._language, **values)

    def local_now(self) -> datetime:
        zone = self._menu.time_zone if self._menu else "Asia/Ho_Chi_Minh"
        return self._now().astimezone(ZoneInfo(zone))

    @property
    def site_name(self) -> str:
        if self._menu is None:
            return ""
        return self._menu.site_name_en if self._language == "en" else self._menu.site_name

    def departments(self) -> list[DepartmentItem]:
        if self._menu is None:
            return []
        return [department_item(d, self._snapshot, self._language) for d in self._menu.departments]

    @property
    def department_name(self) -> str:
        for d in self._menu.departments if self._menu else []:
            if d.code == self._department:
                return d.name_en if self._language == "en" else d.name_vi
        return ""

    def services(self) -> list[ServiceItem]:
        """The fields of the chosen department, with live counts."""
        for d in self._menu.departments if self._menu else []:
            if d.code == self._department:
                return [self._item(s.code) for s in d.services]
        return []

    def search_results(self) -> list[ServiceItem]:
        return [self._item(s.code) for s in search_services(self._menu, self._query)]

    def _item(self, code: str) -> ServiceItem:
        service = find_service(self._menu, code)
        assert service is not None
        return service_item(live_service(service, self._snapshot), self._language)

    @property
    def service_name(self) -> str:
        service = find_service(self._menu, self._service or "")
        if service is None:
            return ""
        return service.name_en if self._language == "en" else service.name_vi

    def priority_categories(self) -> list[PriorityCategory]:
        return list(self._menu.priority_categories) if self._menu else []

    def priority_name(self, code: str | None) -> str | None:
        for category in self.priority_categories():
            if category.code == code:
                return category.name_en if self._language == "en" else category.name_vi
        return code

    @property
    def message(self) -> str | None:
        return self._message(self._language) if self._message else None

    @property
    def greeting(self) -> str | None:
        if self._citizen is None:
            return None
        return self.t("greeting", name=self._citizen.name, masked=self._citizen.masked_id)

    @property
    def problem(self) -> str | None:
        """The technical reason the kiosk is unavailable (shown small, for staff)."""
        if self._problem is None or self._screen is not Screen.UNAVAILABLE:
            return None
        return self.t("unavailable_detail", detail=self._problem)

    def retry_in_s(self) -> int:
        return max(0, round(self._next_retry_at - self._clock()))

    def touch(self) -> None:
        """Any tap: the kiosk is in use, so the idle timer starts again."""
        self._last_activity = self._clock()

    def _went_offline(self) -> None:
        self._online = False
        if self._busy or self._screen is Screen.TICKET:
            self.changed.emit()  # the ticket on screen stays; the next tick shows the rest
            return
        if self._screen is not Screen.UNAVAILABLE:
            self._next_retry_at = self._clock() + self.settings.retry_interval_s
            self._history.clear()
            self._set_screen(Screen.UNAVAILABLE)
        self.changed.emit()

    def report_status(self) -> None:
        status = self._printer_status
        body = DeviceStatusIn(
            online=True,
            printer=status.value if status is not None else "none",
            detail=f"kiosk {self.settings.kiosk_id}; printer {self.printer.url}"[:200],
        )
        self.runner.run(lambda: self.client.report_status(body), _ignore, self._report_failed)

    def _report_failed(self, exc: Exception) -> None:
        log.warning("status report failed: %s", exc)
        if isinstance(exc, ServerUnreachable):
            self._went_offline()

    def _go(self, screen: Screen) -> None:
        if screen is not self._screen:
            self._history.append(self._screen)
        self._set_screen(screen)

    def _set_screen(self, screen: Screen) -> None:
        if screen is Screen.WELCOME:
            self._history.clear()
        changed = screen is not self._screen
        self._screen = screen
        if changed:
            self.screenChanged.emit(screen.value)
        self.changed.emit()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.changed.emit()

    def _say(self, message: Message) -> None:
        self._message = message
        self.changed.emit()

    def _clear_session(self) -> None:
        self._department = None
        self._service = None
        self._query = ""
        self._message = None
        self._citizen = None
        self._ticket = None
        self._print_state = None
        self._print_error = None
        self._history.clear()


def _ignore(_result: Any) -> None:
    """A status report needs no answer beyond a 2xx."""
