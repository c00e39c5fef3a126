"""The kiosk's view-model: every state and rule of the touchscreen, no widgets.

The widgets render what this object says and call its actions; it talks to the
server through ``KioskClient`` and to the printer through ``PrinterGate``, always
off the GUI thread (``Runner``). Time comes from an injected monotonic ``clock``
and ``tick()`` does all timed work (idle timeout, retries, status reports, printer
polls), so tests move time forward by hand instead of waiting.

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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, QTimer, Signal

from appkit.api_client import ApiError, ServerUnreachable
from hardware.cccd import CccdScan
from hardware.ports import PrintError, PrinterStatus, ScanRejected, status_text
from kiosk.client import IssueRequest, KioskClient
from kiosk.i18n import DEFAULT_LANGUAGE, check_language, text
from kiosk.printing import PrinterGate
from kiosk.runner import Runner, Runs
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
    unknown_services,
)
from server.contract.http import DeviceStatusIn, MenuOut, PriorityCategory, TicketIn, TicketOut
from server.contract.messages import QueueSnapshot
from server.contract.vocab import ACTIVE_STATUSES

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


class KioskViewModel(QObject):
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
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)

    # ---- life cycle -------------------------------------------------------------

    def start(self) -> None:
        """Load the menu and the printer state, then tick every second."""
        self.refresh()
        self.poll_printer()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    # ---- what the views read ----------------------------------------------------

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
    def can_issue(self) -> bool:
        """Whether a tap on a field may issue a number now (the printer rule)."""
        status = self._printer_status
        if status is None and self.printer.printer is None:
            return True  # no printer: every number is shown on screen
        if status is not None and status.can_print:
            return True
        return self.settings.allow_screen_ticket

    @property
    def printer_notice(self) -> str | None:
        """The banner about the printer, shown before anyone chooses; None when it is fine."""
        if self.printer.printer is None:
            return self.t("printer_none")
        status = self._printer_status
        if status is None or status is PrinterStatus.OK:
            return None
        said = status_text(status, self._language)
        if status.can_print:
            return said  # paper low: still prints, staff should know
        key = "printer_screen_only" if self.settings.allow_screen_ticket else "printer_blocking"
        return self.t(key, status=said)

    @property
    def printer_blocks(self) -> bool:
        return not self.can_issue

    @property
    def message(self) -> str | None:
        return self._message(self._language) if self._message else None

    @property
    def greeting(self) -> str | None:
        if self._citizen is None:
            return None
        return self.t("greeting", name=self._citizen.name, masked=self._citizen.masked_id)

    @property
    def print_failure(self) -> str | None:
        if self._print_state is PrintState.FAILED:
            reason = self._print_error.status if self._print_error else PrinterStatus.OFFLINE
            return self.t("ticket_print_failed", reason=status_text(reason, self._language))
        if self._print_state is PrintState.SCREEN_ONLY:
            return self.t("ticket_screen_only")
        return None

    def retry_in_s(self) -> int:
        return max(0, round(self._next_retry_at - self._clock()))

    # ---- citizen actions --------------------------------------------------------

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
        if self._menu is None or all(d.code != code for d in self._menu.departments):
            return
        self._department = code
        self._message = None
        self._go(Screen.FIELDS)
        self.poll_printer()  # checked again before the citizen picks a field

    def open_search(self) -> None:
        self.touch()
        self._query = ""
        self._message = None
        self._go(Screen.SEARCH)

    def set_query(self, query: str) -> None:
        self.touch()
        self._query = query[:40]
        self.changed.emit()

    def select_service(self, code: str) -> None:
        self.touch()
        if self._busy:
            return
        service = find_service(self._menu, code)
        if service is None:
            return
        live = live_service(service, self._snapshot)
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
        self._service = code
        self._message = None
        if self.priority_categories():
            self._go(Screen.PRIORITY)
        else:
            self.issue(None)

    def choose_priority(self, code: str | None) -> None:
        self.touch()
        self.issue(code)

    def issue(self, priority: str | None) -> None:
        """Ask the server for a number for the chosen field: one tap, one key."""
        if self._busy or self._service is None:
            return
        body = TicketIn(
            service=self._service,
            priority=priority,
            language="en" if self._language == "en" else "vi",
            citizen_key=self._citizen.citizen_key if self._citizen else None,
        )
        self._pending = IssueRequest(body)
        self._pending_at = self._clock()
        self._attempts = 0
        self._send_pending()

    def back(self) -> None:
        self.touch()
        if self._busy or self._screen is Screen.UNAVAILABLE:
            return
        if self._screen is Screen.TICKET:
            self.finish()
            return
        self._message = None
        previous = self._history.pop() if self._history else Screen.WELCOME
        self._set_screen(previous)

    def start_over(self) -> None:
        """Back to the welcome screen, forgetting the choice and the scanned card."""
        self.touch()
        if self._busy:
            return
        self._clear_session()
        if self._screen is not Screen.UNAVAILABLE:
            self._set_screen(Screen.WELCOME)
        else:
            self.changed.emit()

    def finish(self) -> None:
        """The citizen is done with the ticket screen."""
        self.start_over()

    def forget_citizen(self) -> None:
        self.touch()
        self._citizen = None
        self.changed.emit()

    def on_scan(self, scan: object) -> None:
        """A scan from the ID reader (delivered on the GUI thread).

        Only the name, the masked number and the keyed hash are kept; the scan
        object (which holds the number) is dropped here.
        """
        self.touch()
        if isinstance(scan, ScanRejected):
            rejected = scan
            self._say(lambda lang: rejected.message_en if lang == "en" else rejected.message_vi)
            return
        if not isinstance(scan, CccdScan):
            log.warning("ignoring a scan of unexpected type %s", type(scan).__name__)
            return
        if self._id_key is None:
            log.error("an ID card was scanned but this kiosk has no ID key (--id-key)")
            self._say(lambda lang: text("scan_unconfigured", lang))
            return
        self._citizen = Citizen(scan.full_name, scan.masked_id, scan.citizen_key(self._id_key))
        self._message = None
        self.changed.emit()

    def reprint_last(self) -> None:
        """Staff: print the last issued ticket again, with fresh counts from the server."""
        self.touch()
        last = self._last_ticket
        if last is None:
            self._say(lambda lang: text("reprint_none", lang))
            return
        self.runner.run(
            lambda: self.client.ticket(last.id), self._reprint_fetched, self._reprint_stale
        )

    # ---- live state -------------------------------------------------------------

    def apply_queue(self, snapshot: object) -> None:
        """A fresh ``QueueSnapshot`` from MQTT (the subscriber already dropped stale ones)."""
        if not isinstance(snapshot, QueueSnapshot) or snapshot.site != self.settings.site:
            return
        self._snapshot = snapshot
        if unknown_services(self._menu, snapshot) and not self._refreshing:
            self.refresh()
        self.changed.emit()

    def set_live_connected(self, connected: bool) -> None:
        """Without the broker the counts would go stale: fall back to the menu's (refreshed)."""
        if not connected and self._snapshot is not None:
            log.info("live queue state lost; showing the menu's counts until it is back")
            self._snapshot = None
            self.changed.emit()

    def tick(self) -> None:
        """Once a second: clock, idle timeout, retries, status reports, printer polls."""
        now = self._clock()
        idle = now - self._last_activity
        if idle >= self._idle_limit():
            self._idle_reset()
        if self._screen is Screen.UNAVAILABLE and now >= self._next_retry_at:
            self._next_retry_at = now + self.settings.retry_interval_s
            self.refresh()
        if now >= self._next_status_at:
            self._next_status_at = now + self.settings.status_interval_s
            self.report_status()
            if self._screen is not Screen.UNAVAILABLE:
                self.refresh()
        if now >= self._next_printer_at:
            self.poll_printer()
        self.changed.emit()

    def _idle_limit(self) -> float:
        if self._screen is Screen.TICKET:
            if self._print_state is PrintState.PRINTED:
                return self.settings.ticket_screen_s
            if self._print_state is PrintState.PRINTING:
                return self.settings.ticket_failed_s
            return self.settings.ticket_failed_s
        return self.settings.idle_timeout_s

    def _idle_reset(self) -> None:
        self._last_activity = self._clock()
        if self._busy:
            return
        at_rest = (
            self._screen in (Screen.WELCOME, Screen.UNAVAILABLE)
            and self._language == DEFAULT_LANGUAGE
            and self._citizen is None
            and self._message is None
        )
        if at_rest:
            return
        self._clear_session()
        self.set_language(DEFAULT_LANGUAGE)
        if self._screen is not Screen.UNAVAILABLE:
            self._set_screen(Screen.WELCOME)

    # ---- server -----------------------------------------------------------------

    def refresh(self) -> None:
        """Fetch the menu; it is also how the kiosk finds the server back."""
        if self._refreshing:
            return
        self._refreshing = True
        self.runner.run(self.client.menu, self._menu_loaded, self._menu_failed)

    def _menu_loaded(self, menu: MenuOut) -> None:
        self._refreshing = False
        self._menu = menu
        was_offline = not self._online
        self._online = True
        if self._screen is Screen.UNAVAILABLE or was_offline:
            self._recovered()
        self.changed.emit()

    def _menu_failed(self, exc: Exception) -> None:
        self._refreshing = False
        if isinstance(exc, ApiError):
            log.error("the server refused this kiosk's menu request: %s", exc)
        else:
            log.warning("server unreachable while loading the menu: %s", exc)
        self._went_offline()

    def _recovered(self) -> None:
        log.info("kiosk %s is back online", self.settings.kiosk_id)
        self.report_status()
        if self._pending is not None:
            if self._clock() - self._pending_at <= self.settings.pending_window_s:
                self._attempts = 0
                self._send_pending()
                return
            log.info("dropping a tap older than %ss", self.settings.pending_window_s)
            self._pending = None
        if self._screen is Screen.UNAVAILABLE:
            self._history.clear()
            self._set_screen(Screen.WELCOME)

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

    def _send_pending(self) -> None:
        request = self._pending
        if request is None:
            return
        self._set_busy(True)
        self._attempts += 1
        self.runner.run(lambda: self.client.issue(request), self._issued, self._issue_failed)

    def _issued(self, ticket: TicketOut) -> None:
        self._pending = None
        self._set_busy(False)
        self._online = True
        self._ticket = ticket
        self._last_ticket = ticket
        self._citizen = None  # one scan, one ticket
        self._history.clear()
        self._set_screen(Screen.TICKET)
        self.ticketIssued.emit(ticket)
        self._print(ticket)

    def _issue_failed(self, exc: Exception) -> None:
        if isinstance(exc, ApiError):
            self._pending = None
            self._set_busy(False)
            if self._screen is Screen.PRIORITY:
                self.back()
            self._say(self._refusal_text(exc))
            return
        if isinstance(exc, ServerUnreachable) and self._attempts < self.settings.issue_attempts:
            log.warning(
                "issue attempt %d failed, retrying with the same key: %s", self._attempts, exc
            )
            self._send_pending()
            return
        log.warning("server unreachable while issuing; keeping the tap for later: %s", exc)
        self._set_busy(False)
        self._went_offline()

    def _refusal_text(self, exc: ApiError) -> Message:
        if exc.code == "citizen_active_ticket":
            number = str(exc.error.details.get("number", "?"))
            return lambda lang: text("active_ticket", lang, number=number)
        return lambda lang: text("issue_refused", lang, message=exc.message(lang))

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

    # ---- printer ----------------------------------------------------------------

    def poll_printer(self) -> None:
        self._next_printer_at = self._clock() + self.settings.printer_poll_s
        if self._polling:
            return
        self._polling = True
        self.runner.run(self.printer.status, self._printer_polled, self._printer_poll_failed)

    def _printer_polled(self, status: PrinterStatus | None) -> None:
        self._polling = False
        if status != self._printer_status:
            log.info("printer %s: %s", self.printer.url, status)
            self._printer_status = status
            if self._online:
                self.report_status()
            self.changed.emit()

    def _printer_poll_failed(self, exc: Exception) -> None:
        self._polling = False
        log.error("printer status failed: %s", exc)
        self._printer_polled(PrinterStatus.OFFLINE)

    def _print(self, ticket: TicketOut, *, retry: bool = False) -> None:
        """Print an issued ticket; ``retry`` (staff reprint) tries even if the last poll was bad."""
        status = self._printer_status
        known_bad = status is not None and not status.can_print and not retry
        if self.printer.printer is None or known_bad:
            self._print_state = PrintState.SCREEN_ONLY
            self.printFinished.emit(PrintState.SCREEN_ONLY.value)
            self.changed.emit()
            return
        self._print_state = PrintState.PRINTING
        self._print_error = None
        label = self._priority_label_vi(ticket.priority)
        site_name = self._menu.site_name if self._menu else ticket.site
        self.runner.run(
            lambda: self.printer.print_ticket(ticket, site_name, label),
            lambda _: self._printed(ticket),
            lambda exc: self._print_failed(ticket, exc),
        )

    def _priority_label_vi(self, code: str | None) -> str | None:
        for category in self.priority_categories():
            if category.code == code:
                return category.name_vi
        return code

    def _printed(self, ticket: TicketOut) -> None:
        if self._printer_status is not None and not self._printer_status.can_print:
            self.poll_printer()  # it printed, so the printer is back: say so at once
        if self._ticket is not None and self._ticket.id == ticket.id:
            self._print_state = PrintState.PRINTED
            self.touch()  # the short ticket timeout counts from the print
        self.printFinished.emit(PrintState.PRINTED.value)
        self.changed.emit()

    def _print_failed(self, ticket: TicketOut, exc: Exception) -> None:
        log.error("ticket %s issued but not printed: %s", ticket.number, exc)
        if self._ticket is not None and self._ticket.id == ticket.id:
            self._print_state = PrintState.FAILED
            self._print_error = exc if isinstance(exc, PrintError) else None
        self.printFinished.emit(PrintState.FAILED.value)
        self.poll_printer()
        self.changed.emit()

    def _reprint_fetched(self, fresh: TicketOut) -> None:
        if fresh.status not in ACTIVE_STATUSES:
            self._say(lambda lang: text("reprint_inactive", lang, number=fresh.number))
            return
        self._last_ticket = fresh
        if self._ticket is not None and self._ticket.id == fresh.id:
            self._ticket = fresh
        elif self._screen is not Screen.TICKET:
            self._ticket = fresh
            self._history.clear()
            self._set_screen(Screen.TICKET)
        self._print(fresh, retry=True)

    def _reprint_stale(self, exc: Exception) -> None:
        """No answer: print what we have (the server did issue it). A refusal: do not."""
        if isinstance(exc, ApiError):
            self._say(lambda lang: text("issue_refused", lang, message=exc.message(lang)))
            return
        log.warning("reprint without fresh counts: %s", exc)
        if self._last_ticket is not None:
            self._reprint_fetched(self._last_ticket)

    # ---- plumbing ---------------------------------------------------------------

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
