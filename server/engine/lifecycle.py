"""The ticket state machine.

    action     from                          to
    call       waiting, parked               called
    recall     called                        called (call_count + 1)
    start      called                        serving
    finish     serving (called if allowed)   done          outcome served
    no_show    called                        no_show       outcome no_show
    park       called, serving               parked
    transfer   called, serving, parked       transferred   outcome transferred; opens a new one
    move       waiting                       waiting       another field or counter, same ticket
    cancel     any active                    cancelled     outcome cancelled
    expire     active, of a past day         expired       outcome expired

Each function checks the current status, returns the changed ticket (a new frozen
value) and the event to append, or raises ``Refusal("invalid_transition")``.
Every terminal state sets ``outcome`` and ``finished_at``, so each visit ends in
exactly one recorded outcome.

``called_at`` and ``started_at`` keep the *first* call and start: the wait a
citizen had is ``called_at - queue_at`` even after recalls or a park.
"""

from collections.abc import Mapping
from dataclasses import replace
from datetime import datetime

from server.contract.vocab import ACTIVE_STATUSES, Outcome, TicketStatus
from server.engine import errors
from server.engine.events import EventKind
from server.engine.model import CounterConfig, Event, ServiceConfig, SiteConfig, Ticket
from server.engine.numbering import (
    business_day,
    require_aware,
    start_of_business_day,
)

DEFAULT_TIME_ZONE = "Asia/Ho_Chi_Minh"
SYSTEM_ACTOR = "system"

CALLABLE = frozenset({TicketStatus.WAITING, TicketStatus.PARKED})
HELD = frozenset({TicketStatus.CALLED, TicketStatus.SERVING})
TRANSFERABLE = frozenset({TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.PARKED})


def _require(ticket: Ticket, allowed: frozenset[TicketStatus], action: str, now: datetime) -> None:
    require_aware(now)
    if ticket.status not in allowed:
        raise errors.invalid_transition(ticket.status, action)


def _event(
    ticket: Ticket,
    kind: EventKind,
    now: datetime,
    actor: str | None,
    data: Mapping[str, object],
    *,
    counter_id: str | None = None,
) -> Event:
    return Event(
        ticket.id,
        kind,
        now,
        actor=actor,
        counter_id=counter_id if counter_id is not None else ticket.counter_id,
        data=dict(data),
    )


def may_call(ticket: Ticket, counter: CounterConfig) -> bool:
    """A counter calls its own services' tickets, or tickets transferred to it.

    A ticket transferred to one counter is never called by another one.
    """
    if ticket.target_counter is not None:
        return ticket.target_counter == counter.id
    return ticket.service in counter.services


def call(
    ticket: Ticket, counter: CounterConfig, *, now: datetime, actor: str | None, reason: str = ""
) -> tuple[Ticket, Event]:
    """Call a waiting or parked ticket to ``counter``.

    The service layer passes the policy's choice for "call next", or the clerk's
    pick for a specific-number call, whose ``reason`` is kept in the event.
    """
    _require(ticket, CALLABLE, "call", now)
    if not may_call(ticket, counter):
        raise errors.ticket_not_callable(ticket.number, counter.number)
    called = replace(
        ticket,
        status=TicketStatus.CALLED,
        counter_id=counter.id,
        called_at=ticket.called_at if ticket.called_at is not None else now,
        call_count=ticket.call_count + 1,
    )
    data: dict[str, object] = {
        "number": ticket.number,
        "counter_number": counter.number,
        "call_count": called.call_count,
        "from_status": ticket.status.value,
    }
    if reason:
        data["reason"] = reason
    return called, _event(called, EventKind.CALLED, now, actor, data, counter_id=counter.id)


def recall(ticket: Ticket, *, now: datetime, actor: str | None) -> tuple[Ticket, Event]:
    """Announce a called ticket again (the citizen did not come yet)."""
    _require(ticket, frozenset({TicketStatus.CALLED}), "recall", now)
    recalled = replace(ticket, call_count=ticket.call_count + 1)
    event = _event(
        recalled,
        EventKind.RECALLED,
        now,
        actor,
        {"number": ticket.number, "call_count": recalled.call_count},
    )
    return recalled, event


def start(ticket: Ticket, *, now: datetime, actor: str | None) -> tuple[Ticket, Event]:
    """The citizen arrived at the counter; service time counts from here."""
    _require(ticket, frozenset({TicketStatus.CALLED}), "start", now)
    started = replace(
        ticket,
        status=TicketStatus.SERVING,
        started_at=ticket.started_at if ticket.started_at is not None else now,
    )
    return started, _event(started, EventKind.STARTED, now, actor, {"number": ticket.number})


