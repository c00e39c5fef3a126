"""A site file's models to the engine's ``SiteDefinition`` and back: the one place the file's
words ("HH:MM", weekday names, missing keys) meet the engine's values.
"""

from dataclasses import asdict
from datetime import time
from typing import Any

from server.alerts.rules import AlertRules
from server.engine.model import (
    Area,
    CounterConfig,
    Department,
    Holiday,
    NumberFormat,
    OpeningHours,
    PriorityCategory,
    ServiceConfig,
    SiteConfig,
    SlotOffer,
    SpecialDay,
)
from server.siteconfig.definition import Display, SiteDefinition
from server.siteconfig.schema import (
    SCHEMA_VERSION,
    WEEKDAYS,
    FieldItem,
    Session,
    SiteFile,
)

Windows = tuple[tuple[time, time], ...]


def clock(text: str) -> time:
    return time.fromisoformat(text)


def hours_of(sessions: list[Session]) -> OpeningHours:
    """Sessions as the engine's hours: the most common day's windows are ``windows``,
    the other days are ``day_windows`` (so a Saturday morning is said exactly)."""
    by_day: dict[int, list[tuple[time, time]]] = {}
    for session in sessions:
        for day in session.days:
            by_day.setdefault(WEEKDAYS.index(day), []).append(
                (clock(session.start), clock(session.end))
            )
    days = {day: tuple(sorted(w)) for day, w in by_day.items()}
    if not days:
        return OpeningHours(windows=(), weekdays=frozenset())
    counts: dict[Windows, int] = {}
    for w in days.values():
        counts[w] = counts.get(w, 0) + 1
    common = max(counts, key=lambda w: (counts[w], -min(d for d in days if days[d] == w)))
    return OpeningHours(
        windows=common,
        weekdays=frozenset(d for d, w in days.items() if w == common),
        day_windows={d: w for d, w in days.items() if w != common},
    )


def sessions_of(hours: OpeningHours) -> list[Session]:
    """The inverse of ``hours_of``: one session per window, days grouped, Monday first."""
    groups: dict[tuple[time, time], list[int]] = {}
    for day in range(7):
        for window in hours.windows_on(day):
            groups.setdefault(window, []).append(day)
    return [
        Session.model_validate(
            {"days": [WEEKDAYS[d] for d in days], "start": f"{a:%H:%M}", "end": f"{b:%H:%M}"}
        )
        for (a, b), days in sorted(groups.items(), key=lambda kv: (kv[1][0], kv[0]))
    ]


def _hhmm(windows: Windows) -> list[tuple[str, str]]:
    return [(a.strftime("%H:%M"), b.strftime("%H:%M")) for a, b in windows]


def _number_format(item: FieldItem) -> NumberFormat:
    if item.numbers == "prefix":
        return NumberFormat(kind="prefix", prefix=item.prefix or "A", width=item.width or 3)
    start = item.start if item.start is not None else 1001
    end = item.end if item.end is not None else start + 998
    return NumberFormat(kind="block", start=start, end=end)


def to_definition(doc: SiteFile) -> SiteDefinition:
    s, r = doc.site, doc.rules
    site = SiteConfig(
        id=s.id,
        name=s.name_vi,
        name_en=s.name_en,
        time_zone=s.time_zone,
        hours=hours_of(doc.sessions),
        priority_categories=tuple(
            PriorityCategory(c.code, c.name_vi, c.name_en) for c in doc.priority_categories
        ),
        priority_ratio=r.priority_ratio,
        aging_after_s=r.aging_after_s,
        transfer_keeps_place=r.transfer_keeps_place,
        max_tickets_per_citizen_day=s.max_tickets_per_citizen_day,
        require_start_before_finish=r.require_start_before_finish,
        require_close_before_call=r.require_close_before_call,
        call_policy=s.call_policy,
        wait_estimator=r.wait_estimator,
        serve_after_close_s=r.serve_after_close_s,
        alerts=AlertRules(**doc.alerts.model_dump()),
        booking_early_min=r.booking_early_min,
        booking_late_min=r.booking_late_min,
        near_people=s.near_people,
        near_minutes=s.near_minutes,
        holidays=tuple(Holiday(h.date, h.name_vi, h.name_en) for h in doc.holidays),
        special_days=tuple(
            SpecialDay(
                d.date, tuple((clock(a), clock(b)) for a, b in d.sessions), d.name_vi, d.name_en
            )
            for d in doc.special_days
        ),
        stop_issuing_before_close_min=s.stop_issuing_before_close_min,
        ticker=s.ticker,
        voice=s.voice,
    )
    return SiteDefinition(
        site=site,
        areas=tuple(Area(a.id, a.name_vi, a.name_en) for a in doc.areas),
        departments=tuple(Department(d.code, d.name_vi, d.name_en) for d in doc.departments),
        services=tuple(
            ServiceConfig(
                code=f.code,
                department=f.department,
                name_vi=f.name_vi,
                name_en=f.name_en,
                number_format=_number_format(f),
                daily_quota=f.daily_quota,
                hours=hours_of(f.sessions) if f.sessions is not None else None,
                default_service_s=f.service_time_s,
                enabled=f.enabled,
                keywords=tuple(f.keywords),
                wait_target_s=f.wait_target_min * 60 if f.wait_target_min is not None else None,
                citizen_day_limit=f.citizen_day_limit,
                booking=SlotOffer(f.booking.slot_min, f.booking.capacity, f.booking.days_ahead)
                if f.booking is not None
                else None,
            )
            for f in doc.fields
        ),
        counters=tuple(
            CounterConfig(
                id=c.id,
                number=c.number,
                name=c.name,
                area=c.area,
                services=tuple(c.fields),
                weights=dict(c.weights),
                priority_counter=c.priority_counter,
                led_address=c.led_address,
            )
            for c in doc.counters
        ),
        displays=tuple(Display(d.id, a.id, d.name) for a in doc.areas for d in a.displays),
    )


