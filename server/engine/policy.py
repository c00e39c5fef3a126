"""Which waiting ticket a counter calls next.

A policy is any object with ``order`` and ``choose`` (the ``CallPolicy``
protocol), so a site with other habits can plug in its own. ``DefaultPolicy``
ranks a counter's callable tickets in tiers:

1. tickets transferred to this very counter, oldest place in line first;
1b. appointments whose slot has begun (checked in at the kiosk: their place in line is
   their slot's start, ``server.engine.appointments``), earliest slot first; one
   checked in before its slot waits as a normal ticket until then;
2. *aged* tickets, those that waited longer than ``site.aging_after_s``, so a
   field whose oldest ticket has waited too long goes before the others,
   oldest first;
3. all other tickets, by the counter's service order or weights.

Inside tiers 2 and 3 priority tickets go before normal ones, but after
``site.priority_ratio`` priority calls in a row the counter takes one normal
ticket, so the normal queue is never starved (a ratio of 0 or less turns the
preference off). A ``priority_counter`` always takes priority tickets first.
The streak runs on across tiers; the tiers themselves come before the ratio,
so a long run of aged priority tickets is called before a fresh normal one.

Service order and weights (tier 3):

- no weights: the counter's ``services`` tuple is a strict order of
  preference; a later service is called only when the earlier ones are empty;
- weights: each ticket's wait counts ``weight`` times, and the ticket with the
  largest weighted wait goes first. With weights ``{"A": 2, "B": 1}`` an ``A``
  ticket that waited 10 minutes ranks with a ``B`` ticket that waited 20. Every
  service keeps moving (waits grow), a heavier one moves faster. A service of
  the counter missing from ``weights`` weighs 1; a weight of 0 or less means
  "only when nothing else is waiting".

Ties are broken by the place in line (``queue_at``, then ``seq``, then ``id``),
so the order is total and the same inputs always give the same answer.

Only WAITING tickets are called by "call next"; a parked ticket comes back by a
specific-number call.

A site chooses its policy by name in its settings (``SiteConfig.call_policy``, one of
``POLICIES``); ``Policies`` resolves the name once, for "call next" and the counters'
"next up" lists alike.

A plugged-in policy must also pick within one line (a field's priority line, or its
normal line) by place in line: "call next" gives ``choose`` only the first ticket of
each line and the tickets transferred to the counter, not the whole queue.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from server.contract.vocab import APPOINTMENT_PRIORITY, TicketStatus
from server.engine.lifecycle import may_call
from server.engine.model import CounterConfig, SiteConfig, Ticket

SortKey = tuple[object, ...]


class CallPolicy(Protocol):
    def order(
        self,
        site: SiteConfig,
        counter: CounterConfig,
        waiting: Sequence[Ticket],
        *,
        priority_streak: int,
        now: datetime,
    ) -> list[Ticket]:
        """The tickets this counter may call, in the order it would call them."""
        ...

    def choose(
        self,
        site: SiteConfig,
        counter: CounterConfig,
        waiting: Sequence[Ticket],
        *,
        priority_streak: int,
        now: datetime,
    ) -> Ticket | None:
        """The next ticket to call (the first of ``order``), or None."""
        ...


def callable_by(counter: CounterConfig, waiting: Sequence[Ticket]) -> list[Ticket]:
    """The waiting tickets of the counter's services and those transferred to it."""
    waiting_status = TicketStatus.WAITING
    return [t for t in waiting if t.status is waiting_status and may_call(t, counter)]


def line_key(ticket: Ticket) -> tuple[datetime, int, str]:
    """The place in line: who came (or was put) first."""
    return (ticket.queue_at, ticket.seq, ticket.id)


def priority_streak(recent_calls: Sequence[Ticket]) -> int:
    """How many priority tickets a counter called in a row, newest call first."""
    streak = 0
    for ticket in recent_calls:
        if ticket.priority is None:
            break
        streak += 1
    return streak


def is_priority(ticket: Ticket) -> bool:
    """Priority for the ratio: a category, not an appointment (which has its own tier
    once due, and is a normal ticket before)."""
    priority = ticket.priority
    return priority is not None and priority != APPOINTMENT_PRIORITY


@dataclass(frozen=True)
class _Split:
    targeted: list[Ticket]
    due: list[Ticket]  # appointments whose slot has begun
    aged: list[Ticket]
    rest: list[Ticket]


