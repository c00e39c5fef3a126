"""Read-only use-cases: the kiosk menu, the queue, the counters, a clerk's day."""

from datetime import date

from sqlalchemy import func, select

from server.contract.http import (
    ClerkDayOut,
    CounterOut,
    CountersOut,
    DepartmentOut,
    MenuOut,
    PriorityCategory,
    QueueOut,
    QueueServiceOut,
    ServiceOut,
)
from server.contract.vocab import Outcome, Rating, Role, TicketStatus
from server.engine.estimate import accuracy
from server.projection.snapshots import CLOSED_MESSAGES, brief, wait_fields
from server.service import errors
from server.service.context import Actor
from server.service.core import ServiceCore
from server.storage.models import RatingRow, TicketRow

RATING_SCORE = {
    Rating.VERY_SATISFIED.value: 4,
    Rating.SATISFIED.value: 3,
    Rating.NEUTRAL.value: 2,
    Rating.UNSATISFIED.value: 1,
}
STAFF_READERS = {Role.CLERK.value, Role.SUPERVISOR.value, Role.ADMIN.value}


def require_staff(actor: Actor, site_id: str) -> None:
    if not actor.is_user or actor.role not in STAFF_READERS:
        raise errors.forbidden("xem hàng chờ", "read the queue")
    if not actor.may_use_site(site_id):
        raise errors.forbidden("xem điểm này", "read this site")


class Reads:
    """What the kiosks' menus and the staff's screens ask for, outside any command."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core

    def menu(self, site_id: str) -> MenuOut:
        with self.core.reading(site_id) as view:
            bundle = view.bundle
            departments = []
            for dept in bundle.departments.values():
                services = []
                for code, config in bundle.services.items():
                    if config.department != dept.code:
                        continue
                    load = view.load(code)
                    vi, en = CLOSED_MESSAGES[load.closed] if load.closed else (None, None)
                    services.append(
                        ServiceOut(
                            code=code,
                            department=dept.code,
                            name_vi=config.name_vi,
                            name_en=config.name_en,
                            open=load.closed is None,
                            closed_reason=load.closed.value if load.closed else None,
                            closed_message_vi=vi,
                            closed_message_en=en,
                            waiting=load.waiting,
                            estimated_wait_s=load.estimate_s,
                            counters=load.counters,
                            area=bundle.area_of_service(code),
                            keywords=list(config.keywords),
                            **wait_fields(load.wait),
                        )
                    )
                if services:
                    departments.append(
                        DepartmentOut(
                            code=dept.code,
                            name_vi=dept.name_vi,
                            name_en=dept.name_en,
                            services=services,
                        )
                    )
            site = bundle.site
            return MenuOut(
                site=site.id,
                site_name=site.name,
                site_name_en=site.name_en,
                time_zone=site.time_zone,
                business_day=view.day.isoformat(),
                priority_categories=[
                    PriorityCategory(code=p.code, name_vi=p.name_vi, name_en=p.name_en)
                    for p in site.priority_categories
                ],
                departments=departments,
            )

    def queue(self, site_id: str, actor: Actor) -> QueueOut:
        require_staff(actor, site_id)
        with self.core.reading(site_id) as view:
            rows = view.repo.tickets(
                site_id,
                view.day,
                [TicketStatus.WAITING.value, TicketStatus.PARKED.value],
            )
            out = []
            for code, config in view.bundle.services.items():
                mine = [r for r in rows if r.service == code]
                out.append(
                    QueueServiceOut(
                        code=code,
                        name_vi=config.name_vi,
                        name_en=config.name_en,
                        waiting=[
                            brief(r, view.now)
                            for r in mine
                            if r.status == TicketStatus.WAITING.value
                        ],
                        parked=[
                            brief(r, view.now)
                            for r in mine
                            if r.status == TicketStatus.PARKED.value
                        ],
                    )
                )
            return QueueOut(site=site_id, business_day=view.day.isoformat(), services=out)

    def counters(self, site_id: str) -> CountersOut:
        with self.core.reading(site_id) as view:
            out = []
            for counter_id in view.bundle.counters:
                row = view.counter_rows[counter_id]
                current = view.at_counters.get(counter_id)
                out.append(
                    CounterOut(
                        counter=view.view_of(counter_id),
                        clerk=row.clerk,
                        current=brief(current, view.now) if current else None,
                    )
                )
            return CountersOut(
                site=site_id,
                counters=out,
                transfer_keeps_place=view.bundle.site.transfer_keeps_place,
            )

    def estimate_accuracy(self, site_id: str, day: date | None = None) -> dict[str, float]:
        """How good today's announced waits were: the estimate stored at issue against
        the wait until the first call (the engine's ``accuracy`` figures)."""
        with self.core.reading(site_id) as view:
            rows = view.repo.s.execute(
                select(TicketRow.estimate_s, TicketRow.issued_at, TicketRow.called_at).where(
                    TicketRow.site_id == site_id,
                    TicketRow.business_day == (day or view.day),
                    TicketRow.estimate_s.is_not(None),
                    TicketRow.called_at.is_not(None),
                    TicketRow.transferred_from.is_(None),
                )
            ).all()
        pairs = [
            (int(est), int((called - issued).total_seconds()))
            for est, issued, called in rows
            if est is not None and called is not None
        ]
        return accuracy(pairs)

    def clerk_day(self, site_id: str, counter_id: str, actor: Actor) -> ClerkDayOut:
        """Today's numbers of the logged-in clerk (all counters they sat at)."""
        require_staff(actor, site_id)
        with self.core.reading(site_id) as view:
            if counter_id not in view.bundle.counters:
                raise errors.unknown_counter(counter_id)
            session = view.repo.s
            rows = session.execute(
                select(TicketRow.outcome, TicketRow.started_at, TicketRow.finished_at).where(
                    TicketRow.site_id == site_id,
                    TicketRow.business_day == view.day,
                    TicketRow.clerk == actor.name,
                    TicketRow.outcome.is_not(None),
                )
            ).all()
            served = [r for r in rows if r.outcome == Outcome.SERVED.value]
            durations = [
                (r.finished_at - r.started_at).total_seconds()
                for r in served
                if r.started_at is not None and r.finished_at is not None
            ]
            ratings = session.execute(
                select(RatingRow.rating, func.count())
                .where(
                    RatingRow.site_id == site_id,
                    RatingRow.business_day == view.day,
                    RatingRow.clerk == actor.name,
                )
                .group_by(RatingRow.rating)
            ).all()
            n_ratings = sum(n for _, n in ratings)
            score = sum(RATING_SCORE[r] * n for r, n in ratings)
            return ClerkDayOut(
                site=site_id,
                counter=counter_id,
                clerk=actor.name,
                business_day=view.day.isoformat(),
                served=len(served),
                no_shows=sum(1 for r in rows if r.outcome == Outcome.NO_SHOW.value),
                transferred=sum(1 for r in rows if r.outcome == Outcome.TRANSFERRED.value),
                average_service_s=round(sum(durations) / len(durations)) if durations else None,
                average_rating=round(score / n_ratings, 2) if n_ratings else None,
                ratings=n_ratings,
            )
