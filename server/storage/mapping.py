"""Rows to engine values and back. JSON shapes for hours, formats and site rules."""

import functools
import operator
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import date, time
from typing import Any

from server.alerts.rules import AlertRules
from server.contract.vocab import Outcome, TicketStatus
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
    Ticket,
)
from server.storage.models import (
    AreaRow,
    CounterRow,
    CounterServiceRow,
    DepartmentRow,
    ServiceRow,
    SiteRow,
    TicketRow,
)
from server.storage.records import (
    TICKET_FIELD_COLUMNS,
    TICKET_FIELDS,
    TICKET_STORAGE_ONLY,
    TicketRecord,
)

Windows = tuple[tuple[time, time], ...]


def windows_to_json(windows: Windows) -> list[list[str]]:
    return [[a.isoformat(), b.isoformat()] for a, b in windows]


def windows_from_json(data: list[list[str]]) -> Windows:
    return tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in data)


def hours_to_json(hours: OpeningHours) -> dict[str, Any]:
    out: dict[str, Any] = {
        "windows": windows_to_json(hours.windows),
        "weekdays": sorted(hours.weekdays),
    }
    if hours.day_windows:
        out["day_windows"] = {
            str(day): windows_to_json(w) for day, w in sorted(hours.day_windows.items())
        }
    return out


def hours_from_json(data: dict[str, Any]) -> OpeningHours:
    return OpeningHours(
        windows=windows_from_json(data["windows"]),
        weekdays=frozenset(int(d) for d in data["weekdays"]),
        day_windows={
            int(day): windows_from_json(w) for day, w in data.get("day_windows", {}).items()
        },
    )


def format_to_json(fmt: NumberFormat) -> dict[str, Any]:
    return {
        "kind": fmt.kind,
        "prefix": fmt.prefix,
        "width": fmt.width,
        "start": fmt.start,
        "end": fmt.end,
    }


def format_from_json(data: dict[str, Any]) -> NumberFormat:
    return NumberFormat(**data) if data else NumberFormat()


def site_settings_to_json(site: SiteConfig) -> dict[str, Any]:
    return {
        "hours": hours_to_json(site.hours),
        "priority_categories": [
            {"code": p.code, "name_vi": p.name_vi, "name_en": p.name_en}
            for p in site.priority_categories
        ],
        "priority_ratio": site.priority_ratio,
        "aging_after_s": site.aging_after_s,
        "transfer_keeps_place": site.transfer_keeps_place,
        "max_tickets_per_citizen_day": site.max_tickets_per_citizen_day,
        "require_start_before_finish": site.require_start_before_finish,
        "require_close_before_call": site.require_close_before_call,
        "call_policy": site.call_policy,
        "holidays": [
            {"day": h.day.isoformat(), "name_vi": h.name_vi, "name_en": h.name_en}
            for h in site.holidays
        ],
        "special_days": [
            {
                "day": d.day.isoformat(),
                "windows": windows_to_json(d.windows),
                "name_vi": d.name_vi,
                "name_en": d.name_en,
            }
            for d in site.special_days
        ],
        "stop_issuing_before_close_min": site.stop_issuing_before_close_min,
        "ticker": site.ticker,
        "voice": site.voice,
        "wait_estimator": site.wait_estimator,
        "serve_after_close_s": site.serve_after_close_s,
        "alerts": asdict(site.alerts),
        "booking_early_min": site.booking_early_min,
        "booking_late_min": site.booking_late_min,
        "near_people": site.near_people,
        "near_minutes": site.near_minutes,
    }


