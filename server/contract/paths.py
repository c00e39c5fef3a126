"""HTTP path builders, beside the MQTT topic builders. Never spell an API path elsewhere.

Each path has its route template (what the server's router declares, ``{site}`` and
the like as FastAPI parameters) and a builder that fills it in for a client. Paths are
relative to ``server.contract.http.API_PREFIX``, which the apps' ``ApiClient`` puts in
front of every request. ``tests/server/contract/test_paths.py`` checks that every
template here is a route of the server, so the two cannot drift apart.

Standard library only: the apps import it without loading anything of the server.
"""

from urllib.parse import quote

HEALTH = "/health"
LOGIN = "/auth/login"
PIN_LOGIN = "/auth/pin"
LOGOUT = "/auth/logout"
DEVICE_STATUS = "/devices/status"
MENU = "/sites/{site}/services"
TICKETS = "/sites/{site}/tickets"
TICKET = "/sites/{site}/tickets/{ticket_id}"
QUEUE = "/sites/{site}/queue"
NOTICE = "/sites/{site}/notice"
COUNTERS = "/sites/{site}/counters"
CLERK_DAY = "/sites/{site}/counters/{counter}/day"
COUNTER_STATE = "/sites/{site}/counters/{counter}/state"
COUNTER_DAY_SERVICES = "/sites/{site}/counters/{counter}/day-services"
TICKET_MOVE = "/sites/{site}/tickets/{ticket_id}/move"
REPORT_FIGURES = "/reports/figures"
REPORT_MONTHLY_PDF = "/reports/monthly.pdf"
# A branch server's uplink to the central server (server/upstream/, docs/branches.md).
UPSTREAM_EVENTS = "/upstream/events"
UPSTREAM_CONFIG = "/upstream/config"
COUNTER_ACTION = "/sites/{site}/counters/{counter}/{action}"
SLOTS = "/sites/{site}/services/{service}/slots"
BOOKINGS = "/sites/{site}/bookings"
BOOKING = "/sites/{site}/bookings/{code}"
BOOKING_CANCEL = "/sites/{site}/bookings/{code}/cancel"
CHECKINS = "/sites/{site}/checkins"
"""Every counter action; the server declares it as one route per verb (below)."""

COUNTER_ACTIONS = (
    "call-next",
    "recall",
    "start",
    "finish",
    "no-show",
    "park",
    "pause",
    "resume",
    "transfer",
    "call",
    "rate",
)
"""The verbs of ``POST /sites/{site}/counters/{counter}/{action}``, one route each."""


def counter_action_template(action: str) -> str:
    """The route template of one counter action (the server declares one route per verb)."""
    if action not in COUNTER_ACTIONS:
        raise ValueError(f"not a counter action: {action!r}")
    return COUNTER_ACTION.replace("{action}", action)


def templates() -> tuple[str, ...]:
    """Every route template the server declares, one per counter action."""
    fixed = (
        HEALTH,
        LOGIN,
        PIN_LOGIN,
        LOGOUT,
        DEVICE_STATUS,
        MENU,
        TICKETS,
        TICKET,
        QUEUE,
        NOTICE,
        COUNTERS,
        CLERK_DAY,
        COUNTER_STATE,
        COUNTER_DAY_SERVICES,
        TICKET_MOVE,
        REPORT_FIGURES,
        REPORT_MONTHLY_PDF,
        SLOTS,
        BOOKINGS,
        BOOKING,
        BOOKING_CANCEL,
        CHECKINS,
        UPSTREAM_EVENTS,
        UPSTREAM_CONFIG,
    )
    return fixed + tuple(counter_action_template(action) for action in COUNTER_ACTIONS)


def _fill(template: str, **values: str) -> str:
    """The template with each parameter filled in as one path segment (``/`` escaped)."""
    return template.format(**{name: quote(value, safe="") for name, value in values.items()})


def health() -> str:
    return HEALTH


def login() -> str:
    return LOGIN


def pin_login() -> str:
    return PIN_LOGIN


def logout() -> str:
    return LOGOUT


def device_status() -> str:
    return DEVICE_STATUS


def menu(site: str) -> str:
    return _fill(MENU, site=site)


def tickets(site: str) -> str:
    return _fill(TICKETS, site=site)


def ticket(site: str, ticket_id: str) -> str:
    return _fill(TICKET, site=site, ticket_id=ticket_id)


def queue(site: str) -> str:
    return _fill(QUEUE, site=site)


def notice(site: str) -> str:
    return _fill(NOTICE, site=site)


def counters(site: str) -> str:
    return _fill(COUNTERS, site=site)


def clerk_day(site: str, counter: str) -> str:
    return _fill(CLERK_DAY, site=site, counter=counter)


def counter_state(site: str, counter: str) -> str:
    return _fill(COUNTER_STATE, site=site, counter=counter)


def counter_day_services(site: str, counter: str) -> str:
    return _fill(COUNTER_DAY_SERVICES, site=site, counter=counter)


def ticket_move(site: str, ticket_id: str) -> str:
    return _fill(TICKET_MOVE, site=site, ticket_id=ticket_id)


def report_figures() -> str:
    return REPORT_FIGURES


def report_monthly_pdf() -> str:
    return REPORT_MONTHLY_PDF


def counter_action(site: str, counter: str, action: str) -> str:
    return _fill(COUNTER_ACTION, site=site, counter=counter, action=action)


def slots(site: str, service: str) -> str:
    return _fill(SLOTS, site=site, service=service)


def bookings(site: str) -> str:
    return _fill(BOOKINGS, site=site)


def booking(site: str, code: str) -> str:
    return _fill(BOOKING, site=site, code=code)


def booking_cancel(site: str, code: str) -> str:
    return _fill(BOOKING_CANCEL, site=site, code=code)


def checkins(site: str) -> str:
    return _fill(CHECKINS, site=site)
