"""The citizen's tracking page's routes: ``/t/{token}``, live over server-sent events (the
page itself is drawn by ``tracking_page``).

Vietnamese by default, English with ``?lang=en``; made for a small phone screen. Without
script it is a plain page that refreshes itself (a meta refresh every ``REFRESH_S``
inside ``<noscript>``); with script it follows an event stream (``/t/{token}/events``)
fed by the tracking hub (``server.notify.hub``: one computation per change of a site for
all its open pages), alerts with sound and vibration when the turn is near or called,
and offers Web Push. A phone number for "Sắp đến lượt" messages is a plain form.
"""

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response, StreamingResponse

from server.api.tracking_page import render, render_seen, render_unknown
from server.notify.gateway import MessageGateway, normal_phone
from server.notify.hub import TrackingHub, Update
from server.notify.webpush import PushSender, VapidKey, valid_subscription
from server.service import QueueService

router = APIRouter()

KEEPALIVE_S = 20.0  # a comment line this often keeps proxies and phones from closing
STATIC = FilePath(__file__).with_name("tracking_static")


def _language(request: Request, lang: str | None) -> str:
    if lang in ("vi", "en"):
        return lang
    header = request.headers.get("accept-language", "").lower()
    return "en" if header.startswith("en") else "vi"


def hub_of(request: Request) -> TrackingHub | None:
    hub: TrackingHub | None = getattr(request.app.state, "tracking", None)
    return hub


def install(
    app: FastAPI,
    service: QueueService,
    *,
    key: VapidKey | None,
    gateway: MessageGateway | None = None,
    push: PushSender | None = None,
) -> TrackingHub:
    """Make the tracking pages live (the server's runtime does; ``close`` the hub)."""
    hub = TrackingHub(service, render_seen, key=key, gateway=gateway, push=push)
    app.state.tracking = hub
    hub.start()
    return hub


# ---- the script and the service worker (before ``/t/{token}``, which would take them) ----


def _static(name: str, media_type: str, **headers: str) -> Response:
    text = (STATIC / name).read_text(encoding="utf-8")
    return Response(text, media_type=media_type, headers={"Cache-Control": "no-cache", **headers})


@router.get("/t/track.js", include_in_schema=False)
def track_script() -> Response:
    return _static("track.js", "text/javascript")


@router.get("/t/sw.js", include_in_schema=False)
def service_worker() -> Response:
    """The service worker shows a push notice; served under ``/t/`` so its scope is the
    tracking pages."""
    return _static("sw.js", "text/javascript")


@router.get(
    "/t/{token}",
    response_class=HTMLResponse,
    include_in_schema=True,
    responses={404: {"description": "No such ticket: a page saying so (HTML)."}},
)
def track_page(
    request: Request,
    token: Annotated[str, Path(max_length=128)],
    lang: Annotated[str | None, Query(max_length=8)] = None,
    note: Annotated[str | None, Query(max_length=8)] = None,
) -> HTMLResponse:
    language = _language(request, lang)
    switch = f"?lang={'vi' if language == 'en' else 'en'}"
    service: QueueService = request.app.state.service
    hub = hub_of(request)
    if hub is not None:  # the same computation the live pages get
        seen = hub.seen(token)
        if seen is None:
            return HTMLResponse(render_unknown(language, switch), status_code=404)
        ticket, near = seen.ticket, seen.near
    else:
        found = service.tickets.track(token)
        if found is None:
            return HTMLResponse(render_unknown(language, switch), status_code=404)
        ticket, near = found, False
    with service.core.reading(ticket.site) as view:  # the citizen sees which centre it is
        site = view.bundle.site
        site_name = site.name_en if language == "en" and site.name_en else site.name
    page = render(
        ticket,
        language,
        switch,
        site_name,
        site.time_zone,
        near=near,
        live=token if hub is not None else "",
        note=note or "",
        vapid=hub.key.public if hub is not None and hub.key is not None else "",
    )
    return HTMLResponse(page, headers={"Cache-Control": "no-store"})


@router.get("/t/{token}/events", include_in_schema=False)
async def track_events(
    request: Request,
    token: Annotated[str, Path(max_length=128)],
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """The page's event stream: one ``data:`` line of JSON each time its card changes."""
    hub = hub_of(request)
    if hub is None:
        return Response(status_code=404)
    language = _language(request, lang)
    seen = await run_in_threadpool(hub.seen, token)
    if seen is None:
        return Response(status_code=404)
    first = hub.update(seen, language)
    watch = hub.watch(token, language, seen.site, asyncio.get_running_loop(), first)

    async def stream() -> AsyncIterator[str]:
        try:
            yield _event(first)
            while True:
                try:
                    update = await asyncio.wait_for(watch.queue.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if update is None:
                    return
                yield _event(update)
        finally:
            hub.unwatch(watch)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(stream(), media_type="text/event-stream", headers=headers)


def _event(update: Update) -> str:
    return f"data: {json.dumps(update.as_json(), ensure_ascii=False)}\n\n"


@router.post("/t/{token}/phone", include_in_schema=False)
def keep_phone(
    request: Request,
    token: Annotated[str, Path(max_length=128)],
    phone: Annotated[str, Form(max_length=40)],
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """The phone number form (no script needed): back to the page, saying how it went."""
    hub = hub_of(request)
    language = _language(request, lang)
    number = normal_phone(phone)
    if hub is None:
        return Response(status_code=404)
    if number is None:
        note = "bad"
    elif hub.keep_contact(token, phone=number):
        note = "kept"
    else:
        return HTMLResponse(render_unknown(language, "?lang=vi"), status_code=404)
    return RedirectResponse(f"/t/{token}?lang={language}&note={note}", status_code=303)


@router.post("/t/{token}/push", include_in_schema=False)
async def keep_push(request: Request, token: Annotated[str, Path(max_length=128)]) -> Response:
    """The page's Web Push subscription (JSON, as the browser gives it)."""
    hub = hub_of(request)
    if hub is None or hub.key is None:
        return Response(status_code=404)
    try:
        data: Any = json.loads(await request.body())
    except ValueError:
        data = None
    subscription = valid_subscription(data)
    if subscription is None:
        return Response(status_code=422)
    kept = await run_in_threadpool(hub.keep_contact, token, push=subscription)
    return Response(status_code=204 if kept else 404)