def finish(
    ticket: Ticket, site: SiteConfig, *, now: datetime, actor: str | None
) -> tuple[Ticket, Event]:
    """Served. From ``called`` only where the site lets clerks skip "start"."""
    allowed = (
        frozenset({TicketStatus.SERVING})
        if site.require_start_before_finish
        else frozenset({TicketStatus.SERVING, TicketStatus.CALLED})
    )
    _require(ticket, allowed, "finish", now)
    done = replace(ticket, status=TicketStatus.DONE, outcome=Outcome.SERVED, finished_at=now)
    return done, _event(done, EventKind.FINISHED, now, actor, {"number": ticket.number})


def no_show(ticket: Ticket, *, now: datetime, actor: str | None) -> tuple[Ticket, Event]:
    """Called, maybe recalled, and nobody came."""
    _require(ticket, frozenset({TicketStatus.CALLED}), "no_show", now)
    gone = replace(ticket, status=TicketStatus.NO_SHOW, outcome=Outcome.NO_SHOW, finished_at=now)
    return gone, _event(
        gone,
        EventKind.NO_SHOW,
        now,
        actor,
        {"number": ticket.number, "call_count": ticket.call_count},
    )


def park(
    ticket: Ticket, *, now: datetime, actor: str | None, note: str = ""
) -> tuple[Ticket, Event]:
    """The citizen stepped away (a missing paper, a photocopy); resumable by a later call.

    ``counter_id`` stays so the counter can list what it parked.
    """
    _require(ticket, HELD, "park", now)
    parked = replace(ticket, status=TicketStatus.PARKED, note=note or ticket.note)
    data: dict[str, object] = {"number": ticket.number, "from_status": ticket.status.value}
    if note:
        data["note"] = note
    return parked, _event(parked, EventKind.PARKED, now, actor, data)


def cancel(
    ticket: Ticket, *, now: datetime, actor: str | None, reason: str
) -> tuple[Ticket, Event]:
    """Withdrawn by the citizen or removed by a supervisor; the reason is kept."""
    _require(ticket, ACTIVE_STATUSES, "cancel", now)
    cancelled = replace(
        ticket, status=TicketStatus.CANCELLED, outcome=Outcome.CANCELLED, finished_at=now
    )
    event = _event(
        cancelled,
        EventKind.CANCELLED,
        now,
        actor,
        {"number": ticket.number, "reason": reason, "from_status": ticket.status.value},
    )
    return cancelled, event


def expire(
    ticket: Ticket, *, now: datetime, time_zone: str = DEFAULT_TIME_ZONE
) -> tuple[Ticket, Event]:
    """Close a ticket still open after its business day ended.

    ``time_zone`` is the site's (pass ``site.time_zone``): the day ends at local
    midnight, and only the site knows where that is.
    """
    _require(ticket, ACTIVE_STATUSES, "expire", now)
    if ticket.business_day >= business_day(now, time_zone):
        raise errors.invalid_transition(ticket.status, "expire")
    expired = replace(ticket, status=TicketStatus.EXPIRED, outcome=Outcome.EXPIRED, finished_at=now)
    event = _event(
        expired,
        EventKind.EXPIRED,
        now,
        SYSTEM_ACTOR,
        {"number": ticket.number, "from_status": ticket.status.value},
    )
    return expired, event


def _check_transfer_target(
    target_service: str, to_service: ServiceConfig | None, to_counter: CounterConfig | None
) -> None:
    if to_service is None and to_counter is None:
        raise errors.transfer_target_invalid(
            "chưa chọn lĩnh vực hoặc quầy nhận.", "no target service or counter was given."
        )
    if to_service is not None and not to_service.enabled:
        raise errors.transfer_target_invalid(
            f"lĩnh vực {to_service.name_vi} đang tạm ngưng tiếp nhận.",
            f"the service {to_service.name_en} is not taking tickets.",
            service=to_service.code,
        )
    if to_counter is not None and target_service not in to_counter.services:
        raise errors.transfer_target_invalid(
            f"quầy số {to_counter.number} không phục vụ lĩnh vực này.",
            f"counter {to_counter.number} does not serve this service.",
            service=target_service,
            counter=to_counter.id,
        )


