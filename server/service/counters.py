"""Counter actions: call next, recall, start, finish, no-show, transfer, park, pause...

Each runs as one command (see ``ServiceCore.command``), with the site's call policy
(the one its counters' "next up" lists show). Calling the next ticket
while the counter still holds one closes that one first (served if it was being
served, no-show if it was only called) unless the site requires closing it by hand.
"""

import logging
import uuid
from collections.abc import Callable

from pydantic import BaseModel

from server.contract.http import ActionOut, CallIn, CounterOut, RateIn, TransferIn
from server.contract.vocab import CounterState, Role, TicketStatus
from server.engine import errors as refusals
from server.engine import lifecycle
from server.engine.model import CounterConfig, Event, Ticket
from server.projection.snapshots import brief, call_info, counter_view
from server.service import errors
from server.service.accounts import has_live_session
from server.service.context import Actor, Ctx, Result
from server.service.core import ServiceCore
from server.service.tickets import new_id
from server.storage import audit
from server.storage.mapping import ticket_from_row, ticket_to_record
from server.storage.models import RatingRow
from server.storage.records import CallRecord, StoredCounter, StoredTicket

Handler = Callable[[Ctx, CounterConfig, StoredCounter, BaseModel | None], "Step"]
# Tickets read from the head of each line when calling the next one: a policy picks
# within a line by place in line (``CallPolicy``), so the first is enough (tested for
# both policies in tests/server/engine/test_policy.py), and every row read costs time.
HEAD = 1
log = logging.getLogger(__name__)
STAFF = {Role.CLERK.value, Role.SUPERVISOR.value, Role.ADMIN.value}
SUPERVISORS = {Role.SUPERVISOR.value, Role.ADMIN.value}
# What a supervisor may do to a counter from afar (``Counters.act(supervise=True)``).
SUPERVISED_ACTIONS = frozenset({"resume", "pause", "close"})
# After these the ticket acted on is the one the counter holds (its latest call).
HOLDS_STEP_TICKET = frozenset({"call-next", "call", "recall", "start"})


class Step:
    """What one action did: the ticket it concerns and the call it announced."""

    def __init__(self, row: StoredTicket | None = None, call_id: str | None = None) -> None:
        self.row = row
        self.call_id = call_id


