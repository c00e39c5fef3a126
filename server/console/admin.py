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
from server.console.branches import branch_lines
from server.console.forms import FormErrors
from server.console.session import Forbidden, Visitor, checked_form, page, service_of, to
from server.console.site_edit import apply_change, definition_of, editor, viewer
from server.engine.model import (
    Area,
    CounterConfig,
    Department,
    NumberFormat,
    PriorityCategory,
)
from server.siteconfig import SiteDefinition, SiteFileError, render

router = APIRouter()

# The boards' voice regions a site may choose (the site file's ``[site] voice``).
VOICES = ("north", "central", "south")


# ---- the site ------------------------------------------------------------------------


@router.get("/s/{site}/site", response_class=HTMLResponse)
def site_page(request: Request, site: str, saved: int = 0) -> Response:
    who = viewer(request, site)
    definition = definition_of(request, site)
    return page(
        request, "site.html", who, site=site, active="site", config=definition.site,
        form=None, saved=saved, link=branch_lines(request, who.lang).get(site), voices=VOICES,
    )  # fmt: skip


@router.post("/s/{site}/site", response_class=HTMLResponse)
async def site_save(request: Request, site: str) -> Response:
    who = editor(request, site)
    form = await checked_form(request, who)
    definition = definition_of(request, site)
    errors = FormErrors(who.lang)
    name_vi = forms.string(form, "name_vi", errors)
    name_en = forms.string(form, "name_en", errors)
    time_zone = forms.string(form, "time_zone", errors)
    cutoff = forms.integer(form, "cutoff", errors, high=240)
    limit = forms.integer(form, "citizen_limit", errors, low=1, high=100)
    ratio = forms.integer(form, "priority_ratio", errors, low=1, high=100)
    aging = forms.integer(form, "aging_after_min", errors, low=1, high=600, optional=True)
    voice = str(form.get("voice", definition.site.voice))
    if voice not in VOICES:
        errors.add("voice", "err_voice")
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
            voice=voice,
        )
        errors = apply_change(request, who, replace(definition, site=config), "site.edit", site)
        if not errors:
            return to(f"/console/s/{site}/site?saved=1")
    return page(
        request, "site.html", who, site=site, active="site", config=definition.site, form=form,
        errors=errors.messages, status_code=400, voices=VOICES,
    )  # fmt: skip


# ---- fields --------------------------------------------------------------------------


@router.get("/s/{site}/fields", response_class=HTMLResponse)
def fields_page(request: Request, site: str, saved: int = 0) -> Response:
    who = viewer(request, site)
    definition = definition_of(request, site)
    return page(
        request, "fields.html", who, site=site, active="fields", definition=definition,
        saved=saved,
    )  # fmt: skip


@router.get("/s/{site}/fields/{code}", response_class=HTMLResponse)
def field_page(request: Request, site: str, code: str) -> Response:
    who = viewer(request, site)
    definition = definition_of(request, site)
    field = next((s for s in definition.services if s.code == code), None)
    if field is None:
        raise Forbidden
    return page(
        request, "field.html", who, site=site, active="fields", definition=definition,
        field=field, form=None,
    )  # fmt: skip


@router.post("/s/{site}/fields/{code}", response_class=HTMLResponse)
async def field_save(request: Request, site: str, code: str) -> Response:
    who = editor(request, site)
    form = await checked_form(request, who)
    definition = definition_of(request, site)
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
        errors = apply_change(
            request, who, replace(definition, services=services), "field.edit", code
        )
        if not errors:
            return to(f"/console/s/{site}/fields?saved=1")
    return page(
        request, "field.html", who, site=site, active="fields", definition=definition,
        field=field, form=form, errors=errors.messages, status_code=400,
    )  # fmt: skip


# ---- counters ------------------------------------------------------------------------


@router.get("/s/{site}/counters", response_class=HTMLResponse)
def counters_page(request: Request, site: str, saved: int = 0) -> Response:
    who = viewer(request, site)
    definition = definition_of(request, site)
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
    who = viewer(request, site)
    return _counter_form(request, who, site, definition_of(request, site), None)


@router.get("/s/{site}/counters/{counter_id}", response_class=HTMLResponse)
def counter_page(request: Request, site: str, counter_id: str) -> Response:
    who = viewer(request, site)
    definition = definition_of(request, site)
    counter = next((c for c in definition.counters if c.id == counter_id), None)
    if counter is None:
        raise Forbidden
    return _counter_form(request, who, site, definition, counter)


@router.post("/s/{site}/counters/{counter_id}", response_class=HTMLResponse)
async def counter_save(request: Request, site: str, counter_id: str) -> Response:
    """``counter_id`` "new" adds a counter (its id is the one typed in the form)."""
    who = editor(request, site)
    form = await checked_form(request, who)
    definition = definition_of(request, site)
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
        errors = apply_change(request, who, replace(definition, counters=counters), action, ident)
        if not errors:
            return to(f"/console/s/{site}/counters?saved=1")
    return _counter_form(request, who, site, definition, old, form=form, errors=errors.messages)