def site_from_row(row: SiteRow) -> SiteConfig:
    s = row.settings or {}
    defaults = SiteConfig(id=row.id, name=row.name, name_en=row.name_en)
    return SiteConfig(
        id=row.id,
        name=row.name,
        name_en=row.name_en,
        time_zone=row.time_zone,
        hours=hours_from_json(s["hours"]) if "hours" in s else defaults.hours,
        priority_categories=tuple(PriorityCategory(**p) for p in s.get("priority_categories", ())),
        priority_ratio=s.get("priority_ratio", defaults.priority_ratio),
        aging_after_s=s.get("aging_after_s", defaults.aging_after_s),
        transfer_keeps_place=s.get("transfer_keeps_place", defaults.transfer_keeps_place),
        max_tickets_per_citizen_day=s.get(
            "max_tickets_per_citizen_day", defaults.max_tickets_per_citizen_day
        ),
        require_start_before_finish=s.get(
            "require_start_before_finish", defaults.require_start_before_finish
        ),
        require_close_before_call=s.get(
            "require_close_before_call", defaults.require_close_before_call
        ),
        call_policy=s.get("call_policy", defaults.call_policy),
        holidays=tuple(
            Holiday(date.fromisoformat(h["day"]), h["name_vi"], h.get("name_en", ""))
            for h in s.get("holidays", ())
        ),
        special_days=tuple(
            SpecialDay(
                date.fromisoformat(d["day"]),
                windows_from_json(d["windows"]),
                d["name_vi"],
                d.get("name_en", ""),
            )
            for d in s.get("special_days", ())
        ),
        stop_issuing_before_close_min=s.get("stop_issuing_before_close_min", 0),
        ticker=s.get("ticker", ""),
        voice=s.get("voice", defaults.voice),
        wait_estimator=s.get("wait_estimator", defaults.wait_estimator),
        serve_after_close_s=s.get("serve_after_close_s", defaults.serve_after_close_s),
        alerts=AlertRules(**s["alerts"]) if "alerts" in s else defaults.alerts,
        booking_early_min=s.get("booking_early_min", defaults.booking_early_min),
        booking_late_min=s.get("booking_late_min", defaults.booking_late_min),
        near_people=s.get("near_people", defaults.near_people),
        near_minutes=s.get("near_minutes", defaults.near_minutes),
    )


def service_from_row(row: ServiceRow) -> ServiceConfig:
    return ServiceConfig(
        code=row.code,
        department=row.department,
        name_vi=row.name_vi,
        name_en=row.name_en,
        number_format=format_from_json(row.number_format),
        daily_quota=row.daily_quota,
        hours=hours_from_json(row.hours) if row.hours else None,
        default_service_s=row.default_service_s,
        enabled=row.enabled,
        keywords=tuple(row.keywords or ()),
        wait_target_s=row.wait_target_s,
        citizen_day_limit=row.citizen_day_limit,
        booking=SlotOffer(**row.booking) if row.booking else None,
    )


def counter_from_rows(row: CounterRow, links: list[CounterServiceRow]) -> CounterConfig:
    ordered = sorted(links, key=lambda link: link.position)
    return CounterConfig(
        id=row.id,
        number=row.number,
        name=row.name,
        area=row.area,
        services=tuple(link.service for link in ordered),
        weights={link.service: link.weight for link in ordered if link.weight is not None},
        priority_counter=row.priority_counter,
        led_address=row.led_address,
    )


_STATUSES = {s.value: s for s in TicketStatus}
_OUTCOMES = {o.value: o for o in Outcome}
_new_object = object.__new__
_read_fields = operator.attrgetter(*TICKET_FIELDS)
_STATUS_AT = TICKET_FIELDS.index("status")
_OUTCOME_AT = TICKET_FIELDS.index("outcome")
_NO_STORAGE_ONLY = (None,) * len(TICKET_STORAGE_ONLY)
# The fields the engine changes (all but the key and the site), as (field, column).
_CHANGED = tuple(pair for pair in TICKET_FIELD_COLUMNS if pair[0] not in ("id", "site"))


def _write_ticket_from_row() -> Callable[[Any], Ticket]:
    """``ticket_from_row`` written out from ``Ticket``'s fields, as ``dataclasses``
    writes an ``__init__``: one keyword per field, read straight off the row, which a
    loop over the field names is slower than (it runs for every line head of every
    command and snapshot build)."""
    values = []
    for name, column in TICKET_FIELD_COLUMNS:
        if not (name.isidentifier() and column.isidentifier()):
            raise ValueError(f"not a plain name: {name!r} / {column!r}")
        if name == "status":
            values.append(f"{name}=_STATUSES[row.{column}]")
        elif name == "outcome":
            values.append(f"{name}=_OUTCOMES[outcome] if outcome else None")
        else:
            values.append(f"{name}=row.{column}")
    source = (
        "def ticket_from_row(row):\n"
        "    ticket = _new_object(Ticket)\n"
        "    outcome = row.outcome\n"
        f"    ticket.__dict__.update({', '.join(values)})\n"
        "    return ticket\n"
    )
    namespace: dict[str, Any] = {
        "_new_object": _new_object,
        "Ticket": Ticket,
        "_STATUSES": _STATUSES,
        "_OUTCOMES": _OUTCOMES,
    }
    exec(source, namespace)  # noqa: S102 (our own field names, checked above)
    made: Callable[[Any], Ticket] = namespace["ticket_from_row"]
    made.__doc__ = """From an ORM row, a record or a Core row of the tickets table (same
    attribute names). Built without the dataclass ``__init__`` (a frozen one sets each
    field through ``object.__setattr__``). Same fields, same values, same ``Ticket``."""
    return made


