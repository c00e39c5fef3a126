"""What a supervisor does to the hall from afar: a counter's state, the fields a counter
serves today, a waiting ticket moved to another line.

Each is one command (``ServiceCore.command``: idempotent, the site locked) with its audit
row in the same transaction, so a retried request neither repeats the change nor its
record. A counter's state goes through the clerks' own path (``Counters.act``).
"""

from server.contract.http import (
    CounterStateIn,
    DayServicesIn,
    DayServicesOut,
    MoveIn,
    MoveOut,
)
from server.contract.vocab import CounterState, Role
from server.engine import lifecycle
from server.projection.snapshots import brief
from server.service import errors
from server.service.context import Actor, Ctx, Result
from server.service.core import ServiceCore
from server.service.counters import Counters
from server.storage import audit, day_services
from server.storage.mapping import ticket_from_row
from server.storage.models import TicketRow

SUPERVISORS = frozenset({Role.SUPERVISOR.value, Role.ADMIN.value})
# A counter state -> the counter action that sets it.
STATE_ACTIONS = {
    CounterState.OPEN: "resume",
    CounterState.PAUSED: "pause",
    CounterState.CLOSED: "close",
}


def require_supervisor(actor: Actor, site_id: str) -> None:
    if not actor.is_user or actor.role not in SUPERVISORS:
        raise errors.forbidden("điều hành điểm tiếp nhận", "supervise the site")
    if not actor.may_use_site(site_id):
        raise errors.forbidden("thao tác tại điểm này", "act at this site")


class Supervision:
    """A supervisor's commands; each audited as theirs."""

    def __init__(self, core: ServiceCore, counters: Counters) -> None:
        self.core = core
        self.counters = counters

    def set_counter_state(
        self,
        site_id: str,
        counter_id: str,
        body: CounterStateIn,
        actor: Actor,
        *,
        key: str | None,
        request_hash: str,
    ) -> Result:
        """Open, pause or close a counter: the clerks' action, with the clerk kept."""
        require_supervisor(actor, site_id)
        return self.counters.act(
            site_id,
            counter_id,
            STATE_ACTIONS[body.state],
            actor,
            key=key,
            request_hash=request_hash,
            supervise=True,
        )

    def day_services(self, site_id: str, counter_id: str, actor: Actor) -> DayServicesOut:
        """A counter's configured fields and those it serves today only."""
        require_supervisor(actor, site_id)
        with self.core.reading(site_id) as view:
            config = view.bundle.counters.get(counter_id)
            if config is None:
                raise errors.unknown_counter(counter_id)
            today = view.bundle.day_services.get(counter_id, ())
            return DayServicesOut(
                site=site_id,
                counter=counter_id,
                business_day=view.day.isoformat(),
                configured=[c for c in config.services if c not in today],
                today=list(today),
            )

    def set_day_services(
        self,
        site_id: str,
        counter_id: str,
        body: DayServicesIn,
        actor: Actor,
        *,
        key: str | None,
        request_hash: str,
    ) -> Result:
        """The counter serves these fields too until the business day ends; its own
        configured fields are left out of the list (they need no override)."""
        require_supervisor(actor, site_id)

        def apply(ctx: Ctx) -> tuple[int, DayServicesOut]:
            config = ctx.bundle.counters.get(counter_id)
            if config is None:
                raise errors.unknown_counter(counter_id)
            for code in body.services:
                if code not in ctx.bundle.services:
                    raise errors.unknown_service(code)
            before = list(ctx.bundle.day_services.get(counter_id, ()))
            configured = [c for c in config.services if c not in before]
            wanted = [c for c in dict.fromkeys(body.services) if c not in configured]
            session = ctx.repo.s
            if wanted != before:
                day_services.replace_for_counter(
                    session,
                    site_id=ctx.site.id,
                    day=ctx.day,
                    counter_id=counter_id,
                    services=wanted,
                    by=actor.name,
                    at=ctx.now,
                )
                day_services.bump_config_version(session, ctx.site.id)
                audit.record(
                    session,
                    at=ctx.now,
                    actor=actor.name,
                    site=ctx.site.id,
                    action="counter.day_services",
                    target=counter_id,
                    before={"day": ctx.day.isoformat(), "services": before},
                    after={"day": ctx.day.isoformat(), "services": wanted},
                )
                # Lines, next-up lists and open-counter counts change for these fields.
                ctx.effects.everything = True
            return 200, DayServicesOut(
                site=ctx.site.id,
                counter=counter_id,
                business_day=ctx.day.isoformat(),
                configured=configured,
                today=wanted,
            )

        return self.core.command(site_id, actor, key, request_hash, apply)

    def move_ticket(
        self,
        site_id: str,
        ticket: str,
        body: MoveIn,
        actor: Actor,
        *,
        key: str | None,
        request_hash: str,
    ) -> Result:
        """Move a waiting ticket (by id or today's number) to another line."""
        require_supervisor(actor, site_id)

        def apply(ctx: Ctx) -> tuple[int, MoveOut]:
            row: TicketRow | None = ctx.repo.ticket_row(ticket)
            if row is None or row.site_id != ctx.site.id:
                row = ctx.repo.ticket_by_number(ctx.site.id, ctx.day, ticket)
            if row is None:
                raise errors.unknown_ticket(ticket)
            to_service = None
            if body.to_service is not None:
                to_service = ctx.bundle.services.get(body.to_service)
                if to_service is None:
                    raise errors.unknown_service(body.to_service)
            to_counter = None
            if body.to_counter is not None:
                to_counter = ctx.bundle.counters.get(body.to_counter)
                if to_counter is None:
                    raise errors.unknown_counter(body.to_counter)
            old_service, old_counter = row.service, row.target_counter
            moved, event = lifecycle.move(
                ticket_from_row(row),
                now=ctx.now,
                actor=actor.name,
                to_service=to_service,
                to_counter=to_counter,
            )
            ctx.repo.save_ticket(moved, row)
            ctx.repo.append_events(ctx.site.id, [event])
            ctx.effects.touch_service(ctx.bundle, old_service)
            ctx.effects.touch_service(ctx.bundle, moved.service)
            for counter in (old_counter, moved.target_counter):
                if counter is not None and counter in ctx.bundle.counters:
                    ctx.effects.touch_counter(ctx.bundle, counter)
            audit.record(
                ctx.repo.s,
                at=ctx.now,
                actor=actor.name,
                site=ctx.site.id,
                action="ticket.move",
                target=moved.number,
                before={"service": old_service, "counter": old_counter},
                after={"service": moved.service, "counter": moved.target_counter},
            )
            return 200, MoveOut(ticket=brief(moved, ctx.now), target_counter=moved.target_counter)

        return self.core.command(site_id, actor, key, request_hash, apply)