# ---- calendar: sessions and holidays -------------------------------------------------------


# ---- the whole site file -------------------------------------------------------------


@router.get("/s/{site}/file.toml")
def site_file_download(request: Request, site: str) -> Response:
    viewer(request, site)
    return PlainTextResponse(
        render(definition_of(request, site)),
        media_type="application/toml; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{site}.toml"'},
    )


@router.get("/s/{site}/file", response_class=HTMLResponse)
def site_file_page(request: Request, site: str, saved: int = 0) -> Response:
    who = viewer(request, site)
    body = render(definition_of(request, site))
    return page(
        request, "sitefile.html", who, site=site, active="sitefile", body=body, diff=None,
        saved=saved,
    )  # fmt: skip


@router.post("/s/{site}/file", response_class=HTMLResponse)
async def site_file_post(request: Request, site: str) -> Response:
    """Preview shows the diff; apply writes it (a file for another site is refused)."""
    who = editor(request, site)
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


# ---- departments, areas and priority categories ------------------------------------------

# part -> (the definition's or the site's attribute, the item's key attribute, make an item)
_NAMED: dict[str, tuple[str, str, Any]] = {
    "departments": ("departments", "code", Department),
    "areas": ("areas", "id", Area),
    "categories": ("priority_categories", "code", PriorityCategory),
}


@router.get("/s/{site}/structure", response_class=HTMLResponse)
def structure_page(request: Request, site: str, saved: int = 0) -> Response:
    who = viewer(request, site)
    return _structure(request, who, site, saved=saved)


def _structure(
    request: Request,
    who: Visitor,
    site: str,
    *,
    saved: int = 0,
    errors: list[str] | None = None,
) -> Response:
    definition = definition_of(request, site)
    parts = {
        "departments": definition.departments,
        "areas": definition.areas,
        "categories": definition.site.priority_categories,
    }
    displays = {a.id: [d for d in definition.displays if d.area == a.id] for a in definition.areas}
    return page(
        request, "structure.html", who, site=site, active="structure", parts=parts,
        displays=displays, saved=saved, errors=errors or [], status_code=400 if errors else 200,
    )  # fmt: skip


def _with_items(definition: SiteDefinition, part: str, items: tuple[Any, ...]) -> SiteDefinition:
    if part == "categories":
        return replace(definition, site=replace(definition.site, priority_categories=items))
    if part == "areas":
        return replace(definition, areas=items)
    return replace(definition, departments=items)


def _items(definition: SiteDefinition, part: str) -> tuple[Any, ...]:
    owner = definition.site if part == "categories" else definition
    return tuple(getattr(owner, _NAMED[part][0]))


@router.post("/s/{site}/structure/{part}/{key}", response_class=HTMLResponse)
async def structure_save(request: Request, site: str, part: str, key: str) -> Response:
    """Rename an item, or add one (``key`` "new": its code comes from the form)."""
    if part not in _NAMED:
        raise Forbidden
    who = editor(request, site)
    form = await checked_form(request, who)
    definition = definition_of(request, site)
    _attr, key_name, make = _NAMED[part]
    items = _items(definition, part)
    errors = FormErrors(who.lang)
    ident = forms.string(form, "code", errors) if key == "new" else key
    name_vi = forms.string(form, "name_vi", errors)
    name_en = forms.string(form, "name_en", errors)
    if key == "new" and any(getattr(i, key_name) == ident for i in items):
        errors.add("code", "err_exists")
    if key != "new" and not any(getattr(i, key_name) == key for i in items):
        raise Forbidden
    if not errors:
        item = make(ident, name_vi, name_en)
        changed = (
            (*items, item)
            if key == "new"
            else tuple(item if getattr(i, key_name) == key else i for i in items)
        )
        action = f"{part}.{'add' if key == 'new' else 'edit'}"
        errors = apply_change(request, who, _with_items(definition, part, changed), action, ident)
        if not errors:
            return to(f"/console/s/{site}/structure?saved=1")
    return _structure(request, who, site, errors=errors.messages)


@router.post("/s/{site}/structure/{part}/{key}/remove", response_class=HTMLResponse)
async def structure_remove(request: Request, site: str, part: str, key: str) -> Response:
    """Refused, with the reason, while a field or counter still names the item."""
    if part not in _NAMED:
        raise Forbidden
    who = editor(request, site)
    await checked_form(request, who)
    definition = definition_of(request, site)
    key_name = _NAMED[part][1]
    items = tuple(i for i in _items(definition, part) if getattr(i, key_name) != key)
    changed = _with_items(definition, part, items)
    if part == "areas":
        changed = replace(changed, displays=tuple(d for d in changed.displays if d.area != key))
    errors = apply_change(request, who, changed, f"{part}.remove", key)
    if not errors:
        return to(f"/console/s/{site}/structure?saved=1")
    return _structure(request, who, site, errors=errors.messages)
