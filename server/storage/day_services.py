"""The fields a counter serves on one business day only, beside its configured ones.

Rows of ``counter_day_services``; ``load_bundle`` adds the current day's to the site's
configuration. Every change bumps ``config_version``, so each process (and the snapshot
process) reloads the configuration as after an edit of the site.
"""

from datetime import date, datetime

from sqlalchemy import delete, exists, select, update
from sqlalchemy.orm import Session

from server.storage.models import CounterDayServiceRow, SiteRow

R = CounterDayServiceRow


def of_counter(session: Session, site_id: str, day: date, counter_id: str) -> list[str]:
    rows = session.scalars(
        select(R.service)
        .where(R.site_id == site_id, R.business_day == day, R.counter_id == counter_id)
        .order_by(R.service)
    )
    return list(rows)


def replace_for_counter(
    session: Session,
    *,
    site_id: str,
    day: date,
    counter_id: str,
    services: list[str],
    by: str,
    at: datetime,
) -> None:
    """The counter's extra fields of ``day`` become exactly ``services``."""
    session.execute(
        delete(R).where(R.site_id == site_id, R.business_day == day, R.counter_id == counter_id)
    )
    for code in dict.fromkeys(services):
        session.add(
            R(
                site_id=site_id,
                business_day=day,
                counter_id=counter_id,
                service=code,
                set_by=by,
                at=at,
            )
        )
    session.flush()


def any_on(session: Session, site_id: str, day: date | None) -> bool:
    if day is None:
        return False
    query = select(exists().where(R.site_id == site_id, R.business_day == day))
    return bool(session.scalar(query))


def bump_config_version(session: Session, site_id: str) -> None:
    """Every process reloads the site's configuration (``BundleCache``)."""
    session.execute(
        update(SiteRow)
        .where(SiteRow.id == site_id)
        .values(config_version=SiteRow.config_version + 1)
        .execution_options(synchronize_session=False)
    )
