"""Random days in a small hall, driven only through the engine's functions.

Hypothesis plays kiosks and clerks in random order; after every step the hall
must hold: numbers unique per service and day, every visit traceable from its
first ticket to exactly one current ticket, each ticket's log replaying to its
state, refusals changing nothing, and no counter holding two tickets.
"""

import json
from collections import Counter as Tally
from datetime import datetime, time, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from server.contract.vocab import ACTIVE_STATUSES, TicketStatus
from server.engine import issuing, lifecycle
from server.engine.errors import Refusal
from server.engine.model import Event, OpeningHours, Ticket
from server.engine.numbering import business_day
from server.engine.policy import DefaultPolicy, priority_streak

from .factories import MONDAY_9AM, counter, service, site

S = TicketStatus
ALWAYS = OpeningHours(windows=((time(0, 0), time(23, 59, 59)),), weekdays=frozenset(range(7)))
SERVICES = {
    "A": service("A", hours=ALWAYS),
    "B": service("B", hours=ALWAYS, daily_quota=6),
    "C": service("C", hours=ALWAYS, enabled=False),
}
COUNTERS = {
    "c1": counter("c1", ("A", "B"), 1),
    "c2": counter("c2", ("B",), 2, weights={"B": 1}),
    "c3": counter("c3", ("A",), 3, priority_counter=True),
}
CITIZENS = [None, None, "k1", "k2"]

# What each event kind does to a ticket's status, to replay a log.
REPLAY = {
    "issued": S.WAITING,
    "transferred_in": S.WAITING,
    "called": S.CALLED,
    "recalled": S.CALLED,
    "started": S.SERVING,
    "finished": S.DONE,
    "no_show": S.NO_SHOW,
    "parked": S.PARKED,
    "cancelled": S.CANCELLED,
    "expired": S.EXPIRED,
    "transferred": S.TRANSFERRED,
}
CLOSED_OUTCOME = {
    S.DONE: "served",
    S.NO_SHOW: "no_show",
    S.TRANSFERRED: "transferred",
    S.CANCELLED: "cancelled",
    S.EXPIRED: "expired",
}


