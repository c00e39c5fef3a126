"""The supervisors' live hall (``/console/s/{site}/live``), its feed, its alerts, and the
installation view of every site.

The page is a frame that a small script fills from the feed: server-sent events, one JSON
text per change of the site (``live_hub``), the same text for every page watching. A plain
``StreamingResponse`` is enough for it (docs/console.md says why no SSE library).
"""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any, cast

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from server.alerts import AlertRules
from server.alerts.rules import PaperRule
from server.console import forms
from server.console.forms import FormErrors
from server.console.live_hub import LiveHub
from server.console.session import Forbidden, Visitor, checked_form, page, service_of, to, visitor
from server.console.site_edit import apply_change, definition_of, editor, viewer
from server.console.texts import text
from server.service import ServiceError

router = APIRouter()

KEEP_ALIVE_S = 15.0  # a comment line this often keeps proxies from closing an idle feed
PAPER_RULES = ("low", "out", "off")
SWITCHES = ("wait_over_target", "unattended", "device_silent", "display_disconnected")
# The texts the page's script writes (``static/live.js``), in the visitor's language.
SCRIPT_TEXTS = (
    "live_connecting", "live_lost", "live_updated", "live_no_alerts", "live_ack",
    "live_acked_by", "live_sound_on", "live_sound_off", "live_manage", "kind_kiosk",
    "kind_display", "kind_counter", "kind_led", "state_open", "state_serving", "state_paused",
    "state_closed", "dev_ok", "dev_silent", "dev_offline", "dev_never", "printer_ok",
    "printer_paper_low", "printer_paper_out", "printer_cover_open", "printer_offline",
    "printer_none", "none", "live_heartbeat", "live_printer", "live_show", "live_fold",
    "live_idle_fields", "live_never_devices", "do_open", "do_pause", "do_close",
)  # fmt: skip


def hub_of(request: Request) -> LiveHub:
    hub: LiveHub = request.app.state.live
    return hub


@router.get("/s/{site}/live", response_class=HTMLResponse)
def live_page(request: Request, site: str) -> Response:
    who = viewer(request, site)
    hub_of(request).start()
    texts = {key: text(key, who.lang) for key in SCRIPT_TEXTS}
    # A supervisor watches and acts here: the configuration pages' "view only" note is not
    # for this page.
    return page(request, "live.html", who, site=site, active="live", texts=texts, read_only=False)


@router.get("/s/{site}/live/feed")
async def live_feed(request: Request, site: str) -> Response:
    """Server-sent events: the site's state now, then each change."""
    viewer(request, site)
    hub = hub_of(request)
    queue = hub.listen(site)

    async def events() -> AsyncIterator[str]:
        try:
            first = hub.payload(site)
            if first:
                yield f"data: {first}\n\n"
            while True:
                try:
                    payload = await asyncio.wait_for(queue.get(), KEEP_ALIVE_S)
                except TimeoutError:
                    if await request.is_disconnected():
                        return
                    yield ": still here\n\n"
                    continue
                if not payload:  # the server is stopping
                    return
                yield f"data: {payload}\n\n"
        finally:
            hub.leave(site, queue)

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.post("/s/{site}/alerts/{alert_id}/ack")
async def acknowledge(request: Request, site: str, alert_id: int) -> Response:
    who = viewer(request, site)
    await checked_form(request, who)
    try:
        service_of(request).alerts.acknowledge(who.actor, site, alert_id)
    except ServiceError as exc:
        raise Forbidden(exc.message_en if who.lang == "en" else exc.message_vi) from None
    hub_of(request).poke()
    if request.headers.get("X-Requested-With") == "fetch":
        return Response(status_code=204)
    return to(f"/console/s/{site}/live")


# ---- the rules and the log -----------------------------------------------------------


def _alerts(
    request: Request,
    who: Visitor,
    site: str,
    *,
    saved: int = 0,
    form: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> Response:
    definition = definition_of(request, site)
    log = service_of(request).alerts.log(site)
    return page(
        request, "alerts.html", who, site=site, active="alerts", rules=definition.site.alerts,
        log=log, switches=SWITCHES, paper_rules=PAPER_RULES, saved=saved, form=form or {},
        errors=errors or [], status_code=400 if errors else 200,
    )  # fmt: skip


@router.get("/s/{site}/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, site: str, saved: int = 0) -> Response:
    who = viewer(request, site)
    return _alerts(request, who, site, saved=saved)


@router.post("/s/{site}/alerts", response_class=HTMLResponse)
async def alerts_save(request: Request, site: str) -> Response:
    who = editor(request, site)
    form = await checked_form(request, who)
    errors = FormErrors(who.lang)
    paused = forms.integer(
        form, "paused_over_min", errors, low=0, high=8 * 60, label="rule_paused_over_min"
    )
    paper = str(form.get("paper", ""))
    if paper not in PAPER_RULES:
        errors.add("rule_paper", "err_required")
    if errors or paused is None:
        return _alerts(request, who, site, form=form, errors=errors.messages)
    rules = AlertRules(
        wait_over_target="wait_over_target" in form,
        unattended="unattended" in form,
        paper=cast(PaperRule, paper),  # one of PAPER_RULES, checked above
        device_silent="device_silent" in form,
        paused_over_min=paused,
        display_disconnected="display_disconnected" in form,
    )
    definition = definition_of(request, site)
    changed = replace(definition, site=replace(definition.site, alerts=rules))
    found = apply_change(request, who, changed, "alerts.rules", site)
    if found:
        return _alerts(request, who, site, form=form, errors=found.messages)
    return to(f"/console/s/{site}/alerts?saved=1")


# ---- the installation ----------------------------------------------------------------


def _visible_sites(request: Request, who: Visitor) -> list[str]:
    return [s.id for s in service_of(request).site_config.sites() if who.may_see(s.id)]


@router.get("/installation", response_class=HTMLResponse)
def installation(request: Request) -> Response:
    who = visitor(request)
    hub = hub_of(request)
    hub.start()
    lines = hub.installation(_visible_sites(request, who))
    return page(request, "installation.html", who, active="installation", lines=lines)


@router.get("/installation/rows", response_class=HTMLResponse)
def installation_rows(request: Request) -> Response:
    """The table's rows alone, for the page to refresh itself without a reload."""
    who = visitor(request)
    lines = hub_of(request).installation(_visible_sites(request, who))
    return page(request, "installation_rows.html", who, lines=lines)
