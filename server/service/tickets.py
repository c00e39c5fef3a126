"""Issuing tickets and the citizen's view of one (API and tracking page)."""

import secrets
import uuid
from dataclasses import replace

from server.contract.http import TicketIn, TicketOut
from server.contract.vocab import DeviceKind, TicketStatus
from server.engine.estimate import WaitEstimate, estimate_wait_s, shape_estimate
from server.engine.issuing import issue
from server.engine.model import Ticket
from server.projection.site_state import QUEUE_LENGTH
from server.projection.snapshots import NEXT_UP, SiteView
from server.service import errors
from server.service.context import Actor, Ctx, Result
from server.service.core import ServiceCore
from server.service.estimates import WaitEstimates, open_day_counters
from server.storage.mapping import SiteBundle, ticket_from_row
from server.storage.records import StoredTicket
from server.storage.repository import Repository


def new_id() -> str:
    return uuid.uuid4().hex


class Tickets:
    """Issuing tickets, and a ticket as its citizen sees it (API and tracking page)."""

    def __init__(self, core: ServiceCore, public_url: str = "http://127.0.0.1:8080") -> None:
        self.core = core
        self.public_url = public_url.rstrip("/")
        self.estimates = WaitEstimates()

    def issue(
        self, site_id: str, body: TicketIn, actor: Actor, key: str | None, request_hash: str
    ) -> Result:
        """Give a number: a kiosk of this site, or staff issuing at a counter."""
        is_kiosk = actor.kind == "device" and actor.role == DeviceKind.KIOSK.value
        if not (is_kiosk or actor.is_user) or not actor.may_use_site(site_id):
            raise errors.forbidden("lấy số tại điểm này", "issue tickets at this site")

        # The ticket an issue made, handed to the estimates once it has committed.
        made: list[tuple[Ticket, int]] = []

        def apply(ctx: Ctx) -> tuple[int, TicketOut]:
            service = ctx.bundle.services.get(body.service)
            if service is None:
                raise errors.unknown_service(body.service)
            repo, site_id = ctx.repo, ctx.site.id
            issued, ahead, normal_line, counters_open = repo.issue_counts(
                site_id, ctx.day, service.code, bool(body.priority)
            )
            counters_open += open_day_counters(repo, ctx.bundle, site_id, service.code)
            citizen = (
                repo.citizen_tickets(site_id, ctx.day, body.citizen_key) if body.citizen_key else []
            )
            ticket, event = issue(
                ctx.bundle.site,
                service,
                ticket_id=new_id(),
                seq=issued + 1,
                now=ctx.now,
                issued_today=issued,
                priority=body.priority,
                language=body.language,
                citizen_key=body.citizen_key,
                citizen_tickets_today=citizen,
                estimate_s=None,
                actor=actor.name,
            )
            # The wait announced at issue is part of the issued event, so its accuracy
            # can be measured later against the actual wait.
            if ctx.bundle.site.wait_estimator == QUEUE_LENGTH:  # from counts: no line read
                point = estimate_wait_s(
                    ahead,
                    repo.service_times_of(site_id, ctx.day, service.code),
                    counters_open,
                    service.default_service_s,
                )
                wait = shape_estimate(
                    point, ahead, counters_open=counters_open > 0, site=ctx.bundle.site, now=ctx.now
                )
            else:
                wait = self.estimates.estimate(
                    repo,
                    ctx.bundle,
                    ticket,
                    day=ctx.day,
                    now=ctx.now,
                    seq=ctx.site.seq,
                    locked=True,
                )
            ticket = replace(ticket, estimate_s=wait.wait_s)
            event = replace(event, data={**event.data, "estimate_s": wait.wait_s})
            # Every policy takes a line in order, so a ticket behind NEXT_UP others of its
            # own line is in no counter's next tickets and changes no longest wait.
            in_line = normal_line if not body.priority else ahead
            repo.take_number(site_id, ctx.day, service.code)
            row = repo.insert_ticket(ticket, track_token=secrets.token_urlsafe(18))
            repo.append_events(site_id, [event])
            if in_line >= NEXT_UP:
                ctx.effects.touch_counts(ctx.bundle, service.code)
            else:
                ctx.effects.touch_service(ctx.bundle, service.code)
            if ctx.bundle.site.wait_estimator != QUEUE_LENGTH and ctx.effects.changed:
                made.append((ticket, ctx.site.seq + 1))  # the command bumps the number
            return 201, self.ticket_out(ctx.bundle, row, ahead=ahead, wait=wait)

        result = self.core.command(site_id, actor, key, request_hash, apply)
        if made and not result.replayed:
            ticket, seq = made[-1]
            self.estimates.issued(site_id, ticket, seq=seq)
        return result

    def track_url(self, row: StoredTicket) -> str:
        return f"{self.public_url}/t/{row.track_token}" if row.track_token else ""

    def ticket_view(
        self, view: SiteView, row: StoredTicket, *, ahead: int | None = None
    ) -> TicketOut:
        """A ticket with its live place in line and wait, reckoned as at issue.

        Citizens' phones ask again and again (the tracking page), so the database counts the
        people ahead (the engine's rule, ``Repository.count_ahead_of``) instead of the
        line being read, however long it is. ``ahead``: already counted by the caller
        (the live tracking pages count a whole site's tickets from one read of its line)."""
        wait = None
        if row.status != TicketStatus.WAITING.value:
            ahead = 0
        else:
            repo, site, service = view.repo, row.site_id, row.service
            if ahead is None:
                ahead = repo.count_ahead_of(row)
            if view.bundle.site.wait_estimator == QUEUE_LENGTH:  # from counts: no line read
                open_now = repo.count_open_for(site, service)
                open_now += open_day_counters(repo, view.bundle, site, service)
                point = estimate_wait_s(
                    ahead,
                    repo.service_times_of(site, row.business_day, service),
                    open_now,
                    view.bundle.services[service].default_service_s,
                )
                wait = shape_estimate(
                    point, ahead, counters_open=open_now > 0, site=view.bundle.site, now=view.now
                )
            else:
                wait = self.estimates.estimate(
                    repo,
                    view.bundle,
                    ticket_from_row(row),
                    day=view.day,
                    now=view.now,
                    seq=view.seq,
                )
        return self.ticket_out(view.bundle, row, ahead=ahead, wait=wait)

    def ticket_out(
        self, bundle: SiteBundle, row: StoredTicket, *, ahead: int, wait: WaitEstimate | None
    ) -> TicketOut:
        service = bundle.services[row.service]
        department = bundle.departments[service.department]
        counter = bundle.counters.get(row.counter_id) if row.counter_id else None
        return TicketOut(
            id=row.id,
            site=row.site_id,
            number=row.number,
            service=row.service,
            service_name_vi=service.name_vi,
            service_name_en=service.name_en,
            department=department.code,
            department_name_vi=department.name_vi,
            department_name_en=department.name_en,
            priority=row.priority,
            language="en" if row.language == "en" else "vi",
            people_ahead=ahead,
            estimated_wait_s=wait.wait_s if wait else 0,
            estimated_wait_low_s=wait.low_s if wait else None,
            estimated_wait_high_s=wait.high_s if wait else None,
            counters_open=wait.counters_open if wait else True,
            first_call_after=wait.opens_at if wait else None,
            issued_at=row.issued_at,
            status=TicketStatus(row.status),
            track_url=self.track_url(row),
            area=bundle.area_of_service(row.service),
            counters=[c.number for c in bundle.counters_for(row.service)],
            counter_number=counter.number if counter else None,
            called_at=row.called_at,
            call_count=row.call_count,
        )

    def get(self, site_id: str, ticket_id: str) -> TicketOut:
        with self.core.reading(site_id) as view:
            row = view.repo.ticket_row(ticket_id)
            if row is None or row.site_id != site_id:
                raise errors.unknown_ticket(ticket_id)
            return self.ticket_view(view, row)

    def track(self, token: str) -> TicketOut | None:
        """The ticket behind a tracking link, or None for an unknown link (one read:
        every waiting citizen's phone asks again and again)."""
        with self.core.db.read() as session:
            repo = Repository(session)
            row = repo.ticket_by_track_token(token)
            if row is None:
                return None
            return self.ticket_view(self.core.view_in(repo, row.site_id), row)