class Counters:
    """What a clerk does at a counter, one command per action."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core
        self._by_action = self._handlers()

    def act(
        self,
        site_id: str,
        counter_id: str,
        action: str,
        actor: Actor,
        *,
        key: str | None,
        request_hash: str,
        body: BaseModel | None = None,
        take_over: bool = False,
        supervise: bool = False,
    ) -> Result:
        """``take_over``: the clerk means to act at a counter another clerk holds
        (open, and that clerk still logged in); without it that is refused with 409
        ``counter_held``. Supervisors and admins need no flag. Both are logged.

        ``supervise``: a supervisor (or admin) of the site changes the counter's state
        from afar (``SUPERVISED_ACTIONS`` only): the clerk on it stays (closing clears
        it), and the audit log records the change as the supervisor's."""
        if not actor.is_user or actor.role not in STAFF:
            raise errors.forbidden("thao tác tại quầy", "act at a counter")
        if not actor.may_use_site(site_id):
            raise errors.forbidden("thao tác tại điểm này", "act at this site")
        if supervise and (actor.role not in SUPERVISORS or action not in SUPERVISED_ACTIONS):
            raise errors.forbidden("điều hành quầy", "supervise a counter")
        handler = self._by_action[action]

        def apply(ctx: Ctx) -> tuple[int, ActionOut]:
            config = ctx.bundle.counters.get(counter_id)
            row, held = ctx.repo.counter_and_held(ctx.site.id, counter_id)
            if config is None or row is None:
                raise errors.unknown_counter(counter_id)
            before = row.state
            ctx.supervised = supervise
            if not supervise:
                if row.clerk is not None and row.clerk != actor.name:
                    self._take_over(ctx, counter_id, row, actor, asked=take_over)
                if action not in ("pause", "close"):
                    ctx.repo.update_counter(row, state=CounterState.OPEN.value, clerk=actor.name)
            ctx.held = held
            step = handler(ctx, config, row, body)
            if supervise:
                audit.record(
                    ctx.repo.s,
                    at=ctx.now,
                    actor=actor.name,
                    site=ctx.site.id,
                    action=f"counter.{action}",
                    target=counter_id,
                    before={"state": before},
                    after={"state": row.state, "clerk": row.clerk},
                )
            ctx.effects.touch_counter(ctx.bundle, counter_id)
            ctx.repo.s.flush()
            if action in HOLDS_STEP_TICKET and step.row is not None:
                current: StoredTicket | None = step.row  # just called, recalled or started here
            else:
                current = ctx.repo.at_counter(ctx.site.id, counter_id)
            out = ActionOut(
                action=action,
                counter=CounterOut(
                    counter=counter_view(ctx.bundle, row, current),
                    clerk=row.clerk,
                    current=brief(current, ctx.now) if current else None,
                ),
                ticket=brief(step.row, ctx.now) if step.row is not None else None,
                call_id=step.call_id,
            )
            return 200, out

        return self.core.command(site_id, actor, key, request_hash, apply)

    @staticmethod
    def _take_over(
        ctx: Ctx, counter_id: str, row: StoredCounter, actor: Actor, *, asked: bool
    ) -> None:
        """Another clerk's name is on the counter: theirs only while it is open and they
        are logged in (a counter left paused, or by a logged-out clerk, is free)."""
        clerk = row.clerk or ""
        if row.state != CounterState.OPEN.value or not has_live_session(ctx.repo.s, clerk, ctx.now):
            return
        if actor.role == Role.CLERK.value and not asked:
            raise errors.counter_held(counter_id, clerk)
        log.warning(
            "counter %s/%s taken over from %s by %s (%s)",
            ctx.site.id,
            counter_id,
            clerk,
            actor.name,
            "explicit take-over" if actor.role == Role.CLERK.value else actor.role,
        )

    def _handlers(
        self,
    ) -> dict[str, Callable[[Ctx, CounterConfig, StoredCounter, BaseModel | None], Step]]:
        return {
            "call-next": self._call_next,
            "call": self._call_specific,
            "recall": self._recall,
            "start": self._simple(lambda t, c, ctx: lifecycle.start(t, now=ctx.now, actor=c)),
            "finish": self._simple(
                lambda t, c, ctx: lifecycle.finish(t, ctx.bundle.site, now=ctx.now, actor=c)
            ),
            "no-show": self._simple(lambda t, c, ctx: lifecycle.no_show(t, now=ctx.now, actor=c)),
            "park": self._simple(lambda t, c, ctx: lifecycle.park(t, now=ctx.now, actor=c)),
            "transfer": self._transfer,
            "pause": self._set_state(CounterState.PAUSED),
            "resume": self._set_state(CounterState.OPEN),
            "close": self._set_state(CounterState.CLOSED),
            "rate": self._rate,
        }

    # ---- helpers ----------------------------------------------------------------

    def _apply(
        self,
        ctx: Ctx,
        row: StoredTicket,
        ticket: Ticket,
        events: list[Event],
        *,
        line: bool,
        clerk: str | None = None,
    ) -> None:
        """Store a changed ticket. ``line``: it left or joined a waiting line, which
        changes the next tickets and waiting counts every counter of its field shows;
        otherwise it stays at (or leaves) the acting counter, whose own snapshot and
        area board every action republishes, and only the estimates change."""
        ctx.repo.save_ticket(ticket, row, clerk=clerk)
        ctx.repo.append_events(ctx.site.id, events)
        if line:
            ctx.effects.touch_service(ctx.bundle, ticket.service)
        else:
            ctx.effects.queue = True

    def _current(self, ctx: Ctx, config: CounterConfig) -> StoredTicket:
        row = ctx.repo.at_counter(ctx.site.id, config.id)
        if row is None:
            raise errors.no_current_ticket(config.id)
        return row

    def _announce(self, ctx: Ctx, config: CounterConfig, row: StoredTicket, *, recall: bool) -> str:
        call_id = uuid.uuid4().hex
        call = CallRecord(
            call_id=call_id,
            site_id=ctx.site.id,
            area=config.area,
            counter_id=config.id,
            ticket_id=row.id,
            at=ctx.now,
            recall=recall,
            call_count=row.call_count,
        )
        ctx.repo.add_call(call)
        ctx.effects.calls.append(call_id)
        # What the announcement says, as committed: published without reading it back.
        ctx.effects.call_infos[call_id] = call_info(ctx.bundle, call, row)
        return call_id

    def _close_current(self, ctx: Ctx, config: CounterConfig) -> None:
        """Before a new call: finish the ticket being served, no-show the one only called.
        (The held ticket was read with the counter, under the site lock: still current.)"""
        row = ctx.held
        lifecycle.can_call_next(ticket_from_row(row) if row else None, ctx.bundle.site)
        if row is None:
            return
        ticket = ticket_from_row(row)
        actor = ctx.actor.name
        if ticket.status is TicketStatus.SERVING:
            closed, event = lifecycle.finish(ticket, ctx.bundle.site, now=ctx.now, actor=actor)
        else:
            closed, event = lifecycle.no_show(ticket, now=ctx.now, actor=actor)
        self._apply(ctx, row, closed, [event], line=False)

    def _take_call(
        self,
        ctx: Ctx,
        config: CounterConfig,
        counter: StoredCounter,
        row: StoredTicket,
        reason: str,
    ) -> Step:
        if row.status == TicketStatus.PARKED.value and row.counter_id in ctx.bundle.counters:
            ctx.effects.touch_counter(ctx.bundle, row.counter_id)  # its parked list changes
        called, event = lifecycle.call(
            ticket_from_row(row), config, now=ctx.now, actor=ctx.actor.name, reason=reason
        )
        self._apply(ctx, row, called, [event], line=True, clerk=ctx.actor.name)
        streak = counter.priority_streak + 1 if row.priority else 0
        ctx.repo.update_counter(counter, priority_streak=streak)
        return Step(row, self._announce(ctx, config, row, recall=False))

    # ---- the actions ------------------------------------------------------------

    def _call_next(
        self, ctx: Ctx, config: CounterConfig, counter: StoredCounter, _body: BaseModel | None
    ) -> Step:
        # The heads of the counter's lines are enough for any policy (it picks within a
        # line by place in line), so this stays short however long the queue is.
        # The tickets transferred to this counter and the line heads in one statement.
        targeted, heads = ctx.repo.heads_and_targeted(
            ctx.site.id, ctx.day, config.services, limit=HEAD, targeted=True, counter=config.id
        )
        # The last read of a call-next: from here on its writes wait for the command's
        # last statement (PostgreSQL; ``Repository.keep_updates``). Closing the current
        # ticket changes no line, so it may come after the heads were read.
        ctx.repo.keep_updates()
        self._close_current(ctx, config)
        candidates = targeted + heads
        chosen = ctx.policy.choose(
            ctx.bundle.site,
            config,
            candidates,
            priority_streak=counter.priority_streak,
            now=ctx.now,
        )
        if chosen is None:
            raise refusals.nothing_waiting()
        # The chosen ticket was read whole in this locked transaction: write it back from
        # a detached row (save_ticket updates by id) instead of loading it again.
        return self._take_call(ctx, config, counter, ticket_to_record(chosen), "")

    def _call_specific(
        self, ctx: Ctx, config: CounterConfig, counter: StoredCounter, body: BaseModel | None
    ) -> Step:
        assert isinstance(body, CallIn)
        row = ctx.repo.ticket_row(body.ticket)
        if row is None or row.site_id != ctx.site.id:
            row = ctx.repo.ticket_by_number(ctx.site.id, ctx.day, body.ticket)
        if row is None:
            raise errors.unknown_ticket(body.ticket)
        if row.status not in (TicketStatus.WAITING.value, TicketStatus.PARKED.value):
            raise refusals.invalid_transition(TicketStatus(row.status), "call")
        self._close_current(ctx, config)
        return self._take_call(ctx, config, counter, row, body.reason)

    def _recall(
        self, ctx: Ctx, config: CounterConfig, _counter: StoredCounter, _body: BaseModel | None
    ) -> Step:
        row = self._current(ctx, config)
        ticket, event = lifecycle.recall(ticket_from_row(row), now=ctx.now, actor=ctx.actor.name)
        self._apply(ctx, row, ticket, [event], line=False)
        return Step(row, self._announce(ctx, config, row, recall=True))

    def _simple(
        self, change: Callable[[Ticket, str, Ctx], tuple[Ticket, Event]]
    ) -> Callable[[Ctx, CounterConfig, StoredCounter, BaseModel | None], Step]:
        def run(
            ctx: Ctx, config: CounterConfig, _counter: StoredCounter, _body: BaseModel | None
        ) -> Step:
            row = self._current(ctx, config)
            ticket, event = change(ticket_from_row(row), ctx.actor.name, ctx)
            self._apply(ctx, row, ticket, [event], line=False)
            return Step(row)

        return run

    def _set_state(
        self, state: CounterState
    ) -> Callable[[Ctx, CounterConfig, StoredCounter, BaseModel | None], Step]:
        def run(
            ctx: Ctx, config: CounterConfig, counter: StoredCounter, _body: BaseModel | None
        ) -> Step:
            clerk = counter.clerk if ctx.supervised else ctx.actor.name
            if state is CounterState.CLOSED:
                held = ctx.held
                lifecycle.can_close_counter(ticket_from_row(held) if held else None)
                clerk = None
            ctx.repo.update_counter(counter, state=state.value, clerk=clerk)
            ctx.effects.everything = True  # counters open changes every estimate
            return Step(None)

        return run

    def _transfer(
        self, ctx: Ctx, config: CounterConfig, _counter: StoredCounter, body: BaseModel | None
    ) -> Step:
        assert isinstance(body, TransferIn)
        row = self._current(ctx, config)
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
        old, new, events = lifecycle.transfer(
            ticket_from_row(row),
            ctx.bundle.site,
            new_ticket_id=new_id(),
            now=ctx.now,
            actor=ctx.actor.name,
            to_service=to_service,
            to_counter=to_counter,
            keep_place=body.keep_place,
            note=body.note,
        )
        token = row.track_token
        row.track_token = None  # the tracking link follows the citizen to the new ticket
        self._apply(ctx, row, old, [], line=False)
        ctx.repo.s.flush()
        new_row = ctx.repo.save_ticket(new)
        new_row.track_token = token
        ctx.repo.append_events(ctx.site.id, events)
        ctx.effects.touch_service(ctx.bundle, new.service)
        if to_counter is not None:
            ctx.effects.touch_counter(ctx.bundle, to_counter.id)
        return Step(new_row)

    def _rate(
        self, ctx: Ctx, config: CounterConfig, _counter: StoredCounter, body: BaseModel | None
    ) -> Step:
        assert isinstance(body, RateIn)
        if body.ticket is not None:
            row = ctx.repo.ticket_row(body.ticket)
            if row is None or row.site_id != ctx.site.id:
                raise errors.unknown_ticket(body.ticket)
        else:
            row = ctx.repo.last_finished_at(ctx.site.id, config.id)
            if row is None:
                raise errors.no_rating_target(config.id)
        ctx.repo.s.add(
            RatingRow(
                site_id=ctx.site.id,
                ticket_id=row.id,
                counter_id=config.id,
                clerk=row.clerk or ctx.actor.name,
                business_day=ctx.day,
                rating=body.rating.value,
                at=ctx.now,
            )
        )
        ctx.repo.append_events(
            ctx.site.id,
            [
                Event(
                    ticket_id=row.id,
                    kind="rated",
                    at=ctx.now,
                    actor=ctx.actor.name,
                    counter_id=config.id,
                    data={"rating": body.rating.value},
                )
            ],
        )
        return Step(row)