def transfer(
    ticket: Ticket,
    site: SiteConfig,
    *,
    new_ticket_id: str,
    now: datetime,
    actor: str | None,
    to_service: ServiceConfig | None,
    to_counter: CounterConfig | None,
    keep_place: bool | None,
    note: str = "",
) -> tuple[Ticket, Ticket, list[Event]]:
    """Send the citizen on to another service or a specific counter.

    The old ticket ends (outcome TRANSFERRED); a new waiting ticket with the same
    number carries the visit on, so the citizen keeps the paper they hold. It
    keeps its place in line (``queue_at``) or goes to the front of the line
    (the start of the business day), as asked or as the site is configured.
    """
    _require(ticket, TRANSFERABLE, "transfer", now)
    target_service = to_service.code if to_service is not None else ticket.service
    _check_transfer_target(target_service, to_service, to_counter)
    keep = site.transfer_keeps_place if keep_place is None else keep_place
    queue_at = (
        ticket.queue_at if keep else start_of_business_day(ticket.business_day, site.time_zone)
    )
    closed = replace(
        ticket,
        status=TicketStatus.TRANSFERRED,
        outcome=Outcome.TRANSFERRED,
        finished_at=now,
        note=note or ticket.note,
    )
    opened = Ticket(
        id=new_ticket_id,
        site=ticket.site,
        service=target_service,
        number=ticket.number,
        seq=ticket.seq,
        business_day=ticket.business_day,
        status=TicketStatus.WAITING,
        issued_at=now,
        queue_at=queue_at,
        priority=ticket.priority,
        language=ticket.language,
        citizen_key=ticket.citizen_key,
        target_counter=to_counter.id if to_counter is not None else None,
        transferred_from=ticket.id,
        note=note,
    )
    data: dict[str, object] = {
        "number": ticket.number,
        "from_service": ticket.service,
        "to_service": target_service,
        "to_counter": opened.target_counter,
        "keep_place": keep,
    }
    if note:
        data["note"] = note
    events = [
        _event(closed, EventKind.TRANSFERRED, now, actor, {**data, "to_ticket": opened.id}),
        _event(
            opened,
            EventKind.TRANSFERRED_IN,
            now,
            actor,
            {**data, "from_ticket": ticket.id},
            counter_id=ticket.counter_id,
        ),
    ]
    return closed, opened, events


def can_call_next(current: Ticket | None, site: SiteConfig) -> None:
    """Refuse a new call while the counter still holds a called or serving ticket,
    where the site asks clerks to close each ticket first."""
    if site.require_close_before_call and current is not None and current.status in HELD:
        raise errors.counter_busy(current.number)


def move(
    ticket: Ticket,
    *,
    now: datetime,
    actor: str | None,
    to_service: ServiceConfig | None,
    to_counter: CounterConfig | None,
) -> tuple[Ticket, Event]:
    """A supervisor sends a waiting ticket to another field's line or to one counter.

    Unlike a transfer nobody served the citizen yet, so the same ticket moves: its
    number, issue time and place in line (``queue_at``) stay, and the wait it shows is
    the one the citizen lived. A field alone clears an earlier counter target.
    """
    _require(ticket, frozenset({TicketStatus.WAITING}), "move", now)
    if to_service is None and to_counter is None:
        raise errors.move_target_invalid(
            "chưa chọn lĩnh vực hoặc quầy nhận.", "no target service or counter was given."
        )
    if to_service is not None and not to_service.enabled:
        raise errors.move_target_invalid(
            f"lĩnh vực {to_service.name_vi} đang tạm ngưng tiếp nhận.",
            f"the service {to_service.name_en} is not taking tickets.",
            service=to_service.code,
        )
    service = to_service.code if to_service is not None else ticket.service
    if to_counter is not None and service not in to_counter.services:
        raise errors.move_target_invalid(
            f"quầy số {to_counter.number} không phục vụ lĩnh vực này.",
            f"counter {to_counter.number} does not serve this service.",
            service=service,
            counter=to_counter.id,
        )
    target = to_counter.id if to_counter is not None else None
    if service == ticket.service and target == ticket.target_counter:
        raise errors.move_target_invalid(
            "số này đã ở đúng lĩnh vực và quầy được chọn.",
            "the ticket already waits there.",
            service=service,
            counter=target,
        )
    moved = replace(ticket, service=service, target_counter=target)
    data: dict[str, object] = {
        "number": ticket.number,
        "from_service": ticket.service,
        "to_service": service,
        "from_counter": ticket.target_counter,
        "to_counter": target,
    }
    return moved, _event(moved, EventKind.MOVED, now, actor, data, counter_id=target)


def can_close_counter(current: Ticket | None) -> None:
    """A counter closes empty: the citizen at it would be left with nobody to finish."""
    if current is not None and current.status in HELD:
        raise errors.counter_holds_ticket(current.number)
