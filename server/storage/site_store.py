"""A site's configuration rows as one ``SiteDefinition``, read whole and written whole.

Writing replaces the configuration: what the definition no longer lists is removed
(a counter's live state and the tickets stay), and the site's ``config_version`` goes
up so every process reloads it and the projector republishes.
"""

import dataclasses
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.engine.model import Area, Department
from server.security.hashing import new_token, token_hash
from server.siteconfig.definition import Display, SiteDefinition
from server.storage.mapping import (
    counter_from_rows,
    format_to_json,
    hours_to_json,
    service_from_row,
    site_from_row,
    site_settings_to_json,
)
from server.storage.models import (
    AreaRow,
    CounterRow,
    CounterServiceRow,
    DepartmentRow,
    DeviceRow,
    ServiceRow,
    SiteRow,
)


def read_definition(session: Session, site_id: str) -> SiteDefinition | None:
    row = session.get(SiteRow, site_id)
    if row is None:
        return None

    def of_site(model: Any) -> list[Any]:
        return list(session.scalars(select(model).where(model.site_id == site_id)))

    areas = sorted(of_site(AreaRow), key=lambda r: (r.position, r.id))
    links: dict[str, list[CounterServiceRow]] = {}
    for link in of_site(CounterServiceRow):
        links.setdefault(link.counter_id, []).append(link)
    area_order = {a.id: i for i, a in enumerate(areas)}
    displays = sorted(
        (d for d in of_site(DeviceRow) if d.kind == "display" and d.area is not None),
        key=lambda d: (area_order.get(d.area, len(areas)), d.id),
    )
    return SiteDefinition(
        site=site_from_row(row),
        areas=tuple(Area(a.id, a.name_vi, a.name_en) for a in areas),
        departments=tuple(
            Department(d.code, d.name_vi, d.name_en)
            for d in sorted(of_site(DepartmentRow), key=lambda r: (r.position, r.code))
        ),
        services=tuple(
            service_from_row(s)
            for s in sorted(of_site(ServiceRow), key=lambda r: (r.position, r.code))
        ),
        counters=tuple(
            counter_from_rows(c, links.get(c.id, []))
            for c in sorted(of_site(CounterRow), key=lambda r: (r.number, r.id))
        ),
        displays=tuple(Display(d.id, d.area, d.name) for d in displays),
    )


def write_definition(session: Session, definition: SiteDefinition, *, now: datetime) -> int:
    """Make the rows say ``definition``; returns the site's new config version."""
    site = definition.site
    row = session.get(SiteRow, site.id)
    if row is None:
        row = SiteRow(id=site.id, seq=0, config_version=0)
        session.add(row)
    row.name, row.name_en, row.time_zone = site.name, site.name_en, site.time_zone
    row.settings = site_settings_to_json(site)
    row.config_version = (row.config_version or 0) + 1
    # Snapshots built after this carry a new sequence number, so no client drops them.
    row.seq = (row.seq or 0) + 1
    session.flush()

    # Links first (they point at counters and services), then what nothing lists any more.
    session.execute(delete(CounterServiceRow).where(CounterServiceRow.site_id == site.id))
    counters = {c.id for c in definition.counters}
    services = {s.code for s in definition.services}
    departments = {d.code for d in definition.departments}
    areas = {a.id for a in definition.areas}
    for model, key, keep in (
        (CounterRow, CounterRow.id, counters),
        (ServiceRow, ServiceRow.code, services),
        (DepartmentRow, DepartmentRow.code, departments),
        (AreaRow, AreaRow.id, areas),
    ):
        session.execute(delete(model).where(model.site_id == site.id, key.not_in(keep)))
    session.flush()

    for i, area in enumerate(definition.areas):
        a = session.get(AreaRow, (site.id, area.id)) or AreaRow(site_id=site.id, id=area.id)
        a.name_vi, a.name_en, a.position = area.name_vi, area.name_en, i
        session.add(a)
    for i, dept in enumerate(definition.departments):
        d = session.get(DepartmentRow, (site.id, dept.code)) or DepartmentRow(
            site_id=site.id, code=dept.code
        )
        d.name_vi, d.name_en, d.position = dept.name_vi, dept.name_en, i
        session.add(d)
    session.flush()
    for i, svc in enumerate(definition.services):
        s = session.get(ServiceRow, (site.id, svc.code)) or ServiceRow(
            site_id=site.id, code=svc.code
        )
        s.department, s.name_vi, s.name_en = svc.department, svc.name_vi, svc.name_en
        s.number_format = format_to_json(svc.number_format)
        s.daily_quota = svc.daily_quota
        s.hours = hours_to_json(svc.hours) if svc.hours is not None else None
        s.default_service_s, s.enabled, s.position = svc.default_service_s, svc.enabled, i
        s.keywords = list(svc.keywords) or None
        s.wait_target_s, s.citizen_day_limit = svc.wait_target_s, svc.citizen_day_limit
        s.booking = dataclasses.asdict(svc.booking) if svc.booking is not None else None
        session.add(s)
    session.flush()
    for counter in definition.counters:
        c = session.get(CounterRow, (site.id, counter.id))
        if c is None:
            c = CounterRow(site_id=site.id, id=counter.id, state="closed", priority_streak=0)
        c.number, c.name, c.area = counter.number, counter.name, counter.area
        c.priority_counter, c.led_address = counter.priority_counter, counter.led_address
        session.add(c)
    session.flush()
    for counter in definition.counters:
        for pos, code in enumerate(counter.services):
            session.add(
                CounterServiceRow(
                    site_id=site.id,
                    counter_id=counter.id,
                    service=code,
                    position=pos,
                    weight=counter.weights.get(code),
                )
            )
    _write_displays(session, definition, now=now)
    session.flush()
    return row.config_version


def _write_displays(session: Session, definition: SiteDefinition, *, now: datetime) -> None:
    """Listed boards show their area; a new one gets a token nobody knows yet (an admin
    enrols it from the console); a board no longer listed keeps its device, without area."""
    site_id = definition.site.id
    listed = {d.id: d for d in definition.displays}
    for dev in session.scalars(
        select(DeviceRow).where(DeviceRow.site_id == site_id, DeviceRow.kind == "display")
    ):
        if dev.id not in listed:
            dev.area = None
    for display in definition.displays:
        found = session.get(DeviceRow, display.id)
        if found is not None:
            dev = found
        else:
            dev = DeviceRow(
                id=display.id,
                site_id=site_id,
                kind="display",
                created_at=now,
                active=True,
                token_hash=token_hash(new_token()),
            )
            session.add(dev)
        dev.site_id, dev.kind, dev.name, dev.area = site_id, "display", display.name, display.area
