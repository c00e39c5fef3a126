"""The kiosk's view-model: every state and rule of the touchscreen, no widgets.

The widgets render what this object says and call its actions. It is composed of
parts, each with its own state and one job, and it carries the flows between them:

- ``nav`` (``Navigation``): the screen and the way back;
- ``visit`` (``Visit``): the citizen's choice, their scanned card, the last message;
- ``link`` (``ServerLink``): the menu, the live counts, whether the server answers;
- ``issuing`` (``Issuing``): the tap in flight and the ticket on screen;
- ``printing`` (``TicketPrinting``): the printer's state and the ticket's paper;
- ``scanning`` (``Scanning``): the ID-card reader;
- ``checkin`` (``CheckingIn``): an appointment's check-in (code, QR code or ID card).

Every call to the server or the printer runs off the GUI thread (``appkit.offthread``).
Time comes from an injected monotonic ``clock`` and ``tick()`` does all timed work
(idle timeout, retries, status reports, printer polls), so tests move time forward
by hand instead of waiting.

Rules that matter to a citizen:

- a number appears only when the server issued it; a tap is retried with the same
  idempotency key, also after the server comes back, so it never yields two;
- the printer is checked before anyone chooses; if it cannot print the kiosk says
  so, and issues on screen only if the site allows it (``allow_screen_ticket``);
- a ticket that issued but did not print stays on screen with its QR code.
"""

from __future__ import annotations

import logging
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime
from typing import ParamSpec
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from appkit.api_client import ApiError
from appkit.offthread import OffThread, Runs
from hardware.ports import PrinterStatus
from kiosk.checkin import CheckingIn
from kiosk.client import KioskClient
from kiosk.i18n import DEFAULT_LANGUAGE, check_language, text
from kiosk.issuing import Issuing
from kiosk.navigation import Navigation
from kiosk.printing import PrinterGate
from kiosk.scanning import Scanning
from kiosk.server_link import ServerLink
from kiosk.state import (
    DepartmentItem,
    KioskSettings,
    PrintState,
    Screen,
    ServiceItem,
    closed_text,
    department_item,
    find_service,
    live_service,
    search_services,
    service_item,
)
from kiosk.ticket_printing import TicketPrinting
from kiosk.visit import Citizen, Message, Visit
from server.contract.http import DeviceStatusIn, MenuOut, PriorityCategory, TicketIn, TicketOut
from server.contract.vocab import ACTIVE_STATUSES, APPOINTMENT_PRIORITY

log = logging.getLogger(__name__)

P = ParamSpec("P")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _weak(method: Callable[P, None]) -> Callable[P, None]:
    """A callback for a part that does not keep the view-model alive.

    A part holding the view-model's own methods would make a reference cycle, and a
    cycle is freed by the cyclic collector, which may run on a worker thread, where Qt
    must not delete the view-model and its timer.
    """
    ref = weakref.WeakMethod(method)

    def call(*args: P.args, **kwargs: P.kwargs) -> None:
        target = ref()
        if target is not None:
            target(*args, **kwargs)

    return call


def _weak_bool(method: Callable[[], bool]) -> Callable[[], bool]:
    """``_weak`` for a question: False once the view-model is gone."""
    ref = weakref.WeakMethod(method)

    def call() -> bool:
        target = ref()
        return target() if target is not None else False

    return call