ticket_from_row = _write_ticket_from_row()


def stored_values(ticket: Ticket) -> dict[str, Any]:
    """The columns of every field the engine changes, as stored (enums as values)."""
    values = {column: getattr(ticket, name) for name, column in _CHANGED}
    values["status"] = ticket.status.value
    values["outcome"] = ticket.outcome.value if ticket.outcome else None
    return values


def _copy_ticket(ticket: Ticket, target: TicketRow | TicketRecord) -> None:
    """Every field the engine owns, as stored."""
    for column, value in stored_values(ticket).items():
        setattr(target, column, value)


def ticket_to_record(ticket: Ticket) -> TicketRecord:
    """The engine's ticket as a plain stored row (no ORM instance, no Session): its
    fields in order, then the storage-only columns, empty."""
    values = list(_read_fields(ticket))
    values[_STATUS_AT] = ticket.status.value
    values[_OUTCOME_AT] = ticket.outcome.value if ticket.outcome else None
    return TicketRecord(*values, *_NO_STORAGE_ONLY)


def ticket_to_row(ticket: Ticket, row: TicketRow | None = None) -> TicketRow:
    """Copy every field of the engine's ticket into a (new or loaded) row."""
    if row is None:
        row = TicketRow(id=ticket.id, site_id=ticket.site)
    _copy_ticket(ticket, row)
    return row


@dataclass(frozen=True, eq=False)
class SiteBundle:
    """A site's whole configuration, loaded once per ``config_version``."""

    site: SiteConfig
    version: int
    areas: dict[str, Area]
    departments: dict[str, Department]
    services: dict[str, ServiceConfig]
    counters: dict[str, CounterConfig]
    service_position: dict[str, int] = field(default_factory=dict)
    # Counter id -> the fields it serves today only (``CounterDayServiceRow``), already
    # at the end of its ``services``; the console tells them from the configured ones.
    day_services: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @functools.cached_property
    def _by_service(self) -> dict[str, list[CounterConfig]]:
        out: dict[str, list[CounterConfig]] = {}
        for c in self.counters.values():
            for code in c.services:
                out.setdefault(code, []).append(c)
        return out

    def counters_for(self, service: str) -> list[CounterConfig]:
        return self._by_service.get(service, [])

    def area_of_service(self, service: str) -> str | None:
        counters = self._by_service.get(service)
        return counters[0].area if counters else None


def bundle_from_rows(
    site: SiteRow,
    *,
    areas: list[AreaRow],
    departments: list[DepartmentRow],
    services: list[ServiceRow],
    counters: list[CounterRow],
    links: list[CounterServiceRow],
    day_services: Sequence[tuple[str, str]] = (),
) -> SiteBundle:
    """``day_services``: (counter, field) pairs served today only, added after the
    counter's own fields (a pair whose counter or field is gone is ignored)."""
    by_counter: dict[str, list[CounterServiceRow]] = {}
    for link in links:
        by_counter.setdefault(link.counter_id, []).append(link)
    services = sorted(services, key=lambda r: (r.position, r.code))
    configs = {
        c.id: counter_from_rows(c, by_counter.get(c.id, []))
        for c in sorted(counters, key=lambda r: (r.number, r.id))
    }
    codes = {s.code for s in services}
    extra: dict[str, tuple[str, ...]] = {}
    for counter_id, code in sorted(day_services):
        config = configs.get(counter_id)
        if config is None or code not in codes or code in config.services:
            continue
        configs[counter_id] = replace(config, services=(*config.services, code))
        extra[counter_id] = (*extra.get(counter_id, ()), code)
    return SiteBundle(
        site=site_from_row(site),
        version=site.config_version,
        areas={
            a.id: Area(a.id, a.name_vi, a.name_en)
            for a in sorted(areas, key=lambda r: (r.position, r.id))
        },
        departments={
            d.code: Department(d.code, d.name_vi, d.name_en)
            for d in sorted(departments, key=lambda r: (r.position, r.code))
        },
        services={s.code: service_from_row(s) for s in services},
        counters=configs,
        service_position={s.code: i for i, s in enumerate(services)},
        day_services=extra,
    )
