"""The configuration pages: one form per thing a site file holds.

Every change builds the site's new ``SiteDefinition`` and hands it to
``service.site_config.apply``: the checks of an imported file, one transaction with its
audit record, a new configuration version, snapshots republished. Supervisors of the site
see the same pages without the forms' effect.
"""

from dataclasses import replace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from server.console import forms
from server.console.forms import FormErrors
from server.console.session import Forbidden, Visitor, checked_form, page, service_of, to, visitor
from server.console.texts import text
from server.engine.model import CounterConfig, Holiday, NumberFormat, OpeningHours
from server.service import ServiceError
from server.siteconfig import SiteDefinition, SiteFileError, render
from server.siteconfig.schema import WEEKDAYS, Session, hours_of, sessions_of

router = APIRouter()


def _viewer(request: Request, site: str) -> Visitor:
    who = visitor(request)
    if not who.may_see(site):
        raise Forbidden(text("read_only", who.lang))
    return who


def _editor(request: Request, site: str) -> Visitor:
    who = _viewer(request, site)
    if not who.may_edit(site):
        raise Forbidden(text("read_only", who.lang))
    return who


def _definition(request: Request, site: str) -> SiteDefinition:
    try:
        return service_of(request).site_config.definition(site)
    except ServiceError:
        raise Forbidden from None


def _apply(
    request: Request, who: Visitor, definition: SiteDefinition, action: str, target: str
) -> FormErrors:
    """The one path of every change; the errors it found, empty when it was saved."""
    errors = FormErrors(who.lang)
    try:
        service_of(request).site_config.apply(
            definition, actor=who.actor.name, action=action, target=target
        )
    except SiteFileError as exc:
        errors.from_site_file(exc)
    return errors


# ---- the site ------------------------------------------------------------------------


@router.get("/s/{site}/site", response_class=HTMLResponse)
def site_page(request: Request, site: str, saved: int = 0) -> Response:
    who = _viewer(request, site)
    definition = _definition(request, site)
    return page(
        request, "site.html", who, site=site, active="site", config=definition.site,
        form=None, saved=saved,
    )  # fmt: skip


@router.post("/s/{site}/site", response_class=HTMLResponse)
async def site_save(request: Request, site: str) -> Response:
    who = _editor(request, site)
    form = await checked_form(request, who)
    definition = _definition(request, site)
    errors = FormErrors(who.lang)
    name_vi = forms.string(form, "name_vi", errors)
    name_en = forms.string(form, "name_en", errors)
    time_zone = forms.string(form, "time_zone", errors)
    cutoff = forms.integer(form, "cutoff", errors, high=240)
    limit = forms.integer(form, "citizen_limit", errors, low=1, high=100)
    ratio = forms.integer(form, "priority_ratio", errors, low=1, high=100)
    aging = forms.integer(form, "aging_after_min", errors, low=1, high=600, optional=True)
    if not errors:
        config = replace(
            definition.site,
            name=name_vi,
            name_en=name_en,
            time_zone=time_zone,
            ticker=forms.string(form, "ticker", errors, required=False),
            stop_issuing_before_close_min=cutoff or 0,
            max_tickets_per_citizen_day=limit or 1,
            priority_ratio=ratio or 1,
            aging_after_s=aging * 60 if aging else None,
        )
        errors = _apply(request, who, replace(definition, site=config), "site.edit", site)
        if not errors:
            return to(f"/console/s/{site}/site?saved=1")
    return page(
        request, "site.html", who, site=site, active="site", config=definition.site, form=form,
        errors=errors.messages, status_code=400,
    )  # fmt: skip


# ---- fields --------------------------------------------------------------------------


@router.get("/s/{site}/fields", response_class=HTMLResponse)
def fields_page(request: Request, site: str, saved: int = 0) -> Response:
    who = _viewer(request, site)
    definition = _definition(request, site)
    return page(
        request, "fields.html", who, site=site, active="fields", definition=definition,
        saved=saved,
    )  # fmt: skip


@router.get("/s/{site}/fields/{code}", response_class=HTMLResponse)
def field_page(request: Request, site: str, code: str) -> Response:
    who = _viewer(request, site)
    definition = _definition(request, site)
    field = next((s for s in definition.services if s.code == code), None)
    if field is None:
        raise Forbidden
    return page(
        request, "field.html", who, site=site, active="fields", definition=definition,
        field=field, form=None,
    )  # fmt: skip


