"""The bookings table's queries (``BookingRow``), inside the caller's transaction."""

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from server.contract.vocab import BookingStatus
from server.engine.appointments import window
from server.engine.model import SiteConfig
from server.storage.models import BookingRow, ServiceRow

BOOKED = BookingStatus.BOOKED.value
CHECKED_IN = BookingStatus.CHECKED_IN.value
B = BookingRow


def site_ids(session: Session) -> list[str]:
    """Sites with a field that offers slots."""
    stmt = select(ServiceRow.site_id).where(ServiceRow.booking.is_not(None)).distinct()
    return sorted(session.scalars(stmt))


def by_code(session: Session, code: str) -> BookingRow | None:
    return session.scalars(select(B).where(B.code == code)).one_or_none()


def by_token(session: Session, token: str) -> BookingRow | None:
    return session.scalars(select(B).where(B.token == token)).one_or_none()


def closed_before(site: SiteConfig, now: datetime) -> datetime:
    """A slot starting at or before this has its check-in window closed."""
    return now - timedelta(minutes=site.booking_late_min)


def effective_status(row: BookingRow, site: SiteConfig, now: datetime) -> BookingStatus:
    """The stored status, or ``lapsed`` for a booking whose window closed unused (the
    sweep writes it later; nothing may treat it as booked before)."""
    status = BookingStatus(row.status)
    if status is BookingStatus.BOOKED and now >= window(site, row.slot_start)[1]:
        return BookingStatus.LAPSED
    return status


def taken(
    session: Session, field: tuple[SiteConfig, str], starts: Sequence[datetime], now: datetime
) -> dict[datetime, int]:
    """Places used in each slot: bookings checked in, and booked ones whose window is still
    open (a lapsed booking's place went back)."""
    if not starts:
        return {}
    site, service = field
    site_id = site.id
    late = closed_before(site, now)
    stmt = (
        select(B.slot_start, func.count())
        .where(
            B.site_id == site_id,
            B.service == service,
            B.slot_start.in_(list(starts)),
            or_(B.status == CHECKED_IN, (B.status == BOOKED) & (B.slot_start > late)),
        )
        .group_by(B.slot_start)
    )
    return {row[0]: row[1] for row in session.execute(stmt)}


def lapse(session: Session, site_id: str, site: SiteConfig, now: datetime) -> int:
    """Mark the site's bookings whose window closed unused as lapsed; how many."""
    late = closed_before(site, now)
    stmt = (
        update(B)
        .where(B.site_id == site_id, B.status == BOOKED, B.slot_start <= late)
        .values(status=BookingStatus.LAPSED.value, changed_at=now)
    )
    return session.execute(stmt).rowcount  # type: ignore[attr-defined]


def open_for_citizen(session: Session, site_id: str, service: str, citizen: str) -> bool:
    """Whether the citizen holds a booking of this field not used yet (one at a time)."""
    stmt = select(func.count()).where(
        B.site_id == site_id, B.service == service, B.citizen_hash == citizen, B.status == BOOKED
    )
    return bool(session.scalar(stmt))


def for_citizen_now(
    session: Session, site_id: str, citizen: str, site: SiteConfig, now: datetime
) -> BookingRow | None:
    """The booking an ID card checks in now: one whose window is open, else the next one
    today (the engine then says when to come back), else the last one (it says why not)."""
    rows = list(
        session.scalars(
            select(B).where(B.site_id == site_id, B.citizen_hash == citizen).order_by(B.slot_start)
        )
    )
    live = [
        r
        for r in rows
        if effective_status(r, site, now) in (BookingStatus.BOOKED, BookingStatus.CHECKED_IN)
    ]
    for row in live:
        opens, closes = window(site, row.slot_start)
        if opens <= now < closes:
            return row
    today = [r for r in live if r.slot_start.date() == now.date() or r.slot_start > now]
    if today:
        return today[0]
    return rows[-1] if rows else None


def new_code(session: Session, digits: int) -> str:
    """A code no booking has (random digits; a clash, rare, draws again)."""
    while True:
        code = "".join(secrets.choice("0123456789") for _ in range(digits))
        if by_code(session, code) is None:
            return code