def _field_item(svc: ServiceConfig) -> dict[str, Any]:
    fmt = svc.number_format
    numbers = (
        {"numbers": "prefix", "prefix": fmt.prefix, "width": fmt.width}
        if fmt.kind == "prefix"
        else {"numbers": "block", "start": fmt.start, "end": fmt.end}
    )
    return {
        "code": svc.code,
        "department": svc.department,
        "name_vi": svc.name_vi,
        "name_en": svc.name_en,
        **numbers,
        "keywords": list(svc.keywords),
        "service_time_s": svc.default_service_s,
        "wait_target_min": svc.wait_target_s // 60 if svc.wait_target_s else None,
        "daily_quota": svc.daily_quota,
        "citizen_day_limit": svc.citizen_day_limit,
        "enabled": svc.enabled,
        "sessions": sessions_of(svc.hours) if svc.hours is not None else None,
        "booking": None
        if svc.booking is None
        else {
            "slot_min": svc.booking.slot_min,
            "capacity": svc.booking.capacity,
            "days_ahead": svc.booking.days_ahead,
        },
    }


def from_definition(definition: SiteDefinition) -> SiteFile:
    """The document of a definition; a ``ValidationError`` names the path of a value that
    no file could hold (a form's empty name, a lower-case prefix)."""
    site = definition.site
    displays: dict[str, list[dict[str, Any]]] = {}
    for d in definition.displays:
        displays.setdefault(d.area, []).append({"id": d.id, "name": d.name})
    data = {
        "schema_version": SCHEMA_VERSION,
        "site": {
            "id": site.id,
            "name_vi": site.name,
            "name_en": site.name_en,
            "time_zone": site.time_zone,
            "ticker": site.ticker,
            "call_policy": site.call_policy,
            "voice": site.voice,
            "stop_issuing_before_close_min": site.stop_issuing_before_close_min,
            "max_tickets_per_citizen_day": site.max_tickets_per_citizen_day,
            "near_people": site.near_people,
            "near_minutes": site.near_minutes,
        },
        "rules": {
            "priority_ratio": site.priority_ratio,
            "aging_after_s": site.aging_after_s,
            "transfer_keeps_place": site.transfer_keeps_place,
            "require_start_before_finish": site.require_start_before_finish,
            "require_close_before_call": site.require_close_before_call,
            "wait_estimator": site.wait_estimator,
            "serve_after_close_s": site.serve_after_close_s,
            "booking_early_min": site.booking_early_min,
            "booking_late_min": site.booking_late_min,
        },
        "alerts": asdict(site.alerts),
        "priority_categories": [
            {"code": p.code, "name_vi": p.name_vi, "name_en": p.name_en}
            for p in site.priority_categories
        ],
        "sessions": sessions_of(site.hours),
        "holidays": [
            {"date": h.day, "name_vi": h.name_vi, "name_en": h.name_en} for h in site.holidays
        ],
        "special_days": [
            {
                "date": d.day,
                "name_vi": d.name_vi,
                "name_en": d.name_en,
                "sessions": _hhmm(d.windows),
            }
            for d in site.special_days
        ],
        "areas": [
            {
                "id": a.id,
                "name_vi": a.name_vi,
                "name_en": a.name_en,
                "displays": displays.get(a.id, []),
            }
            for a in definition.areas
        ],
        "departments": [
            {"code": d.code, "name_vi": d.name_vi, "name_en": d.name_en}
            for d in definition.departments
        ],
        "fields": [_field_item(s) for s in definition.services],
        "counters": [
            {
                "id": c.id,
                "number": c.number,
                "name": c.name,
                "area": c.area,
                "fields": list(c.services),
                "weights": dict(c.weights),
                "priority_counter": c.priority_counter,
                "led_address": c.led_address,
            }
            for c in definition.counters
        ],
    }
    return SiteFile.model_validate(data)