@router.post("/s/{site}/fields/{code}", response_class=HTMLResponse)
async def field_save(request: Request, site: str, code: str) -> Response:
    who = _editor(request, site)
    form = await checked_form(request, who)
    definition = _definition(request, site)
    field = next((s for s in definition.services if s.code == code), None)
    if field is None:
        raise Forbidden
    errors = FormErrors(who.lang)
    name_vi = forms.string(form, "name_vi", errors)
    name_en = forms.string(form, "name_en", errors)
    department = forms.string(form, "department", errors)
    kind = "prefix" if form.get("numbers") == "prefix" else "block"
    if kind == "prefix":
        prefix = forms.string(form, "prefix", errors).upper()
        width = forms.integer(form, "width", errors, low=1, high=6) or 3
        numbers = NumberFormat(kind="prefix", prefix=prefix, width=width)
    else:
        start = forms.integer(form, "start", errors, high=999_999) or 0
        end = forms.integer(form, "end", errors, high=999_999) or 0
        numbers = NumberFormat(kind="block", start=start, end=end)
    service_s = forms.integer(form, "service_time", errors, low=30, high=14_400)
    wait = forms.integer(form, "wait_target", errors, low=1, high=1440, optional=True)
    quota = forms.integer(form, "daily_quota", errors, low=1, optional=True)
    limit = forms.integer(form, "field_citizen_limit", errors, low=1, high=100, optional=True)
    if not errors:
        keywords = tuple(k.strip() for k in str(form.get("keywords", "")).split(",") if k.strip())
        changed = replace(
            field,
            name_vi=name_vi,
            name_en=name_en,
            department=department,
            number_format=numbers,
            default_service_s=service_s or field.default_service_s,
            wait_target_s=wait * 60 if wait else None,
            daily_quota=quota,
            citizen_day_limit=limit,
            keywords=keywords,
            enabled=forms.checked(form, "enabled"),
        )
        services = tuple(changed if s.code == code else s for s in definition.services)
        errors = _apply(request, who, replace(definition, services=services), "field.edit", code)
        if not errors:
            return to(f"/console/s/{site}/fields?saved=1")
    return page(
        request, "field.html", who, site=site, active="fields", definition=definition,
        field=field, form=form, errors=errors.messages, status_code=400,
    )  # fmt: skip


# ---- counters ------------------------------------------------------------------------


@router.get("/s/{site}/counters", response_class=HTMLResponse)
def counters_page(request: Request, site: str, saved: int = 0) -> Response:
    who = _viewer(request, site)
    definition = _definition(request, site)
    return page(
        request, "counters.html", who, site=site, active="counters", definition=definition,
        saved=saved,
    )  # fmt: skip


def _counter_form(
    request: Request,
    who: Visitor,
    site: str,
    definition: SiteDefinition,
    counter: CounterConfig | None,
    *,
    form: dict[str, Any] | None = None,
    errors: list[str] | None = None,
) -> Response:
    return page(
        request, "counter.html", who, site=site, active="counters", definition=definition,
        counter=counter, form=form, errors=errors or [], status_code=400 if errors else 200,
        chosen=forms.many(form, "fields") if form else (counter.services if counter else ()),
    )  # fmt: skip


@router.get("/s/{site}/counters/new", response_class=HTMLResponse)
def counter_new(request: Request, site: str) -> Response:
    who = _viewer(request, site)
    return _counter_form(request, who, site, _definition(request, site), None)


@router.get("/s/{site}/counters/{counter_id}", response_class=HTMLResponse)
def counter_page(request: Request, site: str, counter_id: str) -> Response:
    who = _viewer(request, site)
    definition = _definition(request, site)
    counter = next((c for c in definition.counters if c.id == counter_id), None)
    if counter is None:
        raise Forbidden
    return _counter_form(request, who, site, definition, counter)


@router.post("/s/{site}/counters/{counter_id}", response_class=HTMLResponse)
async def counter_save(request: Request, site: str, counter_id: str) -> Response:
    """``counter_id`` "new" adds a counter (its id is the one typed in the form)."""
    who = _editor(request, site)
    form = await checked_form(request, who)
    definition = _definition(request, site)
    adding = counter_id == "new"
    old = None if adding else next((c for c in definition.counters if c.id == counter_id), None)
    if not adding and old is None:
        raise Forbidden
    errors = FormErrors(who.lang)
    ident = forms.string(form, "id", errors) if adding else counter_id
    if adding and any(c.id == ident for c in definition.counters):
        errors.add("code", "err_exists")
    number = forms.integer(form, "number", errors, low=1, high=9999, label="number")
    name = forms.string(form, "name", errors)
    area = forms.string(form, "area", errors)
    fields = forms.many(form, "fields") if "fields" in form else []
    if not fields:
        errors.add("served_fields", "err_choose_field")
    led = forms.integer(form, "led_address", errors, high=255, optional=True, label="led_address")
    if not errors:
        counter = CounterConfig(
            id=ident,
            number=number or 0,
            name=name,
            area=area,
            services=tuple(fields),
            weights={k: v for k, v in (old.weights if old else {}).items() if k in fields},
            priority_counter=forms.checked(form, "priority_counter"),
            led_address=led,
        )
        counters = (
            (*definition.counters, counter)
            if adding
            else tuple(counter if c.id == counter_id else c for c in definition.counters)
        )
        action = "counter.add" if adding else "counter.edit"
        errors = _apply(request, who, replace(definition, counters=counters), action, ident)
        if not errors:
            return to(f"/console/s/{site}/counters?saved=1")
    return _counter_form(request, who, site, definition, old, form=form, errors=errors.messages)


