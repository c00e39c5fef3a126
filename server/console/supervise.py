"""A supervisor's hand on the hall: a counter's page (open, pause, close it; the fields it
serves today) and the waiting tickets of the site (move one; the notice).

Every change is the service's supervisor command (``service.supervision``, the one the
supervisors' API routes call): idempotent by a key the page carries, audited as the
supervisor's. The controls are template partials (``_supervise.html`` takes a counter,
``_move.html`` a ticket, ``_notice.html`` the notice) so another page can show them.
"""

import uuid
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from server.console.session import Visitor, checked_form, page, service_of, to
from server.console.site_edit import viewer
from server.console.texts import text
from server.contract.http import CounterStateIn, DayServicesIn, MoveIn, NoticeIn
from server.contract.vocab import APPOINTMENT_PRIORITY, CounterState
from server.engine.errors import Refusal
from server.service import Result, ServiceError
from server.service.errors import unknown_counter

router = APIRouter()

STATES = {s.value: s for s in CounterState}
# What the page says after a change went through (``?done=``): a text key each.
DONE = {
    "open": "done_open",
    "paused": "done_paused",
    "closed": "done_closed",
    "fields": "done_fields",
    "move": "done_move",
    "notice": "done_notice",
}


def counter_path(site: str, counter: str) -> str:
    return f"/console/s/{site}/control/counters/{counter}"


def waiting_path(site: str) -> str:
    return f"/console/s/{site}/control"


def _reason(exc: Refusal | ServiceError, lang: str) -> str:
    return exc.message_en if lang == "en" else exc.message_vi


def _status(exc: Refusal | ServiceError) -> int:
    """A refusal ("not now": a counter holding a ticket) is a conflict; a service error
    keeps its own status (403, 404)."""
    return exc.status if isinstance(exc, ServiceError) else 409


def _key(form: dict[str, Any]) -> str | None:
    """The page's idempotency key: a form sent twice (a double click, a resend) is one
    change. A form without one still works, as a new command."""
    key = str(form.get("key", "")).strip()
    return key[:200] or None


def _wants_json(request: Request) -> bool:
    """A script's call (the live hall) rather than a form's: answer JSON, not a page."""
    return "application/json" in request.headers.get("accept", "")


def _run(command: Callable[[], Result]) -> Refusal | ServiceError | None:
    """Run the command; its refusal or error, shown on the page in the visitor's language."""
    try:
        command()
    except (Refusal, ServiceError) as exc:
        return exc
    return None


def _counter_values(request: Request, who: Visitor, site: str, counter: str) -> dict[str, Any]:
    """What the counter page and its partial show: the counter as the hall sees it, the
    site's fields, the ones the counter serves today only."""
    service = service_of(request)
    live = next((c for c in service.reads.counters(site).counters if c.counter.id == counter), None)
    if live is None:
        raise unknown_counter(counter)
    today = service.supervision.day_services(site, counter, who.actor)
    return {
        "counter": live,
        "fields": _fields(request, who, site),
        "configured": today.configured,
        "today": today.today,
        "business_day": today.business_day,
        "form_key": uuid.uuid4().hex,
    }


def _fields(request: Request, who: Visitor, site: str) -> list[tuple[str, str]]:
    queue = service_of(request).reads.queue(site, who.actor)
    return [(s.code, s.name_en if who.lang == "en" else s.name_vi) for s in queue.services]


def _counter_page(
    request: Request, who: Visitor, site: str, counter: str, *, errors: list[str] | None = None,
    done: str = "", status_code: int = 200,
) -> Response:  # fmt: skip
    try:
        values = _counter_values(request, who, site, counter)
    except ServiceError as exc:
        message = _reason(exc, who.lang)
        return page(request, "error.html", who, site=site, message=message, status_code=exc.status)
    return page(
        request, "supervise_counter.html", who, site=site, active="waiting", read_only=False,
        errors=errors or [], done=DONE.get(done, ""), status_code=status_code, **values,
    )  # fmt: skip


@router.get("/s/{site}/control/counters/{counter}", response_class=HTMLResponse)
def counter_page(request: Request, site: str, counter: str, done: str = "") -> Response:
    who = viewer(request, site)
    return _counter_page(request, who, site, counter, done=done)