class KioskViewModel(QObject):
    """The kiosk: what the screens show, the citizen's actions and the clock (``tick``)."""

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
        self.runner: Runs = runner if runner is not None else OffThread(self, name="kiosk")
        self._clock = clock
        self._now = now
        self._language = DEFAULT_LANGUAGE
        self._last_activity = clock()
        self._next_retry_at = 0.0
        self._next_status_at = 0.0
        self._timer = QTimer(self)  # ticks once a second once started
        self._timer.setInterval(1000)
        notify = _weak(self._notify)
        self.nav = Navigation(_weak(self._screen_shown), notify)
        self.visit = Visit()
        self.link = ServerLink(
            client,
            settings.site,
            self.runner,
            on_loaded=_weak(self._menu_loaded),
            on_lost=_weak(self._went_offline),
        )
        self.issuing = Issuing(
            client,
            settings,
            self.runner,
            clock,
            notify=notify,
            on_issued=_weak(self._issued),
            on_refused=_weak(self._refused),
            on_unreachable=_weak(self._went_offline),
        )
        self.printing = TicketPrinting(
            printer,
            settings,
            self.runner,
            clock,
            on_screen=self.issuing.is_on_screen,
            on_printed=_weak(self.touch),  # the short ticket timeout counts from the print
            on_status=_weak(self._printer_changed),
            on_finished=_weak(self._print_finished),
            notify=notify,
        )
        self.scanning = Scanning(
            id_key,
            touch=_weak(self.touch),
            on_citizen=_weak(self._scanned),
            on_say=_weak(self._say),
            parent=self,
        )
        self.checkin = CheckingIn(
            client,
            self.runner,
            wants_card=_weak_bool(self._wants_card),
            notify=notify,
            on_ticket=_weak(self._checked_in),
            on_refused=_weak(self._checkin_refused),
            on_unreachable=_weak(self._went_offline),
        )
        self.scanning.claim = self.checkin.claim

    # ---- what the screens show ----------------------------------------------------

    @property
    def language(self) -> str:
        return self._language

    @property
    def screen(self) -> Screen:
        return self.nav.screen

    @property
    def menu(self) -> MenuOut | None:
        return self.link.menu

    @property
    def busy(self) -> bool:
        return self.issuing.busy or self.checkin.busy

    @property
    def online(self) -> bool:
        return self.link.online

    @property
    def query(self) -> str:
        return self.visit.query

    @property
    def ticket(self) -> TicketOut | None:
        return self.issuing.ticket

    @property
    def last_ticket(self) -> TicketOut | None:
        return self.issuing.last_ticket

    @property
    def print_state(self) -> PrintState | None:
        return self.printing.state

    @property
    def printer_status(self) -> PrinterStatus | None:
        return self.printing.status

    @property
    def has_live_counts(self) -> bool:
        """Whether the counts come from the live queue snapshot (not only the menu)."""
        return self.link.snapshot is not None

    @property
    def has_pending(self) -> bool:
        return self.issuing.has_pending

    @property
    def scanner_attached(self) -> bool:
        """An ID reader is attached: the welcome screen then invites a scan."""
        return self.scanning.attached

    @scanner_attached.setter
    def scanner_attached(self, attached: bool) -> None:
        self.scanning.attached = attached

    @property
    def can_issue(self) -> bool:
        """Whether a tap on a field may issue a number now (the printer rule)."""
        return self.printing.can_issue

    @property
    def printer_notice(self) -> str | None:
        """The banner about the printer, shown before anyone chooses; None when it is fine."""
        return self.printing.notice(self._language)

    @property
    def printer_blocks(self) -> bool:
        return not self.can_issue

    @property
    def print_failure(self) -> str | None:
        return self.printing.failure(self._language)

    def t(self, key: str, **values: object) -> str:
        return text(key, self._language, **values)

    def local_now(self) -> datetime:
        menu = self.link.menu
        zone = menu.time_zone if menu else "Asia/Ho_Chi_Minh"
        return self._now().astimezone(ZoneInfo(zone))

    @property
    def site_name(self) -> str:
        menu = self.link.menu
        if menu is None:  # started while the server is away: still say where this is
            return self.settings.site_name or self.t("site_unknown")
        return menu.site_name_en if self._language == "en" else menu.site_name

    def departments(self) -> list[DepartmentItem]:
        menu = self.link.menu
        if menu is None:
            return []
        return [department_item(d, self.link.snapshot, self._language) for d in menu.departments]

    @property
    def department_name(self) -> str:
        for d in self.link.menu.departments if self.link.menu else []:
            if d.code == self.visit.department:
                return d.name_en if self._language == "en" else d.name_vi
        return ""

    def services(self) -> list[ServiceItem]:
        """The fields of the chosen department, with live counts."""
        for d in self.link.menu.departments if self.link.menu else []:
            if d.code == self.visit.department:
                return [self._item(s.code) for s in d.services]
        return []

    def search_results(self) -> list[ServiceItem]:
        return [self._item(s.code) for s in search_services(self.link.menu, self.visit.query)]

    def _item(self, code: str) -> ServiceItem:
        service = find_service(self.link.menu, code)
        assert service is not None
        return service_item(live_service(service, self.link.snapshot), self._language)

    @property
    def service_name(self) -> str:
        service = find_service(self.link.menu, self.visit.service or "")
        if service is None:
            return ""
        return service.name_en if self._language == "en" else service.name_vi

    def priority_categories(self) -> list[PriorityCategory]:
        menu = self.link.menu
        return list(menu.priority_categories) if menu else []

    def priority_name(self, code: str | None) -> str | None:
        return self._priority_label(code, self._language)

    @property
    def message(self) -> str | None:
        said = self.visit.message
        return said(self._language) if said else None

    @property
    def greeting(self) -> str | None:
        citizen = self.visit.citizen
        if citizen is None:
            return None
        return self.t("greeting", name=citizen.name, masked=citizen.masked_id)

    @property
    def problem(self) -> str | None:
        """The technical reason the kiosk is unavailable (shown small, for staff)."""
        if self.link.problem is None or self.nav.screen is not Screen.UNAVAILABLE:
            return None
        return self.t("unavailable_detail", detail=self.link.problem)

    def retry_in_s(self) -> int:
        return max(0, round(self._next_retry_at - self._clock()))

    # ---- the citizen's actions ----------------------------------------------------

    def touch(self) -> None:
        """Any tap: the kiosk is in use, so the idle timer starts again."""
        self._last_activity = self._clock()

    def toggle_language(self) -> None:
        self.set_language("en" if self._language == "vi" else "vi")

    def set_language(self, language: str) -> None:
        self.touch()
        if check_language(language) != self._language:
            self._language = language
            self.client.api.language = language
            self.languageChanged.emit(language)
            self.changed.emit()

    def select_department(self, code: str) -> None:
        self.touch()
        menu = self.link.menu
        if menu is None or all(d.code != code for d in menu.departments):
            return
        self.visit.department = code
        self.visit.message = None
        self.nav.go(Screen.FIELDS)
        self.poll_printer()  # checked again before the citizen picks a field

    def open_search(self) -> None:
        self.touch()
        self.visit.query = ""
        self.visit.message = None
        self.nav.go(Screen.SEARCH)

    def set_query(self, query: str) -> None:
        self.touch()
        self.visit.query = query[:40]
        self.changed.emit()

    def select_service(self, code: str) -> None:
        self.touch()
        if self.issuing.busy:
            return
        service = find_service(self.link.menu, code)
        if service is None:
            return
        live = live_service(service, self.link.snapshot)
        name = service.name_vi
        name_en = service.name_en
        if not live.open:
            vi = closed_text(live.closed_reason, "vi", live.closed_message_vi)
            en = closed_text(live.closed_reason, "en", live.closed_message_en)
            self._say(
                lambda lang: text(
                    "service_closed",
                    lang,
                    service=name_en if lang == "en" else name,
                    reason=en if lang == "en" else vi,
                )
            )
            return
        if not self.can_issue:
            self._say(lambda lang: self.printer_notice or "")
            return
        self.visit.service = code
        self.visit.message = None
        if self.priority_categories():
            self.nav.go(Screen.PRIORITY)
        else:
            self.issue(None)

    def open_checkin(self) -> None:
        """The citizen booked an appointment: the code pad (a scan works there too)."""
        self.touch()
        if self.busy:
            return
        self.checkin.clear()
        self.visit.message = None
        self.nav.go(Screen.CHECKIN)

    def choose_priority(self, code: str | None) -> None:
        self.touch()
        self.issue(code)

    def issue(self, priority: str | None) -> None:
        """Ask the server for a number for the chosen field: one tap, one key."""
        if self.issuing.busy or self.visit.service is None:
            return
        citizen = self.visit.citizen
        self.issuing.issue(
            TicketIn(
                service=self.visit.service,
                priority=priority,
                language="en" if self._language == "en" else "vi",
                citizen_key=citizen.citizen_key if citizen else None,
            )
        )

    def back(self) -> None:
        self.touch()
        if self.issuing.busy or self.nav.screen is Screen.UNAVAILABLE:
            return
        if self.nav.screen is Screen.TICKET:
            self.finish()
            return
        self.visit.message = None
        self.nav.show(self.nav.previous())

    def start_over(self) -> None:
        """Back to the welcome screen, forgetting the choice and the scanned card."""
        self.touch()
        if self.issuing.busy:
            return
        self.issuing.drop()
        self._clear_session()
        if self.nav.screen is not Screen.UNAVAILABLE:
            self.nav.show(Screen.WELCOME)
        else:
            self.changed.emit()

    def finish(self) -> None:
        """The citizen is done with the ticket screen."""
        self.start_over()

    def forget_citizen(self) -> None:
        self.touch()
        self.visit.citizen = None
        self.changed.emit()

    def on_scan(self, scan: object) -> None:
        """A scan from the ID reader (delivered on the GUI thread)."""
        self.scanning.on_scan(scan)

    def reprint_last(self) -> None:
        """Staff: print the last issued ticket again, with fresh counts from the server."""
        self.touch()
        last = self.issuing.last_ticket
        if last is None:
            self._say(lambda lang: text("reprint_none", lang))
            return
        self.runner.run(
            lambda: self.client.ticket(last.id), self._reprint_fetched, self._reprint_stale
        )

    # ---- live inputs ----------------------------------------------------------------

    def apply_queue(self, snapshot: object) -> None:
        """A fresh ``QueueSnapshot`` from MQTT (the subscriber already dropped stale ones)."""
        if self.link.apply_queue(snapshot):
            self.changed.emit()

    def set_live_connected(self, connected: bool) -> None:
        """Without the broker the counts would go stale: fall back to the menu's (refreshed)."""
        if not connected and self.link.drop_live():
            self.changed.emit()

    # ---- the clock, the server and the printer --------------------------------------

    def start(self) -> None:
        """Load the menu and the printer state, then tick every second."""
        self.refresh()
        self.poll_printer()
        if not self._timer.isActive():
            self._timer.timeout.connect(self.tick)
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def tick(self) -> None:
        """Once a second: clock, idle timeout, retries, status reports, printer polls."""
        now = self._clock()
        idle = now - self._last_activity
        if idle >= self._idle_limit():
            self._idle_reset()
        if self.nav.screen is Screen.UNAVAILABLE and now >= self._next_retry_at:
            self._next_retry_at = now + self.settings.retry_interval_s
            self.refresh()
        if now >= self._next_status_at:
            self._next_status_at = now + self.settings.status_interval_s
            self.report_status()
            if self.nav.screen is not Screen.UNAVAILABLE:
                self.refresh()
        if now >= self.printing.next_poll_at:
            self.poll_printer()
        self.changed.emit()

    def refresh(self) -> None:
        """Fetch the menu; it is also how the kiosk finds the server back."""
        self.link.refresh()

    def poll_printer(self) -> None:
        self.printing.poll()

    def report_status(self) -> None:
        status = self.printing.status
        self.link.report_status(
            DeviceStatusIn(
                online=True,
                printer=status.value if status is not None else "none",
                detail=f"kiosk {self.settings.kiosk_id}; printer {self.printer.url}"[:200],
                heartbeat_s=max(1, round(self.settings.status_interval_s)),
            )
        )

    def _idle_limit(self) -> float:
        """How long the current screen may sit untouched."""
        if self.nav.screen is not Screen.TICKET:
            return self.settings.idle_timeout_s
        if self.printing.state is PrintState.PRINTED:
            return self.settings.ticket_screen_s
        return self.settings.ticket_failed_s  # printing, failed or on screen only

    def _idle_reset(self) -> None:
        self._last_activity = self._clock()
        if self.issuing.busy:
            return
        at_rest = (
            self.nav.screen in (Screen.WELCOME, Screen.UNAVAILABLE)
            and self._language == DEFAULT_LANGUAGE
            and self.visit.citizen is None
            and self.visit.message is None
        )
        if at_rest:
            return
        self._clear_session()
        self.set_language(DEFAULT_LANGUAGE)
        if self.nav.screen is not Screen.UNAVAILABLE:
            self.nav.show(Screen.WELCOME)
        if not self.link.online:
            self._went_offline()  # it went while a ticket was on screen

    def _menu_loaded(self, was_offline: bool) -> None:
        if self.nav.screen is Screen.UNAVAILABLE or was_offline:
            self._recovered()
        self.changed.emit()

    def _recovered(self) -> None:
        log.info("kiosk %s online", self.settings.kiosk_id)
        self.report_status()
        if self.issuing.resume():
            return
        if self.nav.screen is Screen.UNAVAILABLE:
            self.nav.forget()
            self.nav.show(Screen.WELCOME)

    def _went_offline(self) -> None:
        self.link.went_offline()
        if self.issuing.busy or self.nav.screen is Screen.TICKET:
            self.changed.emit()  # the ticket on screen stays; the next tick shows the rest
            return
        if self.nav.screen is not Screen.UNAVAILABLE:
            self._next_retry_at = self._clock() + self.settings.retry_interval_s
            self.nav.forget()
            self.nav.show(Screen.UNAVAILABLE)
        self.changed.emit()

    def _issued(self, ticket: TicketOut) -> None:
        self.link.answered()
        self.visit.citizen = None  # one scan, one ticket
        self.nav.forget()
        self.nav.show(Screen.TICKET)
        self.ticketIssued.emit(ticket)
        self._print(ticket)

    def _wants_card(self) -> bool:
        return self.nav.screen is Screen.CHECKIN

    def _checked_in(self, ticket: TicketOut) -> None:
        """The booking's ticket: shown and printed as any ticket."""
        self.issuing.ticket = ticket
        self.issuing.last_ticket = ticket
        self._issued(ticket)

    def _checkin_refused(self, exc: ApiError) -> None:
        self._say(lambda lang: text("checkin_refused", lang, message=exc.message(lang)))

    def _refused(self, exc: ApiError) -> None:
        if self.nav.screen is Screen.PRIORITY:
            self.back()
        self._say(self._refusal_text(exc))

    def _refusal_text(self, exc: ApiError) -> Message:
        if exc.code == "citizen_active_ticket":
            number = str(exc.error.details.get("number", "?"))
            return lambda lang: text("active_ticket", lang, number=number)
        return lambda lang: text("issue_refused", lang, message=exc.message(lang))

    def _print(self, ticket: TicketOut, *, retry: bool = False) -> None:
        label = self._priority_label(ticket.priority, ticket.language)
        menu = self.link.menu
        site_name = menu.site_name if menu else ticket.site
        self.printing.print(ticket, site_name, label, retry=retry)

    def _priority_label(self, code: str | None, language: str) -> str | None:
        """The category's name in ``language`` (the ticket prints it in its band)."""
        if code == APPOINTMENT_PRIORITY:
            return text("appointment_band", language)
        for category in self.priority_categories():
            if category.code == code:
                return category.name_en if language == "en" else category.name_vi
        return code

    def _printer_changed(self) -> None:
        if self.link.online:
            self.report_status()

    def _reprint_fetched(self, fresh: TicketOut) -> None:
        if fresh.status not in ACTIVE_STATUSES:
            self._say(lambda lang: text("reprint_inactive", lang, number=fresh.number))
            return
        on_screen = self.issuing.refreshed(fresh)
        if not on_screen and self.nav.screen is not Screen.TICKET:
            self.issuing.ticket = fresh
            self.nav.forget()
            self.nav.show(Screen.TICKET)
        self._print(fresh, retry=True)

    def _reprint_stale(self, exc: Exception) -> None:
        """No answer: print what we have (the server did issue it). A refusal: do not."""
        if isinstance(exc, ApiError):
            self._say(lambda lang: text("issue_refused", lang, message=exc.message(lang)))
            return
        log.warning("reprint without fresh counts: %s", exc)
        last = self.issuing.last_ticket
        if last is not None:
            self._reprint_fetched(last)

    def _notify(self) -> None:
        self.changed.emit()

    def _screen_shown(self, screen: Screen) -> None:
        self.screenChanged.emit(screen.value)

    def _print_finished(self, state: str) -> None:
        self.printFinished.emit(state)

    def _scanned(self, citizen: Citizen) -> None:
        self.visit.citizen = citizen
        self.visit.message = None
        self.changed.emit()

    def _say(self, message: Message) -> None:
        self.visit.message = message
        self.changed.emit()

    def _clear_session(self) -> None:
        self.visit.clear()
        self.checkin.code = ""
        self.issuing.ticket = None
        self.printing.forget()
        self.nav.forget()