# ---- calendar: sessions and holidays -------------------------------------------------------


@router.get("/s/{site}/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, site: str, saved: int = 0) -> Response:
    who = _viewer(request, site)
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
    definition = _definition(request, site)
    return page(
        request, "calendar.html", who, site=site, active="calendar", definition=definition,
        sessions=sessions_of(definition.site.hours), weekdays=WEEKDAYS, saved=saved,
        form=form or {}, errors=errors or [], status_code=400 if errors else 200,
    )  # fmt: skip


@router.post("/s/{site}/calendar/holidays", response_class=HTMLResponse)
async def holiday_add(request: Request, site: str) -> Response:
    who = _editor(request, site)
    form = await checked_form(request, who)
    definition = _definition(request, site)
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
        errors = _apply(
            request, who, replace(definition, site=site_config), "holiday.add", when.isoformat()
        )
        if not errors:
            return to(f"/console/s/{site}/calendar?saved=1")
    return _calendar(request, who, site, form=form, errors=errors.messages)


@router.post("/s/{site}/calendar/holidays/{when}/remove", response_class=HTMLResponse)
async def holiday_remove(request: Request, site: str, when: str) -> Response:
    who = _editor(request, site)
    await checked_form(request, who)
    definition = _definition(request, site)
    holidays = tuple(h for h in definition.site.holidays if h.day.isoformat() != when)
    site_config = replace(definition.site, holidays=holidays)
    errors = _apply(request, who, replace(definition, site=site_config), "holiday.remove", when)
    if not errors:
        return to(f"/console/s/{site}/calendar?saved=1")
    return _calendar(request, who, site, errors=errors.messages)


@router.post("/s/{site}/calendar/sessions", response_class=HTMLResponse)
async def sessions_save(request: Request, site: str) -> Response:
    """The week's sessions as rows of (days, from, to); an empty row is dropped."""
    who = _editor(request, site)
    form = await checked_form(request, who)
    definition = _definition(request, site)
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
        errors = _apply(request, who, replace(definition, site=site_config), "sessions.edit", site)
        if not errors:
            return to(f"/console/s/{site}/calendar?saved=1")
    return _calendar(request, who, site, form=form, errors=errors.messages)


# ---- the whole site file -------------------------------------------------------------


@router.get("/s/{site}/file.toml")
def site_file_download(request: Request, site: str) -> Response:
    _viewer(request, site)
    return PlainTextResponse(
        render(_definition(request, site)),
        media_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{site}.toml"'},
    )


@router.get("/s/{site}/file", response_class=HTMLResponse)
def site_file_page(request: Request, site: str, saved: int = 0) -> Response:
    who = _viewer(request, site)
    body = render(_definition(request, site))
    return page(
        request, "sitefile.html", who, site=site, active="sitefile", body=body, diff=None,
        saved=saved,
    )  # fmt: skip


@router.post("/s/{site}/file", response_class=HTMLResponse)
async def site_file_post(request: Request, site: str) -> Response:
    """Preview shows the diff; apply writes it (a file for another site is refused)."""
    who = _editor(request, site)
    form = await checked_form(request, who)
    body = str(form.get("body", "")).replace("\r\n", "\n")
    errors = FormErrors(who.lang)
    configs = service_of(request).site_config
    diff: str | None = None
    try:
        plan = configs.plan(body)
    except SiteFileError as exc:
        errors.from_site_file(exc)
    else:
        if plan.site != site:
            errors.add("site_id", "err_range")
        elif form.get("do") == "apply":
            configs.apply(plan.definition, actor=who.actor.name, action="site.import")
            return to(f"/console/s/{site}/file?saved=1")
        else:
            diff = plan.diff
    return page(
        request, "sitefile.html", who, site=site, active="sitefile", body=body, diff=diff,
        errors=errors.messages, status_code=400 if errors else 200,
    )  # fmt: skip


# ---- the audit log -------------------------------------------------------------------


@router.get("/s/{site}/audit", response_class=HTMLResponse)
def audit_page(request: Request, site: str, actor: str = "", action: str = "") -> Response:
    who = _viewer(request, site)
    entries = service_of(request).audit.entries(
        site=site, actor=actor or None, action=action or None
    )
    rows = [(e, _changes(e.before, e.after)) for e in entries]
    return page(
        request, "audit.html", who, site=site, active="audit", rows=rows, who_filter=actor,
        action_filter=action,
    )  # fmt: skip


def _changes(before: Any, after: Any) -> list[tuple[str, str, str]]:
    """(item, before, after) as short text, one row per changed item."""
    if not isinstance(before, dict) or not isinstance(after, dict):
        return [("", _short(before), _short(after))]
    return [(key, _short(before.get(key)), _short(after.get(key))) for key in after]


def _short(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_short(v)}" for k, v in value.items() if v not in (None, [], {}))
    if isinstance(value, list):
        return "[" + ", ".join(_short(v) for v in value) + "]"
    return str(value)