class DefaultPolicy:
    """Transferred here, then aged, then priority with a ratio, service order or weights."""

    def _split(
        self, site: SiteConfig, counter: CounterConfig, waiting: Sequence[Ticket], now: datetime
    ) -> _Split:
        # One pass, checks inlined: a site's whole line goes through here on every
        # call-next, and enum member lookups are slow in a hot loop.
        split = _Split([], [], [], [])
        aging = site.aging_after_s
        threshold = None if aging is None else now - timedelta(seconds=aging)
        served = frozenset(counter.services)
        waiting_status = TicketStatus.WAITING
        for ticket in waiting:
            if ticket.status is not waiting_status:
                continue
            target = ticket.target_counter
            if target is not None:
                if target == counter.id:
                    split.targeted.append(ticket)
            elif ticket.service in served:
                if ticket.priority == APPOINTMENT_PRIORITY and ticket.queue_at <= now:
                    split.due.append(ticket)
                elif threshold is not None and ticket.queue_at < threshold:
                    split.aged.append(ticket)
                else:
                    split.rest.append(ticket)
        return split

    @staticmethod
    def _service_key(counter: CounterConfig, now: datetime) -> Callable[[Ticket], SortKey]:
        rank = {code: i for i, code in enumerate(counter.services)}
        last = len(counter.services)
        if not counter.weights:
            return lambda t: (rank.get(t.service, last), *line_key(t))

        def weighted(t: Ticket) -> SortKey:
            weight = max(0, counter.weights.get(t.service, 1))
            waited = max(0.0, (now - t.queue_at).total_seconds())
            return (-weight * waited, rank.get(t.service, last), *line_key(t))

        return weighted

    @staticmethod
    def _prefers_priority(site: SiteConfig, counter: CounterConfig, streak: int) -> bool:
        return counter.priority_counter or streak < site.priority_ratio

    def _merge(
        self,
        site: SiteConfig,
        counter: CounterConfig,
        tickets: list[Ticket],
        key: Callable[[Ticket], SortKey],
        streak: int,
    ) -> tuple[list[Ticket], int]:
        """Interleave a tier's priority and normal tickets as successive calls would."""
        prio = sorted((t for t in tickets if is_priority(t)), key=key)
        norm = sorted((t for t in tickets if not is_priority(t)), key=key)
        out: list[Ticket] = []
        i = j = 0
        while i < len(prio) or j < len(norm):
            take_priority = j >= len(norm) or (
                i < len(prio) and self._prefers_priority(site, counter, streak)
            )
            if take_priority:
                out.append(prio[i])
                i += 1
                streak += 1
            else:
                out.append(norm[j])
                # An appointment before its slot is called as a normal ticket, but the
                # counter's streak counts it as the priority ticket it is.
                streak = streak + 1 if norm[j].priority is not None else 0
                j += 1
        return out, streak

    def order(
        self,
        site: SiteConfig,
        counter: CounterConfig,
        waiting: Sequence[Ticket],
        *,
        priority_streak: int,
        now: datetime,
    ) -> list[Ticket]:
        split = self._split(site, counter, waiting, now)
        out = sorted(split.targeted, key=line_key) + sorted(split.due, key=line_key)
        streak = priority_streak
        for ticket in out:
            streak = streak + 1 if ticket.priority is not None else 0
        aged, streak = self._merge(site, counter, split.aged, line_key, streak)
        rest, _ = self._merge(site, counter, split.rest, self._service_key(counter, now), streak)
        return out + aged + rest

    def choose(
        self,
        site: SiteConfig,
        counter: CounterConfig,
        waiting: Sequence[Ticket],
        *,
        priority_streak: int,
        now: datetime,
    ) -> Ticket | None:
        """The first of ``order`` in one pass, without sorting the whole line."""
        split = self._split(site, counter, waiting, now)
        if split.targeted:
            return min(split.targeted, key=line_key)
        if split.due:
            return min(split.due, key=line_key)
        tier, key = (
            (split.aged, line_key) if split.aged else (split.rest, self._service_key(counter, now))
        )
        prio = [t for t in tier if is_priority(t)]
        norm = [t for t in tier if not is_priority(t)]
        if prio and (not norm or self._prefers_priority(site, counter, priority_streak)):
            return min(prio, key=key)
        if norm:
            return min(norm, key=key)
        return None


class FirstComeFirstServedPolicy:
    """Strictly by place in line, no priority and no service preference.

    Tickets transferred to the counter still come first. A site that wants plain
    first come, first served (a small ward point) plugs this in instead.
    """

    def order(
        self,
        site: SiteConfig,
        counter: CounterConfig,
        waiting: Sequence[Ticket],
        *,
        priority_streak: int,
        now: datetime,
    ) -> list[Ticket]:
        tickets = callable_by(counter, waiting)
        return sorted(tickets, key=lambda t: (t.target_counter != counter.id, *line_key(t)))

    def choose(
        self,
        site: SiteConfig,
        counter: CounterConfig,
        waiting: Sequence[Ticket],
        *,
        priority_streak: int,
        now: datetime,
    ) -> Ticket | None:
        ranked = self.order(site, counter, waiting, priority_streak=priority_streak, now=now)
        return ranked[0] if ranked else None


# The policies a site may name in its settings (``SiteConfig.call_policy``).
POLICIES: dict[str, Callable[[], CallPolicy]] = {
    "default": DefaultPolicy,
    "first-come-first-served": FirstComeFirstServedPolicy,
}


class Policies:
    """The call policy of each site, resolved once from the site's setting and shared by
    "call next" and every "next up" list, so a counter calls the ticket it showed next.

    A name the registry does not know (a setting written for a newer server) falls back
    to the default policy, so the hall keeps calling; ``unknown`` says which sites did.
    """

    def __init__(self, registry: Mapping[str, Callable[[], CallPolicy]] = POLICIES) -> None:
        self._registry = registry
        self._made: dict[str, CallPolicy] = {}
        self._fallback = DefaultPolicy()
        self.unknown: dict[str, str] = {}
        """Site id -> the unknown policy name it set."""

    def for_site(self, site: SiteConfig) -> CallPolicy:
        name = site.call_policy
        policy = self._made.get(name)
        if policy is not None:
            return policy
        make = self._registry.get(name)
        if make is None:
            self.unknown[site.id] = name
            return self._fallback
        # Threads may race to make the same policy; policies are stateless, either wins.
        return self._made.setdefault(name, make())