@router.post("/s/{site}/control/counters/{counter}/state", response_class=HTMLResponse)
async def counter_state(request: Request, site: str, counter: str) -> Response:
    who = viewer(request, site)
    form = await checked_form(request, who)
    state = STATES.get(str(form.get("state", "")))
    if state is None:
        message = text("err_state", who.lang)
        return _counter_page(request, who, site, counter, errors=[message], status_code=400)
    body = CounterStateIn(state=state)
    refused = _run(
        lambda: service_of(request).supervision.set_counter_state(
            site, counter, body, who.actor, key=_key(form), request_hash=body.model_dump_json()
        )
    )
    if _wants_json(request):  # the live hall's buttons: it shows the change from its feed
        if refused is None:
            return JSONResponse({"ok": True})
        return JSONResponse(
            {"ok": False, "message": _reason(refused, who.lang)}, status_code=_status(refused)
        )
    if refused is not None:
        return _counter_page(
            request,
            who,
            site,
            counter,
            errors=[_reason(refused, who.lang)],
            status_code=_status(refused),
        )
    return to(f"{counter_path(site, counter)}?done={state.value}")


@router.post("/s/{site}/control/counters/{counter}/day-services", response_class=HTMLResponse)
async def day_services(request: Request, site: str, counter: str) -> Response:
    who = viewer(request, site)
    form = await checked_form(request, who)
    chosen = form.get("fields", [])
    codes = [str(c) for c in chosen] if isinstance(chosen, list) else [str(chosen)]
    body = DayServicesIn(services=[c for c in codes if c][:100])
    refused = _run(
        lambda: service_of(request).supervision.set_day_services(
            site, counter, body, who.actor, key=_key(form), request_hash=body.model_dump_json()
        )
    )
    if refused is not None:
        return _counter_page(
            request,
            who,
            site,
            counter,
            errors=[_reason(refused, who.lang)],
            status_code=_status(refused),
        )
    return to(f"{counter_path(site, counter)}?done=fields")


def _waiting_page(
    request: Request, who: Visitor, site: str, *, errors: list[str] | None = None,
    done: str = "", status_code: int = 200,
) -> Response:  # fmt: skip
    service = service_of(request)
    try:
        queue = service.reads.queue(site, who.actor)
        counters = service.reads.counters(site).counters
        with service.core.reading(site) as view:
            notice = view.notice
            categories = view.bundle.site.priority_categories
    except ServiceError as exc:
        message = _reason(exc, who.lang)
        return page(request, "error.html", who, site=site, message=message, status_code=exc.status)
    # A priority in the site's words; an appointment (not a site's category) in the console's.
    priorities = {APPOINTMENT_PRIORITY: text("priority_appointment", who.lang)}
    priorities |= {p.code: p.name_en if who.lang == "en" else p.name_vi for p in categories}
    return page(
        request, "supervise_waiting.html", who, site=site, active="waiting", read_only=False,
        queue=queue, priorities=priorities,
        counters=counters, notice=notice, errors=errors or [], done=DONE.get(done, ""),
        fields=[(s.code, s.name_en if who.lang == "en" else s.name_vi) for s in queue.services],
        form_key=uuid.uuid4().hex, status_code=status_code,
    )  # fmt: skip


@router.get("/s/{site}/control", response_class=HTMLResponse)
def waiting_page(request: Request, site: str, done: str = "") -> Response:
    who = viewer(request, site)
    return _waiting_page(request, who, site, done=done)


@router.post("/s/{site}/control/tickets/{ticket}/move", response_class=HTMLResponse)
async def move_ticket(request: Request, site: str, ticket: str) -> Response:
    """``target``: ``field:<code>`` or ``counter:<id>`` (one select on the page)."""
    who = viewer(request, site)
    form = await checked_form(request, who)
    kind, _, value = str(form.get("target", "")).partition(":")
    body = MoveIn(
        to_service=value if kind == "field" and value else None,
        to_counter=value if kind == "counter" and value else None,
    )
    refused = _run(
        lambda: service_of(request).supervision.move_ticket(
            site, ticket, body, who.actor, key=_key(form), request_hash=body.model_dump_json()
        )
    )
    if refused is not None:
        return _waiting_page(
            request,
            who,
            site,
            errors=[_reason(refused, who.lang)],
            status_code=_status(refused),
        )
    return to(f"{waiting_path(site)}?done=move")


@router.post("/s/{site}/control/notice", response_class=HTMLResponse)
async def set_notice(request: Request, site: str) -> Response:
    who = viewer(request, site)
    form = await checked_form(request, who)
    body = NoticeIn(text=str(form.get("text", ""))[:500])
    refused = _run(
        lambda: service_of(request).notices.set(
            site, body, who.actor, _key(form), body.model_dump_json()
        )
    )
    if refused is not None:
        return _waiting_page(
            request,
            who,
            site,
            errors=[_reason(refused, who.lang)],
            status_code=_status(refused),
        )
    return to(f"{waiting_path(site)}?done=notice")
