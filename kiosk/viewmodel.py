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

from appkit.api_client import ApiError, ServerUnreachable
from hardware.cccd import CccdScan
from hardware.ports import ScanRejected
from kiosk.client import IssueRequest
from kiosk.i18n import DEFAULT_LANGUAGE, check_language, text
from kiosk.state import (
    PrintState,
    Screen,
    closed_text,
    find_service,
    live_service,
    unknown_services,
)
from kiosk.vm_base import Citizen, Message
from kiosk.vm_printing import PrinterViewModel
from server.contract.http import MenuOut, TicketIn, TicketOut
from server.contract.messages import QueueSnapshot

log = logging.getLogger(__name__)


class KioskViewModel(PrinterViewModel):
    """The kiosk: citizen actions, the server conversation and the clock (``tick``)."""

    def start(self) -> None:
        """Load the menu and the printer state, then tick every second."""
        self.refresh()
        self.poll_printer()
        if not self._timer.isActive():
            self._timer.timeout.connect(self.tick)
            self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

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
        if self._pending is not None:
            log.info("the citizen started over: dropping the tap that did not get through")
            self._pending = None
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
        """How long the current screen may sit untouched."""
        if self._screen is not Screen.TICKET:
            return self.settings.idle_timeout_s
        if self._print_state is PrintState.PRINTED:
            return self.settings.ticket_screen_s
        return self.settings.ticket_failed_s  # printing, failed or on screen only

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
        if not self._online:
            self._went_offline()  # it went while a ticket was on screen

    def refresh(self) -> None:
        """Fetch the menu; it is also how the kiosk finds the server back."""
        if self._refreshing:
            return
        self._refreshing = True
        self.runner.run(self.client.menu, self._menu_loaded, self._menu_failed)

    def _menu_loaded(self, menu: MenuOut) -> None:
        self._refreshing = False
        self._menu = menu
        self._problem = None
        was_offline = not self._online
        self._online = True
        if self._screen is Screen.UNAVAILABLE or was_offline:
            self._recovered()
        self.changed.emit()

    def _menu_failed(self, exc: Exception) -> None:
        self._refreshing = False
        if isinstance(exc, ApiError):
            log.error("the server refused this kiosk's menu request: %s", exc)
            self._problem = f"{exc.status} {exc.code}: {exc.error.message_en}"
        else:
            log.warning("server unreachable while loading the menu: %s", exc)
            self._problem = str(exc)[:120] or type(exc).__name__
        self._went_offline()

    def _recovered(self) -> None:
        log.info("kiosk %s online", self.settings.kiosk_id)
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