class Hall(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.site = site(
            require_close_before_call=True,
            max_tickets_per_citizen_day=3,
            aging_after_s=1200,
            priority_ratio=2,
        )
        self.now: datetime = MONDAY_9AM
        self.tickets: dict[str, Ticket] = {}
        self.events: list[Event] = []
        self.seq: Tally[tuple[str, object]] = Tally()
        self.next_id = 0
        self.calls: dict[str, list[Ticket]] = {cid: [] for cid in COUNTERS}
        self.policy = DefaultPolicy()

    # ---- helpers ---------------------------------------------------------------------

    def new_id(self) -> str:
        self.next_id += 1
        return f"t{self.next_id}"

    def today(self) -> object:
        return business_day(self.now, self.site.time_zone)

    def held_by(self, cid: str) -> Ticket | None:
        held = [
            t
            for t in self.tickets.values()
            if t.counter_id == cid and t.status in {S.CALLED, S.SERVING}
        ]
        assert len(held) <= 1
        return held[0] if held else None

    def save(self, *changed: Ticket) -> None:
        for t in changed:
            self.tickets[t.id] = t

    def pick(
        self, data: st.DataObject, statuses: frozenset[TicketStatus] | None = None
    ) -> Ticket | None:
        pool = sorted(
            (t for t in self.tickets.values() if statuses is None or t.status in statuses),
            key=lambda t: t.id,
        )
        return data.draw(st.sampled_from(pool)) if pool else None

    # ---- kiosks ----------------------------------------------------------------------

    @rule(
        code=st.sampled_from(sorted(SERVICES)),
        priority=st.sampled_from([None, None, "elderly", "vip"]),
        citizen=st.sampled_from(CITIZENS),
    )
    def issue(self, code: str, priority: str | None, citizen: str | None) -> None:
        svc = SERVICES[code]
        key = (code, self.today())
        mine = [
            t for t in self.tickets.values() if citizen is not None and t.citizen_key == citizen
        ]
        before = dict(self.tickets)
        try:
            ticket, event = issuing.issue(
                self.site,
                svc,
                ticket_id=self.new_id(),
                seq=self.seq[key] + 1,
                now=self.now,
                issued_today=self.seq[key],
                priority=priority,
                language="vi",
                citizen_key=citizen,
                citizen_tickets_today=mine,
                estimate_s=None,
                actor="kiosk",
            )
        except Refusal as refusal:
            assert refusal.code in {
                "service_disabled",
                "quota_reached",
                "unknown_priority",
                "citizen_active_ticket",
                "citizen_daily_limit",
            }
            assert self.tickets == before
            return
        assert code != "C" and priority != "vip"
        self.seq[key] += 1
        self.save(ticket)
        self.events.append(event)

    # ---- counters --------------------------------------------------------------------

    @rule(cid=st.sampled_from(sorted(COUNTERS)))
    def call_next(self, cid: str) -> None:
        the_counter = COUNTERS[cid]
        current = self.held_by(cid)
        try:
            lifecycle.can_call_next(current, self.site)
        except Refusal as refusal:
            assert refusal.code == "counter_busy"
            assert current is not None
            return
        assert current is None
        waiting = [t for t in self.tickets.values() if t.status is S.WAITING]
        streak = priority_streak(list(reversed(self.calls[cid])))
        chosen = self.policy.choose(
            self.site, the_counter, waiting, priority_streak=streak, now=self.now
        )
        if chosen is None:
            assert not any(
                t.target_counter == cid
                or (t.target_counter is None and t.service in the_counter.services)
                for t in waiting
            )
            return
        called, event = lifecycle.call(chosen, the_counter, now=self.now, actor=cid)
        self.calls[cid].append(called)
        self.save(called)
        self.events.append(event)

    @rule(cid=st.sampled_from(sorted(COUNTERS)), data=st.data())
    def call_specific(self, cid: str, data: st.DataObject) -> None:
        target = self.pick(data, frozenset({S.WAITING, S.PARKED}))
        if target is None or self.held_by(cid) is not None:
            return
        try:
            called, event = lifecycle.call(
                target, COUNTERS[cid], now=self.now, actor=cid, reason="hẹn trước"
            )
        except Refusal as refusal:
            assert refusal.code == "ticket_not_callable"
            assert not lifecycle.may_call(target, COUNTERS[cid])
            return
        self.calls[cid].append(called)
        self.save(called)
        self.events.append(event)

    @rule(
        cid=st.sampled_from(sorted(COUNTERS)),
        action=st.sampled_from(["recall", "start", "start", "finish", "finish", "no_show", "park"]),
    )
    def clerk_acts(self, cid: str, action: str) -> None:
        """What a clerk does with the ticket at the counter, mostly the happy path."""
        held = self.held_by(cid)
        if held is None:
            return
        try:
            if action == "finish":
                changed, event = lifecycle.finish(held, self.site, now=self.now, actor=cid)
            else:
                changed, event = getattr(lifecycle, action)(held, now=self.now, actor=cid)
        except Refusal as refusal:
            assert refusal.code == "invalid_transition"
            return
        assert event.counter_id == cid
        self.save(changed)
        self.events.append(event)

    @rule(
        action=st.sampled_from(["recall", "start", "finish", "no_show", "park", "cancel"]),
        data=st.data(),
    )
    def act_on_any_ticket(self, action: str, data: st.DataObject) -> None:
        """Any action on any ticket: the engine allows exactly the documented transitions."""
        target = self.pick(data)
        if target is None:
            return
        allowed = {
            "recall": {S.CALLED},
            "start": {S.CALLED},
            "finish": {S.SERVING},
            "no_show": {S.CALLED},
            "park": {S.CALLED, S.SERVING},
            "cancel": set(ACTIVE_STATUSES),
        }[action]
        try:
            if action == "finish":
                changed, event = lifecycle.finish(target, self.site, now=self.now, actor="clerk")
            elif action == "cancel":
                changed, event = lifecycle.cancel(target, now=self.now, actor="sup", reason="thử")
            else:
                changed, event = getattr(lifecycle, action)(target, now=self.now, actor="clerk")
        except Refusal as refusal:
            assert refusal.code == "invalid_transition"
            assert target.status not in allowed
            return
        assert target.status in allowed
        self.save(changed)
        self.events.append(event)

    @rule(
        data=st.data(),
        to_service=st.sampled_from([None, "A", "B", "C"]),
        to_counter=st.sampled_from([None, "c1", "c2", "c3"]),
        keep=st.sampled_from([None, True, False]),
    )
    def transfer(
        self, data: st.DataObject, to_service: str | None, to_counter: str | None, keep: bool | None
    ) -> None:
        target = self.pick(data, frozenset({S.CALLED, S.SERVING, S.PARKED}))
        if target is None:
            return
        try:
            old, new, events = lifecycle.transfer(
                target,
                self.site,
                new_ticket_id=self.new_id(),
                now=self.now,
                actor="clerk",
                to_service=SERVICES[to_service] if to_service else None,
                to_counter=COUNTERS[to_counter] if to_counter else None,
                keep_place=keep,
            )
        except Refusal as refusal:
            assert refusal.code == "transfer_target_invalid"
            return
        assert new.id not in self.tickets
        self.save(old, new)
        self.events.extend(events)

    @rule(seconds=st.integers(0, 900))
    def time_passes(self, seconds: int) -> None:
        self.now += timedelta(seconds=seconds)

    @precondition(lambda self: len(self.tickets) >= 12)
    @rule()
    def night_falls(self) -> None:
        """The next morning: every open ticket of yesterday expires; numbers restart."""
        self.now = self.now + timedelta(days=1)
        for t in list(self.tickets.values()):
            if t.status in ACTIVE_STATUSES:
                expired, event = lifecycle.expire(t, now=self.now, time_zone=self.site.time_zone)
                self.save(expired)
                self.events.append(event)

    # ---- what must always hold -------------------------------------------------------------

    @invariant()
    def numbers_are_unique_per_service_and_day(self) -> None:
        firsts = [t for t in self.tickets.values() if t.transferred_from is None]
        keys = [(t.service, t.business_day, t.number) for t in firsts]
        assert len(keys) == len(set(keys))
        for (code, day), count in self.seq.items():
            seqs = sorted(t.seq for t in firsts if t.service == code and t.business_day == day)
            assert seqs == list(range(1, count + 1))

    @invariant()
    def every_visit_has_exactly_one_current_ticket(self) -> None:
        children = Tally(t.transferred_from for t in self.tickets.values() if t.transferred_from)
        for t in self.tickets.values():
            if t.status is S.TRANSFERRED:
                assert children[t.id] == 1
            else:
                assert children[t.id] == 0
            if t.transferred_from is not None:
                parent = self.tickets[t.transferred_from]
                assert parent.status is S.TRANSFERRED
                assert (parent.number, parent.seq, parent.business_day) == (
                    t.number,
                    t.seq,
                    t.business_day,
                )

    @invariant()
    def logs_replay_to_the_state(self) -> None:
        replayed: dict[str, TicketStatus] = {}
        for event in self.events:
            if event.kind in {"issued", "transferred_in"}:
                assert event.ticket_id not in replayed
            else:
                assert event.ticket_id in replayed
            replayed[event.ticket_id] = REPLAY[event.kind]
        assert replayed == {tid: t.status for tid, t in self.tickets.items()}

    @invariant()
    def event_data_is_plain_json(self) -> None:
        for event in self.events[-3:]:
            assert json.loads(json.dumps(dict(event.data))) == dict(event.data)
            assert event.at.utcoffset() is not None

    @invariant()
    def outcomes_match_states(self) -> None:
        for t in self.tickets.values():
            if t.status in ACTIVE_STATUSES:
                assert t.outcome is None and t.finished_at is None
            else:
                assert t.outcome == CLOSED_OUTCOME[t.status]
                assert t.finished_at is not None
            if t.status in {S.CALLED, S.SERVING, S.PARKED}:
                assert t.counter_id is not None and t.called_at is not None and t.call_count >= 1

    @invariant()
    def no_counter_holds_two_tickets(self) -> None:
        for cid in COUNTERS:
            self.held_by(cid)


Hall.TestCase.settings = settings(max_examples=150, stateful_step_count=50, deadline=None)
test_hall = Hall.TestCase
