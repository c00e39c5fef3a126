"""A centre's day played out on the real engine, with SimPy keeping the simulated time.

Citizens arrive by hour and field and take a ticket through ``engine.issuing.issue``;
clerks call through the site's real call policy and move tickets through
``engine.lifecycle`` (call, recall, start, finish, no-show, park, transfer). Nothing of
the queue's rules is modelled here: only the people. At every issue each estimator is
asked, from the same ``Line``, how long the new ticket will wait; the wait that follows
is what it is measured against.
"""

import math
import random
from collections import deque
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import simpy

from server.contract.vocab import CounterState, TicketStatus
from server.engine import lifecycle
from server.engine.errors import Refusal
from server.engine.estimate import (
    ARRIVAL_WINDOW_S,
    CounterNow,
    Estimator,
    Line,
    WaitEstimate,
    recent_rate,
)
from server.engine.estimators import ESTIMATORS
from server.engine.issuing import issue
from server.engine.model import CounterConfig, Event, ServiceConfig, Ticket
from server.engine.policy import POLICIES, DefaultPolicy
from server.seed.types import SiteSeed
from server.simulation.day import Day, FieldLoad

# How many recent durations per field the estimators learn from (as the server reads).
HISTORY = 50
CLERK = "sim"

SimProcess = Generator[simpy.Event, Any, None]


@dataclass
class Visit:
    """What the citizen behind a ticket will do, drawn when the ticket is issued."""

    service_s: float
    no_show: bool = False
    park_away_s: float | None = None
    transfer_to: str | None = None


@dataclass
class CounterSim:
    config: CounterConfig
    state: CounterState = CounterState.CLOSED
    current: Ticket | None = None
    streak: int = 0
    since: datetime | None = None
    returned: list[Ticket] = field(default_factory=list)  # parked here, citizen back
    busy_s: float = 0.0
    open_s: float = 0.0
    # Per slot of a staffing plan (``Hall.slots``): time serving, time open.
    busy_by_slot: dict[int, float] = field(default_factory=dict)
    open_by_slot: dict[int, float] = field(default_factory=dict)


@dataclass
class Outcome:
    """One issued ticket's estimates and what happened (the wait until its first call)."""

    ticket_id: str
    service: str
    priority: bool
    issued_at: datetime
    estimates: dict[str, WaitEstimate]
    wait_s: float | None = None


