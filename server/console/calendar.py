"""The calendar page: the week's sessions, holidays and special days of a site."""

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from server.console import forms
from server.console.forms import FormErrors
from server.console.session import Visitor, checked_form, page, to
from server.console.site_edit import apply_change, definition_of, editor, viewer
from server.engine.model import Holiday, OpeningHours, SpecialDay
from server.siteconfig import SiteDefinition
from server.siteconfig.convert import hours_of, sessions_of
from server.siteconfig.schema import WEEKDAYS, Session

router = APIRouter()


@router.get("/s/{site}/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, site: str, saved: int = 0) -> Response:
    who = viewer(request, site)
    return _calendar(request, who, site, saved=saved)


def _calendar(
    request: Request,
    who: Visitor,
    site: str,
    *,
    saved: int = 0,
    form: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> Response:
    definition = definition_of(request, site)
    return page(
        request, "calendar.html", who, site=site, active="calendar", definition=definition,
        sessions=sessions_of(definition.site.hours), weekdays=WEEKDAYS, saved=saved,
        form=form or {}, errors=errors or [], status_code=400 if errors else 200,
    )  # fmt: skip


def _save(
    request: Request,
    who: Visitor,
    site: str,
    changed: SiteDefinition,
    *,
    action: str,
    target: str,
    form: dict[str, Any] | None = None,
) -> Response:
    """Every calendar change takes the one path, then back to the calendar or its errors."""
    errors = apply_change(request, who, changed, action, target)
    if not errors:
        return to(f"/console/s/{site}/calendar?saved=1")
    return _calendar(request, who, site, form=form, errors=errors.messages)


@router.post("/s/{site}/calendar/holidays", response_class=HTMLResponse)
async def holiday_add(request: Request, site: str) -> Response:
    who = editor(request, site)
    form = await checked_form(request, who)
    definition = definition_of(request, site)
    errors = FormErrors(who.lang)
    when = forms.day(form, "date", errors)
    name_vi = forms.string(form, "name_vi", errors)
    name_en = forms.string(form, "name_en", errors, required=False)
    if not errors and when is not None:
        holidays = tuple(
            sorted(
                (*definition.site.holidays, Holiday(when, name_vi, name_en)), key=lambda h: h.day
            )
        )
        site_config = replace(definition.site, holidays=holidays)
        return _save(
            request,
            who,
            site,
            replace(definition, site=site_config),
            action="holiday.add",
            target=when.isoformat(),
            form=form,
        )
    return _calendar(request, who, site, form=form, errors=errors.messages)


@router.post("/s/{site}/calendar/holidays/{when}/remove", response_class=HTMLResponse)
async def holiday_remove(request: Request, site: str, when: str) -> Response:
    who = editor(request, site)
    await checked_form(request, who)
    definition = definition_of(request, site)
    holidays = tuple(h for h in definition.site.holidays if h.day.isoformat() != when)
    site_config = replace(definition.site, holidays=holidays)
    return _save(
        request,
        who,
        site,
        replace(definition, site=site_config),
        action="holiday.remove",
        target=when,
    )


@router.post("/s/{site}/calendar/sessions", response_class=HTMLResponse)
async def sessions_save(request: Request, site: str) -> Response:
    """The week's sessions as rows of (days, from, to); an empty row is dropped."""
    who = editor(request, site)
    form = await checked_form(request, who)
    definition = definition_of(request, site)
    errors = FormErrors(who.lang)
    rows: list[dict[str, Any]] = []
    for i in range(int(form.get("rows", "0") or 0) + 1):
        days = [d for d in WEEKDAYS if f"s{i}_{d}" in form]
        start, end = str(form.get(f"s{i}_start", "")), str(form.get(f"s{i}_end", ""))
        if not days and not start and not end:
            continue
        a = forms.clock(form, f"s{i}_start", errors, label="from")
        b = forms.clock(form, f"s{i}_end", errors, label="to")
        if not days:
            errors.add("days", "err_required")
        if a is not None and b is not None and days:
            rows.append({"days": days, "start": f"{a:%H:%M}", "end": f"{b:%H:%M}"})
    if not errors:
        hours: OpeningHours = hours_of([Session.model_validate(r) for r in rows])
        site_config = replace(definition.site, hours=hours)
        return _save(
            request,
            who,
            site,
            replace(definition, site=site_config),
            action="sessions.edit",
            target=site,
            form=form,
        )
    return _calendar(request, who, site, form=form, errors=errors.messages)


@router.post("/s/{site}/calendar/special-days", response_class=HTMLResponse)
async def special_day_add(request: Request, site: str) -> Response:
    who = editor(request, site)
    form = await checked_form(request, who)
    definition = definition_of(request, site)
    errors = FormErrors(who.lang)
    when = forms.day(form, "date", errors)
    name_vi = forms.string(form, "name_vi", errors)
    windows = []
    for i in (1, 2):
        if form.get(f"start{i}") or form.get(f"end{i}") or i == 1:
            a = forms.clock(form, f"start{i}", errors, label="from")
            b = forms.clock(form, f"end{i}", errors, label="to")
            if a is not None and b is not None:
                windows.append((a, b))
    if not errors and when is not None:
        day = SpecialDay(when, tuple(windows), name_vi, str(form.get("name_en", "")).strip())
        special = tuple(sorted((*definition.site.special_days, day), key=lambda d: d.day))
        site_config = replace(definition.site, special_days=special)
        return _save(
            request,
            who,
            site,
            replace(definition, site=site_config),
            action="special_day.add",
            target=when.isoformat(),
            form=form,
        )
    return _calendar(request, who, site, form=form, errors=errors.messages)


@router.post("/s/{site}/calendar/special-days/{when}/remove", response_class=HTMLResponse)
async def special_day_remove(request: Request, site: str, when: str) -> Response:
    who = editor(request, site)
    await checked_form(request, who)
    definition = definition_of(request, site)
    special = tuple(d for d in definition.site.special_days if d.day.isoformat() != when)
    site_config = replace(definition.site, special_days=special)
    return _save(
        request,
        who,
        site,
        replace(definition, site=site_config),
        action="special_day.remove",
        target=when,
    )
