"""The kiosk's plain state: screens, settings, the menu as the buttons show it.

Pure functions over contract models, so the rules (which reason a closed field
shows, where a live count comes from, when the kiosk may issue) are tested
without Qt, a server or a printer.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from kiosk.i18n import text
from kiosk.search import Entry, search
from server.contract.http import DepartmentOut, MenuOut, ServiceOut
from server.contract.messages import QueueSnapshot, ServiceStatus
from server.contract.vocab import ClosedReason
from server.contract.waits import wait_text


class Screen(StrEnum):
    """The screens, in the order a citizen meets them (plus the unavailable one)."""

    WELCOME = "welcome"  # site, date and time, the departments
    FIELDS = "fields"  # the fields of one department
    SEARCH = "search"  # fields by name, with the on-screen keyboard
    PRIORITY = "priority"  # regular or one of the site's priority categories
    TICKET = "ticket"  # the number, big, while it prints
    CHECKIN = "checkin"  # an appointment: the booking code, or a scan
    UNAVAILABLE = "unavailable"  # "Tạm thời gián đoạn": the server does not answer


class PrintState(StrEnum):
    """What happened to the paper for the ticket on screen."""

    PRINTING = "printing"
    PRINTED = "printed"
    FAILED = "failed"  # issued, not printed: the screen keeps the number and QR
    SCREEN_ONLY = "screen_only"  # the site issues on screen while the printer is down


@dataclass(frozen=True, slots=True)
class KioskSettings:
    """How one kiosk behaves; times in seconds. Validated once, at start."""

    site: str
    kiosk_id: str
    idle_timeout_s: float = 60.0  # a half-finished choice goes back to welcome
    ticket_screen_s: float = 20.0  # the ticket stays this long after it printed
    ticket_failed_s: float = 120.0  # longer when the citizen must note the number
    retry_interval_s: float = 5.0  # while unavailable, ask the server again this often
    issue_attempts: int = 3  # tries of one tap before showing "unavailable"
    pending_window_s: float = 120.0  # finish a tap after a reconnect only this soon
    status_interval_s: float = 30.0  # report to the server and refresh the menu
    printer_poll_s: float = 10.0
    allow_screen_ticket: bool = False  # issue with the printer down, number on screen
    site_name: str = ""  # shown until the server's menu names the centre ("" : a generic name)

    def __post_init__(self) -> None:
        if not self.site or not self.kiosk_id:
            raise ValueError("a kiosk needs a site and a kiosk id")
        times = (
            self.idle_timeout_s,
            self.ticket_screen_s,
            self.ticket_failed_s,
            self.retry_interval_s,
            self.pending_window_s,
            self.status_interval_s,
            self.printer_poll_s,
        )
        if min(times) <= 0:
            raise ValueError("kiosk intervals and timeouts must be positive")
        if self.issue_attempts < 1:
            raise ValueError("issue_attempts must be at least 1")


@dataclass(frozen=True, slots=True)
class ServiceItem:
    """One field button: name, live count and estimate, or why it is closed."""

    code: str
    department: str
    name: str
    open: bool
    waiting: int
    detail: str  # "Đang chờ: 4 · Chờ khoảng 12 phút" or the closed reason


@dataclass(frozen=True, slots=True)
class DepartmentItem:
    code: str
    name: str
    detail: str  # "5 lĩnh vực · Đang chờ: 12"
    waiting: int


def closed_text(reason: str | None, language: str, server_message: str | None = None) -> str:
    """The reason a field is closed, in the citizen's words.

    The server's own sentence wins (a site may say "Ngoài giờ tiếp nhận (7:30-17:00)"),
    then the kiosk's text for the known reasons.
    """
    if server_message:
        return server_message
    known = {
        ClosedReason.QUOTA.value: "closed_quota",
        ClosedReason.HOURS.value: "closed_hours",
        ClosedReason.DISABLED.value: "closed_disabled",
    }
    return text(known.get(reason or "", "closed_disabled"), language)


def live_service(service: ServiceOut, snapshot: QueueSnapshot | None) -> ServiceOut:
    """The menu's entry with the newest counts and open state from MQTT, if any."""
    status = _status_of(snapshot, service.code)
    if status is None:
        return service
    same_reason = status.closed_reason == service.closed_reason
    return service.model_copy(
        update={
            "open": status.open,
            "closed_reason": status.closed_reason,
            "closed_message_vi": service.closed_message_vi if same_reason else None,
            "closed_message_en": service.closed_message_en if same_reason else None,
            "waiting": status.waiting,
            "estimated_wait_s": status.estimated_wait_s,
            "estimated_wait_low_s": status.estimated_wait_low_s,
            "estimated_wait_high_s": status.estimated_wait_high_s,
            "wait_counters_open": status.wait_counters_open,
            "first_call_after": status.first_call_after,
        }
    )


def _status_of(snapshot: QueueSnapshot | None, code: str) -> ServiceStatus | None:
    if snapshot is None:
        return None
    for status in snapshot.services:
        if status.code == code:
            return status
    return None


def service_item(service: ServiceOut, language: str) -> ServiceItem:
    name = service.name_en if language == "en" else service.name_vi
    if not service.open:
        message = service.closed_message_en if language == "en" else service.closed_message_vi
        detail = closed_text(service.closed_reason, language, message)
    else:
        waiting = text("waiting", language, count=service.waiting)
        detail = f"{waiting} · {button_wait(service, language)}"
    return ServiceItem(
        code=service.code,
        department=service.department,
        name=name,
        open=service.open,
        waiting=service.waiting,
        detail=detail,
    )


def button_wait(service: ServiceOut, language: str) -> str:
    """A field button's wait: the site's estimator's, for a ticket taken now, worded as
    the ticket words it (``server.contract.waits``), or that no counter is open yet."""
    wording = wait_text(
        service.estimated_wait_s,
        low_s=service.estimated_wait_low_s,
        high_s=service.estimated_wait_high_s,
        counters_open=service.wait_counters_open,
        first_call_after=service.first_call_after,
        language=language,
    )
    if not service.wait_counters_open:
        return wording
    if round(service.estimated_wait_s / 60) < 1:
        return text("no_wait", language)
    return text("estimate", language, wait=wording)


def department_item(
    department: DepartmentOut, snapshot: QueueSnapshot | None, language: str
) -> DepartmentItem:
    services = [live_service(s, snapshot) for s in department.services]
    waiting = sum(s.waiting for s in services)
    count = text("services_count", language, count=len(services))
    return DepartmentItem(
        code=department.code,
        name=department.name_en if language == "en" else department.name_vi,
        detail=f"{count} · {text('waiting', language, count=waiting)}",
        waiting=waiting,
    )


def find_service(menu: MenuOut | None, code: str) -> ServiceOut | None:
    if menu is None:
        return None
    for department in menu.departments:
        for service in department.services:
            if service.code == code:
                return service
    return None


def search_services(menu: MenuOut | None, query: str) -> Sequence[ServiceOut]:
    """Fields whose names or procedure keywords match, best first, then those of a
    matching department."""
    if menu is None:
        return []
    entries = [
        Entry(
            item=s,
            names=(s.name_vi, s.name_en),
            context=(d.name_vi, d.name_en),
            keywords=tuple(s.keywords),
        )
        for d in menu.departments
        for s in d.services
    ]
    return search(query, entries)


def unknown_services(menu: MenuOut | None, snapshot: QueueSnapshot) -> bool:
    """Whether the live state names a field the menu lacks: time to fetch the menu again."""
    if menu is None:
        return True
    known = {s.code for d in menu.departments for s in d.services}
    return any(s.code not in known for s in snapshot.services)