class Hall:
    """One simulated day of one site."""

    def __init__(
        self,
        seed: SiteSeed,
        day: Day,
        on: date,
        rng: random.Random,
        *,
        staffed: frozenset[str] | None = None,
        absent: frozenset[tuple[str, int]] = frozenset(),
        estimators: Mapping[str, Estimator] = ESTIMATORS,
        hourly: bool = False,
    ) -> None:
        """``staffed``: the counters with a clerk (ids or numbers; None: all);
        ``absent``: (counter id, slot index) pairs without one (a staffing plan), the
        slots being the sessions, or with ``hourly`` each session's hours (``slots``)."""
        self.env = simpy.Environment()
        self.seed, self.day, self.rng = seed, day, rng
        # The estimators know the centre's practice the day file describes: how long
        # clerks keep serving after a session ends.
        self.site = replace(seed.site, serve_after_close_s=round(day.clerks.grace_s))
        self.zone = ZoneInfo(self.site.time_zone)
        self.midnight = datetime.combine(on, time(0), tzinfo=self.zone)
        self.services: dict[str, ServiceConfig] = {s.code: s for s in seed.services}
        self.policy = POLICIES.get(self.site.call_policy, DefaultPolicy)()
        self.estimators = estimators
        self.absent = absent
        self.hourly = hourly
        self._slots: list[tuple[float, float, int]] | None = None
        self.counters = {
            c.id: CounterSim(c)
            for c in seed.counters
            if staffed is None or c.id in staffed or str(c.number) in staffed
        }
        self.tickets: dict[str, Ticket] = {}
        self.waiting: dict[str, Ticket] = {}
        self.events: list[Event] = []
        self.visits: dict[str, Visit] = {}
        self.outcomes: dict[str, Outcome] = {}
        self.refused = 0
        self.issued: dict[str, int] = dict.fromkeys(self.services, 0)
        self.service_s: dict[str, deque[float]] = {s: deque(maxlen=HISTORY) for s in self.services}
        self.hold_s: dict[str, deque[float]] = {s: deque(maxlen=HISTORY) for s in self.services}
        self.last_waits: dict[tuple[str, bool], float] = {}
        self.issue_times: dict[tuple[str, bool], deque[datetime]] = {}
        self.wake = self.env.event()
        self._ids = 0

    # ---- time -----------------------------------------------------------------------

    def now(self) -> datetime:
        return self.midnight + timedelta(seconds=self.env.now)

    def seconds(self, at: datetime) -> float:
        return (at - self.midnight).total_seconds()

    def windows(self, service: ServiceConfig | None = None) -> list[tuple[float, float]]:
        hours = service.hours if service is not None and service.hours else self.site.hours
        if self.midnight.weekday() not in hours.weekdays:
            return []
        return [
            (start.hour * 3600 + start.minute * 60.0, end.hour * 3600 + end.minute * 60.0)
            for start, end in sorted(hours.windows)
        ]

    def slots(self) -> list[tuple[float, float, int]]:
        """The pieces of the day a staffing plan names (begin, end, session index): the
        sessions, or with ``hourly`` each session cut at the clock's hours."""
        if self._slots is not None:
            return self._slots
        out = []
        for session, (start, end) in enumerate(self.windows()):
            if not self.hourly:
                out.append((start, end, session))
                continue
            begin = start
            while begin < end:
                until = min(end, (begin // 3600 + 1) * 3600)
                out.append((begin, until, session))
                begin = until
        self._slots = out
        return out

    def _shifts(self, counter_id: str, session: int) -> list[tuple[float, float, bool]]:
        """A counter's stretches with a clerk in a session (begin, end, ends the session)."""
        pieces = [
            (begin, end)
            for i, (begin, end, s) in enumerate(self.slots())
            if s == session and (counter_id, i) not in self.absent
        ]
        merged: list[list[float]] = []
        for begin, end in pieces:
            if merged and merged[-1][1] == begin:
                merged[-1][1] = end
            else:
                merged.append([begin, end])
        close = self.windows()[session][1]
        return [(begin, end, end == close) for begin, end in merged]

    def _takes_breaks(self, start: float, end: float) -> bool:
        """A whole session has its breaks; an hourly plan's stretch only when long."""
        return not self.hourly or end - start >= 2 * 3600

    def _slot_of(self, t: float) -> int | None:
        for i, (begin, end, _) in enumerate(self.slots()):
            if begin <= t < end:
                return i
        return None

    # ---- the day --------------------------------------------------------------------

    def run(self) -> None:
        for service in self.services.values():
            load = self.day.load_of(service)
            if load.per_day > 0 and service.enabled:
                self.env.process(self.arrivals(service, load))
        for counter in self.counters.values():
            self.env.process(self.clerk(counter))
        self.env.run(until=24 * 3600 - 1)

    def _rates(self, service: ServiceConfig, load: FieldLoad) -> dict[int, float]:
        """Arrivals per second in each hour, over the part of the hour the field issues;
        a field open fewer hours (mornings only) gets its whole day in those."""
        opened = {}
        windows = self.windows(service)
        for hour, share in self.day.profile.items():
            lo, hi = hour * 3600.0, (hour + 1) * 3600.0
            open_s = sum(max(0.0, min(hi, b) - max(lo, a)) for a, b in windows)
            if open_s > 0 and share > 0:
                opened[hour] = (share, open_s)
        total = sum(share for share, _ in opened.values())
        return {h: load.per_day * share / total / s for h, (share, s) in opened.items()}

    def arrivals(self, service: ServiceConfig, load: FieldLoad) -> SimProcess:
        """A Poisson stream whose rate changes by the hour (memoryless: at each hour's
        start the next arrival is drawn again at the new rate)."""
        rates = self._rates(service, load)
        windows = self.windows(service)
        if not rates:
            return
        t = min(rates) * 3600.0
        while t < 24 * 3600:
            hour = int(t // 3600)
            rate = rates.get(hour, 0.0)
            hour_end = (hour + 1) * 3600.0
            step = self.rng.expovariate(rate) if rate > 0 else math.inf
            if t + step >= hour_end:
                t = hour_end
                continue
            t += step
            if not any(a <= t < b for a, b in windows):
                continue
            yield self.env.timeout(t - self.env.now)
            self.arrive(service, load)

    def _draw_service_s(self, load: FieldLoad) -> float:
        if self.day.distribution == "exponential":
            return self.rng.expovariate(1 / load.mean_s)
        mu = math.log(load.mean_s) - load.sigma**2 / 2
        return self.rng.lognormvariate(mu, load.sigma)

    def _new_id(self) -> str:
        self._ids += 1
        return f"t{self._ids:05d}"

    def arrive(self, service: ServiceConfig, load: FieldLoad) -> None:
        day, rng = self.day, self.rng
        priority = None
        if self.site.priority_categories and rng.random() < day.priority_share:
            priority = rng.choice(self.site.priority_categories).code
        issued = self.issued[service.code]
        try:
            ticket, event = issue(
                self.site,
                service,
                ticket_id=self._new_id(),
                seq=issued + 1,
                now=self.now(),
                issued_today=issued,
                priority=priority,
                language="vi",
                citizen_key=None,
                citizen_tickets_today=(),
                estimate_s=None,
                actor="kiosk",
            )
        except Refusal:
            self.refused += 1
            return
        self.issued[service.code] = issued + 1
        visit = Visit(self._draw_service_s(load))
        draw = rng.random()
        if draw < day.no_show_share:
            visit.no_show = True
        elif draw < day.no_show_share + day.park_share:
            visit.park_away_s = rng.uniform(*day.park_away_s)
        elif load.transfer_to and draw < day.no_show_share + day.park_share + day.transfer_share:
            visit.transfer_to = rng.choice(load.transfer_to)
        estimates: dict[str, WaitEstimate] = {}
        if self.estimators:
            line = self.line()
            estimates = {name: estimate(ticket, line) for name, estimate in self.estimators.items()}
        chosen = estimates.get(self.site.wait_estimator)
        if chosen is not None:
            ticket = replace(ticket, estimate_s=chosen.wait_s)
            event = replace(event, data={**event.data, "estimate_s": chosen.wait_s})
        self.outcomes[ticket.id] = Outcome(
            ticket.id, service.code, priority is not None, ticket.issued_at, estimates
        )
        self.visits[ticket.id] = visit
        times = self.issue_times.setdefault((service.code, priority is not None), deque())
        times.append(ticket.issued_at)
        while times and (ticket.issued_at - times[0]).total_seconds() > ARRIVAL_WINDOW_S:
            times.popleft()
        self._put(ticket, event)
        self._wake()

    def line(self) -> Line:
        now = self.now()
        return Line(
            now=now,
            site=self.site,
            services=self.services,
            counters=[
                CounterNow(c.config, c.state, c.current, c.streak, c.since)
                for c in self.counters.values()
            ],
            waiting=list(self.waiting.values()),
            service_s=self.service_s,
            hold_s=self.hold_s,
            last_waits=self.last_waits,
            arrivals_per_h={
                key: recent_rate(times, now, self._session_start(now))
                for key, times in self.issue_times.items()
            },
        )

    def _session_start(self, now: datetime) -> datetime | None:
        clock = self.seconds(now)
        starts = [a for a, b in self.windows() if a <= clock]
        return self.midnight + timedelta(seconds=max(starts)) if starts else None

    # ---- bookkeeping ----------------------------------------------------------------

    def _put(self, ticket: Ticket, *events: Event) -> None:
        self.tickets[ticket.id] = ticket
        self.events.extend(events)
        if ticket.status is TicketStatus.WAITING:
            self.waiting[ticket.id] = ticket
        else:
            self.waiting.pop(ticket.id, None)

    def _wake(self) -> None:
        wake, self.wake = self.wake, self.env.event()
        wake.succeed()

    # ---- clerks ---------------------------------------------------------------------

    def clerk(self, counter: CounterSim) -> SimProcess:
        """A counter's day: each stretch of a session it is staffed, it opens, takes its
        breaks, calls until the stretch ends (at a session's end, for a while after,
        until its line is empty), then closes."""
        for session in range(len(self.windows())):
            for begin, end, closes in self._shifts(counter.config.id, session):
                yield from self._shift(counter, begin, end, closes)

    def _shift(self, counter: CounterSim, start: float, end: float, closes: bool) -> SimProcess:
        clerks = self.day.clerks
        if self.env.now < start:
            yield self.env.timeout(start - self.env.now)
        counter.state, counter.since = CounterState.OPEN, None
        opened = self.env.now
        breaks = sorted(
            self.rng.uniform(start + 3600, max(start + 3600, end - 3600))
            for _ in range(clerks.breaks_per_session if self._takes_breaks(start, end) else 0)
        )
        grace = clerks.grace_s if closes else 0.0
        while True:
            now = self.env.now
            if breaks and now >= breaks[0]:
                breaks.pop(0)
                counter.state, counter.since = CounterState.PAUSED, self.now()
                yield self.env.timeout(clerks.break_s)
                counter.state, counter.since = CounterState.OPEN, None
                continue
            if now >= end + grace:
                break
            ticket = self._next_for(counter)
            if ticket is None:
                if now >= end:
                    break
                until = min([end, *breaks[:1]])
                yield self.wake | self.env.timeout(max(1.0, until - now))
                continue
            yield from self.serve(counter, ticket)
        counter.state = CounterState.CLOSED
        counter.open_s += self.env.now - opened
        for i, (begin, until, _) in enumerate(self.slots()):
            overlap = min(until, self.env.now) - max(begin, opened)
            if overlap > 0:
                counter.open_by_slot[i] = counter.open_by_slot.get(i, 0.0) + overlap

    def _next_for(self, counter: CounterSim) -> Ticket | None:
        if counter.returned:
            return counter.returned.pop(0)
        return self.policy.choose(
            self.site,
            counter.config,
            list(self.waiting.values()),
            priority_streak=counter.streak,
            now=self.now(),
        )

    def serve(self, counter: CounterSim, ticket: Ticket) -> SimProcess:
        """One call at a counter, to the ticket's close (done, no-show, parked, moved)."""
        clerks, env = self.day.clerks, self.env
        first_call = ticket.called_at is None
        called_at = env.now
        ticket, event = lifecycle.call(ticket, counter.config, now=self.now(), actor=CLERK)
        self._put(ticket, event)
        counter.current = ticket
        if ticket.status is TicketStatus.CALLED and first_call:
            counter.streak = counter.streak + 1 if ticket.priority is not None else 0
            wait = (self.now() - ticket.issued_at).total_seconds()
            if ticket.transferred_from is None:
                self.last_waits[(ticket.service, ticket.priority is not None)] = wait
            outcome = self.outcomes.get(ticket.id)
            if outcome is not None:
                outcome.wait_s = wait
        visit = self.visits.get(ticket.id) or Visit(self._draw_service_s(self._load(ticket)))
        if visit.no_show:
            yield env.timeout(clerks.recall_after_s)
            ticket, event = lifecycle.recall(ticket, now=self.now(), actor=CLERK)
            self._put(ticket, event)
            yield env.timeout(max(0.0, clerks.no_show_after_s - clerks.recall_after_s))
            ticket, event = lifecycle.no_show(ticket, now=self.now(), actor=CLERK)
            self._put(ticket, event)
        else:
            yield env.timeout(clerks.walk_s)
            if ticket.status is TicketStatus.CALLED:
                ticket, event = lifecycle.start(ticket, now=self.now(), actor=CLERK)
                self._put(ticket, event)
            started = env.now
            if visit.park_away_s is not None:
                # The citizen goes for a missing paper halfway through; the rest of the
                # service happens when they are back and the counter calls them again.
                yield env.timeout(visit.service_s / 2)
                visit.service_s /= 2
                away, visit.park_away_s = visit.park_away_s, None
                ticket, event = lifecycle.park(ticket, now=self.now(), actor=CLERK)
                self._put(ticket, event)
                env.process(self._come_back(counter, ticket, away))
            else:
                yield env.timeout(visit.service_s)
                self.service_s[ticket.service].append(env.now - started)
                if visit.transfer_to is not None and visit.transfer_to in self.services:
                    self._transfer(ticket, visit.transfer_to)
                else:
                    ticket, event = lifecycle.finish(ticket, self.site, now=self.now(), actor=CLERK)
                    self._put(ticket, event)
        self.hold_s[ticket.service].append(env.now - called_at)
        counter.busy_s += env.now - called_at
        slot = self._slot_of(called_at)
        if slot is not None:
            counter.busy_by_slot[slot] = counter.busy_by_slot.get(slot, 0.0) + env.now - called_at
        counter.current = None

    def _load(self, ticket: Ticket) -> FieldLoad:
        return self.day.load_of(self.services[ticket.service])

    def _come_back(self, counter: CounterSim, ticket: Ticket, away_s: float) -> SimProcess:
        yield self.env.timeout(away_s)
        counter.returned.append(self.tickets[ticket.id])
        self._wake()

    def _transfer(self, ticket: Ticket, to: str) -> None:
        closed, opened, events = lifecycle.transfer(
            ticket,
            self.site,
            new_ticket_id=self._new_id(),
            now=self.now(),
            actor=CLERK,
            to_service=self.services[to],
            to_counter=None,
            keep_place=None,
            note="",
        )
        self._put(closed, events[0])
        self._put(opened, events[1])
        self.visits[opened.id] = Visit(self._draw_service_s(self._load(opened)))
        self._wake()

    # ---- the day's end --------------------------------------------------------------

    def close_day(self) -> None:
        """Expire what is still open, as the server does after midnight."""
        after = self.midnight + timedelta(days=1, seconds=1)
        for ticket in list(self.tickets.values()):
            if ticket.status in (TicketStatus.WAITING, TicketStatus.PARKED, TicketStatus.CALLED):
                expired, event = lifecycle.expire(ticket, now=after, time_zone=self.site.time_zone)
                self._put(expired, event)


def staffed_counters(plan: str, counters: Sequence[CounterConfig]) -> frozenset[str] | None:
    """Counter ids from a plan like ``"1-20,25,30-32"`` (counter numbers); ``all``: None."""
    if plan.strip().lower() in ("", "all"):
        return None
    numbers: set[int] = set()
    for part in plan.split(","):
        lo, _, hi = part.strip().partition("-")
        numbers.update(range(int(lo), int(hi or lo) + 1))
    return frozenset(c.id for c in counters if c.number in numbers)
