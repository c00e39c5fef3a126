"""A citizen's visit, read from the tickets: the statement behind every figure.

A transfer closes a ticket and opens a new one for the same citizen (same number,
``transferred_from`` pointing back). Reports count the *visit*: the first ticket and
the chain its transfers opened, found with a recursive query. A visit's wait is the
time the citizen spent waiting in the hall, summed over its legs (each leg from its
issue, or its transfer, to its first call); its outcome, counter and clerk are those of
its last leg; its channel (walk-in or appointment) is its first ticket's; its wait
target is its first field's (``services.wait_target_s``) as it
stood when the day was rolled up. The definitions are written out in docs/reports.md.

Closed days are rolled up once into ``report_visits`` (``roll_up``); the current day is
read live with the same statement (``visits_select``).
"""

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, case, delete, exists, func, insert, literal, select
from sqlalchemy.orm import Session

from server.contract.vocab import Outcome, TicketStatus
from server.reports.sql import local_hour, seconds_between, weekday_of
from server.storage.models import (
    RatingRow,
    ReportDayRow,
    ReportVisitRow,
    ServiceRow,
    SiteRow,
    TicketEventRow,
    TicketRow,
)

VISIT_COLUMNS = (
    "ticket_id",
    "site_id",
    "business_day",
    "service",
    "priority",
    "hour",
    "weekday",
    "counter_id",
    "clerk",
    "outcome",
    "legs",
    "parked",
    "wait_s",
    "first_wait_s",
    "estimate_s",
    "service_s",
    "rating",
    "wait_target_s",
    "channel",
)
# A visit whose last leg is still open (waiting, called, serving, parked) when the day
# is read: counted with the expired ones once its day is closed.
OPEN = "open"


