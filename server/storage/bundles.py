"""Site configurations (areas, departments, services, counters), cached per process.

Commands and snapshots read a site's configuration on every request; it changes
only when ``config_version`` moves, so one cache serves every thread.
"""

import threading

from sqlalchemy import select
from sqlalchemy.orm import Session

from server.storage.mapping import SiteBundle, bundle_from_rows
from server.storage.models import (
    AreaRow,
    CounterDayServiceRow,
    CounterRow,
    CounterServiceRow,
    DepartmentRow,
    ServiceRow,
    SiteRow,
)


class BundleCache:
    """Site configurations by ``config_version``, shared by the threads of a process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._bundles: dict[str, SiteBundle] = {}

    def get(self, session: Session, site: SiteRow) -> SiteBundle:
        cached = self._bundles.get(site.id)
        if cached is not None and cached.version == site.config_version:
            return cached
        bundle = load_bundle(session, site)
        with self._lock:
            self._bundles[site.id] = bundle
        return bundle

    def cached(self, site_id: str, version: int) -> SiteBundle | None:
        """The cached configuration of a site if it is still at ``version``."""
        cached = self._bundles.get(site_id)
        return cached if cached is not None and cached.version == version else None

    def clear(self) -> None:
        with self._lock:
            self._bundles.clear()


def load_bundle(session: Session, site: SiteRow) -> SiteBundle:
    """The configuration with the fields counters serve on the site's current day
    (``current_day``: a new day moves it and bumps ``config_version`` when a counter
    served extra fields, so every process drops them together)."""
    sid = site.id
    day = session.execute(
        select(CounterDayServiceRow.counter_id, CounterDayServiceRow.service).where(
            CounterDayServiceRow.site_id == sid,
            CounterDayServiceRow.business_day == site.current_day,
        )
    ).all()
    return bundle_from_rows(
        site,
        areas=list(session.scalars(select(AreaRow).where(AreaRow.site_id == sid))),
        departments=list(
            session.scalars(select(DepartmentRow).where(DepartmentRow.site_id == sid))
        ),
        services=list(session.scalars(select(ServiceRow).where(ServiceRow.site_id == sid))),
        counters=list(session.scalars(select(CounterRow).where(CounterRow.site_id == sid))),
        links=list(
            session.scalars(select(CounterServiceRow).where(CounterServiceRow.site_id == sid))
        ),
        day_services=[(row[0], row[1]) for row in day],
    )