def visits_select(site_ids: Sequence[str], days: Iterable[date], *, closed: bool) -> Select[Any]:
    """One row per visit (``VISIT_COLUMNS``) of these sites on these business days.
    ``closed``: the days are over, so a visit still open counts as expired."""
    tickets = TicketRow.__table__
    root = tickets.alias("root")
    day_list = list(days)
    day_filter = root.c.business_day.in_(day_list)
    seed = select(
        root.c.id.label("leg_id"),
        root.c.id.label("root_id"),
        root.c.site_id.label("site_id"),
        root.c.business_day.label("business_day"),
        literal(0).label("depth"),
    ).where(root.c.site_id.in_(list(site_ids)), day_filter, root.c.transferred_from.is_(None))
    chain = seed.cte("chain", recursive=True)
    nxt = tickets.alias("nxt")
    chain = chain.union_all(
        select(
            nxt.c.id,
            chain.c.root_id,
            chain.c.site_id,
            chain.c.business_day,
            chain.c.depth + 1,
        ).where(
            # The same site and day as the leg before; said of the table too, so the
            # planner reads only those days' tickets rather than every transfer ever.
            nxt.c.site_id.in_(list(site_ids)),
            nxt.c.business_day.in_(day_list),
            nxt.c.site_id == chain.c.site_id,
            nxt.c.business_day == chain.c.business_day,
            nxt.c.transferred_from == chain.c.leg_id,
        )
    )
    leg = tickets.alias("leg")
    first = tickets.alias("first")
    site = SiteRow.__table__
    field = ServiceRow.__table__
    is_last = leg.c.status != TicketStatus.TRANSFERRED.value
    leg_wait = seconds_between(leg.c.issued_at, leg.c.called_at)
    # The leg's last rating, found by the ratings' index on the ticket.
    rating = (
        select(RatingRow.rating)
        .where(RatingRow.ticket_id == leg.c.id)
        .order_by(RatingRow.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    parked = exists().where(TicketEventRow.ticket_id == leg.c.id, TicketEventRow.kind == "parked")
    outcome = func.coalesce(
        func.max(case((is_last, leg.c.outcome))),
        Outcome.EXPIRED.value if closed else OPEN,
    )
    service_s = func.max(
        case(
            (
                and_(is_last, leg.c.outcome == Outcome.SERVED.value),
                seconds_between(
                    func.coalesce(leg.c.started_at, leg.c.called_at), leg.c.finished_at
                ),
            )
        )
    )
    return (
        select(
            first.c.id.label("ticket_id"),
            first.c.site_id.label("site_id"),
            first.c.business_day.label("business_day"),
            first.c.service.label("service"),
            first.c.priority.label("priority"),
            local_hour(first.c.issued_at, site.c.time_zone).label("hour"),
            weekday_of(first.c.business_day).label("weekday"),
            func.max(case((is_last, leg.c.counter_id))).label("counter_id"),
            func.max(case((is_last, leg.c.clerk))).label("clerk"),
            outcome.label("outcome"),
            func.count().label("legs"),
            func.max(case((parked, 1), else_=0)).label("parked"),
            func.sum(leg_wait).label("wait_s"),
            func.max(case((leg.c.id == first.c.id, leg_wait))).label("first_wait_s"),
            first.c.estimate_s.label("estimate_s"),
            service_s.label("service_s"),
            func.max(rating).label("rating"),
            field.c.wait_target_s.label("wait_target_s"),
            first.c.channel.label("channel"),
        )
        .select_from(chain)
        .join(leg, leg.c.id == chain.c.leg_id)
        .join(first, first.c.id == chain.c.root_id)
        .join(site, site.c.id == first.c.site_id)
        .outerjoin(field, and_(field.c.site_id == first.c.site_id, field.c.code == first.c.service))
        .group_by(
            first.c.id,
            first.c.site_id,
            first.c.business_day,
            first.c.service,
            first.c.priority,
            first.c.issued_at,
            first.c.estimate_s,
            site.c.time_zone,
            field.c.wait_target_s,
            first.c.channel,
        )
    )


def unrolled_days(session: Session, closed: dict[str, tuple[date, date]]) -> dict[str, list[date]]:
    """For each site, the closed days of its range (``first``, ``last``) not rolled up yet,
    from its first ticket on. Every rolled-up day is marked, also one without tickets,
    so a complete range is seen with one count per site."""
    ranges = {site: r for site, r in closed.items() if r[0] <= r[1]}
    if not ranges:
        return {}
    low = min(r[0] for r in ranges.values())
    high = max(r[1] for r in ranges.values())
    counts = dict(
        session.execute(
            select(ReportDayRow.site_id, func.count())
            .where(
                ReportDayRow.site_id.in_(list(ranges)),
                ReportDayRow.business_day.between(low, high),
            )
            .group_by(ReportDayRow.site_id)
        ).all()
    )
    short = [
        site
        for site, (first, last) in ranges.items()
        if counts.get(site, 0) != (last - first).days + 1
    ]
    if not short:
        return {}
    # Each short site's first ticket day, in one statement (an index lookup per site):
    # a range that starts before it is complete from that day on.
    t = TicketRow.__table__
    first_day = (
        select(func.min(t.c.business_day)).where(t.c.site_id == SiteRow.id).scalar_subquery()
    )
    since_of: dict[str, date | None] = dict(
        session.execute(select(SiteRow.id, first_day).where(SiteRow.id.in_(short))).all()
    )
    missing: dict[str, list[date]] = {}
    for site_id in short:
        first, last = ranges[site_id]
        since = since_of.get(site_id)
        if since is None or since > last:
            continue
        start = max(first, since)
        if (first, last) == (low, high) and counts.get(site_id, 0) == (last - start).days + 1:
            continue  # every day from the first ticket on is rolled up
        rolled = set(
            session.scalars(
                select(ReportDayRow.business_day).where(
                    ReportDayRow.site_id == site_id,
                    ReportDayRow.business_day.between(first, last),
                )
            )
        )
        days = [start + timedelta(days=n) for n in range((last - start).days + 1)]
        todo = [d for d in days if d not in rolled]
        if todo:
            missing[site_id] = todo
    return missing


def roll_up(session: Session, missing: dict[str, list[date]], now: datetime) -> int:
    """Write the visits of these closed days into ``report_visits`` (one statement per
    site), and mark the days done. Returns how many visits were written."""
    written = 0
    for site_id, days in missing.items():
        session.execute(
            delete(ReportVisitRow).where(
                ReportVisitRow.site_id == site_id, ReportVisitRow.business_day.in_(days)
            )
        )
        source = visits_select([site_id], days, closed=True)
        session.execute(insert(ReportVisitRow).from_select(list(VISIT_COLUMNS), source))
        counts = session.execute(
            select(ReportVisitRow.business_day, func.count())
            .where(ReportVisitRow.site_id == site_id, ReportVisitRow.business_day.in_(days))
            .group_by(ReportVisitRow.business_day)
        ).all()
        per_day = {day: int(n) for day, n in counts}
        written += sum(per_day.values())
        session.execute(
            insert(ReportDayRow),
            [
                {
                    "site_id": site_id,
                    "business_day": d,
                    "visits": per_day.get(d, 0),
                    "rolled_at": now,
                }
                for d in days
            ],
        )
    return written


__all__ = ["OPEN", "VISIT_COLUMNS", "roll_up", "unrolled_days", "visits_select"]
