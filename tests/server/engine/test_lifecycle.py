from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from server.contract.vocab import ACTIVE_STATUSES, Outcome, TicketStatus
from server.engine import lifecycle
from server.engine.errors import Refusal
from server.engine.model import Event, Ticket

from .factories import MONDAY_9AM, counter, service, site, ticket

LATER = MONDAY_9AM + timedelta(minutes=5)
S = TicketStatus


def in_status(status: TicketStatus, **changes: Any) -> Ticket:
    held = status in {S.CALLED, S.SERVING, S.PARKED}
    return ticket(
        status=status,
        counter_id="c1" if held else None,
        called_at=MONDAY_9AM if held else None,
        call_count=1 if held else 0,
        **changes,
    )


# Each action, applied with the arguments it needs.
ACTIONS: dict[str, Callable[[Ticket], tuple[object, ...]]] = {
    "call": lambda t: lifecycle.call(t, counter(), now=LATER, actor="u1"),
    "recall": lambda t: lifecycle.recall(t, now=LATER, actor="u1"),
    "start": lambda t: lifecycle.start(t, now=LATER, actor="u1"),
    "finish": lambda t: lifecycle.finish(t, site(), now=LATER, actor="u1"),
    "no_show": lambda t: lifecycle.no_show(t, now=LATER, actor="u1"),
    "park": lambda t: lifecycle.park(t, now=LATER, actor="u1"),
    "cancel": lambda t: lifecycle.cancel(t, now=LATER, actor="u1", reason="test"),
    "transfer": lambda t: lifecycle.transfer(
        t,
        site(),
        new_ticket_id="t2",
        now=LATER,
        actor="u1",
        to_service=service("B"),
        to_counter=None,
        keep_place=None,
    ),
}

ALLOWED: dict[str, set[TicketStatus]] = {
    "call": {S.WAITING, S.PARKED},
    "recall": {S.CALLED},
    "start": {S.CALLED},
    "finish": {S.SERVING},
    "no_show": {S.CALLED},
    "park": {S.CALLED, S.SERVING},
    "cancel": set(ACTIVE_STATUSES),
    "transfer": {S.CALLED, S.SERVING, S.PARKED},
}


@pytest.mark.parametrize("status", list(TicketStatus))
@pytest.mark.parametrize("action", list(ACTIONS))
def test_transition_matrix(action: str, status: TicketStatus):
    before = in_status(status)
    if status in ALLOWED[action]:
        result = ACTIONS[action](before)
        events = result[-1] if isinstance(result[-1], list) else [result[-1]]
        assert all(isinstance(e, Event) for e in events)
        assert before.status is status  # nothing mutated
    else:
        with pytest.raises(Refusal) as caught:
            ACTIONS[action](before)
        assert caught.value.code == "invalid_transition"
        assert caught.value.details == {"status": status.value, "action": action}


def test_call_from_waiting():
    called, event = lifecycle.call(ticket(), counter(number=5), now=LATER, actor="u1")
    assert called.status is S.CALLED
    assert called.counter_id == "c1"
    assert called.called_at == LATER
    assert called.call_count == 1
    assert event.kind == "called"
    assert event.counter_id == "c1"
    assert event.actor == "u1"
    assert event.at == LATER
    assert event.data == {
        "number": "A001",
        "counter_number": 5,
        "call_count": 1,
        "from_status": "waiting",
    }


def test_specific_number_call_records_the_reason():
    _, event = lifecycle.call(
        ticket(), counter(), now=LATER, actor="u1", reason="người cao tuổi đến trước"
    )
    assert event.data["reason"] == "người cao tuổi đến trước"


def test_counter_cannot_call_a_service_it_does_not_serve():
    with pytest.raises(Refusal) as caught:
        lifecycle.call(ticket(service_code="B"), counter(number=3), now=LATER, actor="u1")
    assert caught.value.code == "ticket_not_callable"
    assert caught.value.details == {"number": "B001", "counter": 3}


def test_ticket_transferred_to_a_counter_is_only_callable_there():
    moved = ticket(service_code="B", target_counter="c9")
    with pytest.raises(Refusal):
        lifecycle.call(moved, counter("c1", ("B",)), now=LATER, actor="u1")
    called, _ = lifecycle.call(moved, counter("c9", ("Z",)), now=LATER, actor="u9")
    assert called.counter_id == "c9"


def test_recall_counts_and_keeps_first_call_time():
    called, _ = lifecycle.call(ticket(), counter(), now=MONDAY_9AM, actor="u1")
    again, event = lifecycle.recall(called, now=LATER, actor="u1")
    assert again.call_count == 2
    assert again.called_at == MONDAY_9AM
    assert again.status is S.CALLED
    assert event.kind == "recalled"
    assert event.counter_id == "c1"
    assert event.data == {"number": "A001", "call_count": 2}


def test_start_and_finish():
    called, _ = lifecycle.call(ticket(), counter(), now=MONDAY_9AM, actor="u1")
    serving, started = lifecycle.start(called, now=LATER, actor="u1")
    assert serving.status is S.SERVING
    assert serving.started_at == LATER
    assert started.kind == "started"
    end = LATER + timedelta(minutes=7)
    done, finished = lifecycle.finish(serving, site(), now=end, actor="u1")
    assert done.status is S.DONE
    assert done.outcome is Outcome.SERVED
    assert done.finished_at == end
    assert finished.kind == "finished"
    assert finished.counter_id == "c1"


def test_finish_straight_from_called_when_the_site_allows_it():
    called = in_status(S.CALLED)
    with pytest.raises(Refusal):
        lifecycle.finish(called, site(), now=LATER, actor="u1")
    done, _ = lifecycle.finish(
        called, site(require_start_before_finish=False), now=LATER, actor="u1"
    )
    assert done.outcome is Outcome.SERVED


def test_no_show():
    gone, event = lifecycle.no_show(in_status(S.CALLED), now=LATER, actor="u1")
    assert gone.status is S.NO_SHOW
    assert gone.outcome is Outcome.NO_SHOW
    assert gone.finished_at == LATER
    assert event.kind == "no_show"


def test_park_and_resume_keeps_counter_first_call_and_start():
    serving = in_status(S.SERVING, started_at=MONDAY_9AM)
    parked, event = lifecycle.park(serving, now=LATER, actor="u1", note="đi photo giấy tờ")
    assert parked.status is S.PARKED
    assert parked.counter_id == "c1"
    assert parked.note == "đi photo giấy tờ"
    assert event.data == {
        "number": "A001",
        "from_status": "serving",
        "note": "đi photo giấy tờ",
    }
    back, called = lifecycle.call(parked, counter(), now=LATER + timedelta(minutes=10), actor="u1")
    assert back.status is S.CALLED
    assert back.call_count == 2
    assert back.called_at == MONDAY_9AM
    assert called.data["from_status"] == "parked"
    resumed, _ = lifecycle.start(back, now=LATER + timedelta(minutes=11), actor="u1")
    assert resumed.started_at == MONDAY_9AM


def test_cancel_keeps_reason():
    gone, event = lifecycle.cancel(ticket(), now=LATER, actor="sup", reason="công dân rút hồ sơ")
    assert gone.status is S.CANCELLED
    assert gone.outcome is Outcome.CANCELLED
    assert event.data == {
        "number": "A001",
        "reason": "công dân rút hồ sơ",
        "from_status": "waiting",
    }


class TestExpire:
    def test_same_local_day_is_refused(self):
        # 23:59 local on Monday.
        late = datetime(2026, 11, 23, 16, 59, tzinfo=UTC)
        with pytest.raises(Refusal) as caught:
            lifecycle.expire(ticket(), now=late)
        assert caught.value.code == "invalid_transition"

    def test_after_local_midnight(self):
        midnight = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
        gone, event = lifecycle.expire(in_status(S.PARKED), now=midnight)
        assert gone.status is S.EXPIRED
        assert gone.outcome is Outcome.EXPIRED
        assert gone.finished_at == midnight
        assert event.actor == "system"
        assert event.kind == "expired"
        assert event.data == {"number": "A001", "from_status": "parked"}

    def test_site_time_zone(self):
        midnight_hcm = datetime(2026, 11, 23, 17, 0, tzinfo=UTC)
        with pytest.raises(Refusal):
            lifecycle.expire(ticket(), now=midnight_hcm, time_zone="UTC")

    @pytest.mark.parametrize("status", sorted(set(S) - ACTIVE_STATUSES))
    def test_closed_tickets_do_not_expire(self, status: TicketStatus):
        with pytest.raises(Refusal):
            lifecycle.expire(in_status(status), now=MONDAY_9AM + timedelta(days=2))


class TestTransfer:
    def do(self, before: Ticket, **kwargs: object) -> tuple[Ticket, Ticket, list[Event]]:
        args: dict[str, object] = {
            "new_ticket_id": "t2",
            "now": LATER,
            "actor": "u1",
            "to_service": service("B"),
            "to_counter": None,
            "keep_place": None,
            "note": "",
        }
        the_site = kwargs.pop("site", site())
        args.update(kwargs)
        return lifecycle.transfer(before, the_site, **args)  # type: ignore[arg-type]

    def test_to_another_service_keeping_place(self):
        before = in_status(S.SERVING, priority="elderly", citizen_key="k1", language="en")
        old, new, events = self.do(before, note="cần hồ sơ đất đai")
        assert old.status is S.TRANSFERRED
        assert old.outcome is Outcome.TRANSFERRED
        assert old.finished_at == LATER
        assert new.id == "t2"
        assert new.status is S.WAITING
        assert new.service == "B"
        assert (new.number, new.seq, new.business_day) == (
            before.number,
            before.seq,
            before.business_day,
        )
        assert new.queue_at == before.queue_at
        assert new.transferred_from == before.id
        assert new.target_counter is None
        assert new.counter_id is None
        assert new.call_count == 0
        assert new.called_at is None
        assert (new.priority, new.citizen_key, new.language) == ("elderly", "k1", "en")
        assert [e.kind for e in events] == ["transferred", "transferred_in"]
        assert [e.ticket_id for e in events] == [before.id, "t2"]
        assert events[0].data["to_ticket"] == "t2"
        assert events[1].data["from_ticket"] == before.id
        assert events[0].data["note"] == "cần hồ sơ đất đai"
        assert all(e.counter_id == "c1" for e in events)

    def test_front_of_the_line(self):
        _, new, events = self.do(in_status(S.CALLED), keep_place=False)
        # Local midnight of the business day, the earliest place any ticket can have.
        assert new.queue_at == datetime(2026, 11, 22, 17, 0, tzinfo=UTC)
        assert events[0].data["keep_place"] is False

    def test_site_default_decides_when_not_asked(self):
        _, new, _ = self.do(in_status(S.CALLED), site=site(transfer_keeps_place=False))
        assert new.queue_at < MONDAY_9AM

    def test_to_a_counter_of_the_same_service(self):
        _, new, events = self.do(
            in_status(S.PARKED), to_service=None, to_counter=counter("c7", ("A",), 7)
        )
        assert new.service == "A"
        assert new.target_counter == "c7"
        assert events[1].data["to_counter"] == "c7"

    def test_target_counter_must_serve_the_service(self):
        with pytest.raises(Refusal) as caught:
            self.do(in_status(S.CALLED), to_counter=counter("c7", ("A",), 7))
        assert caught.value.code == "transfer_target_invalid"
        assert caught.value.details == {"service": "B", "counter": "c7"}

    def test_needs_a_target(self):
        with pytest.raises(Refusal) as caught:
            self.do(in_status(S.CALLED), to_service=None)
        assert caught.value.code == "transfer_target_invalid"

    def test_not_to_a_disabled_service(self):
        with pytest.raises(Refusal) as caught:
            self.do(in_status(S.CALLED), to_service=service("B", enabled=False))
        assert caught.value.code == "transfer_target_invalid"


class TestCanCallNext:
    def test_free_counter(self):
        lifecycle.can_call_next(None, site(require_close_before_call=True))

    @pytest.mark.parametrize("status", [S.CALLED, S.SERVING])
    def test_busy_counter(self, status: TicketStatus):
        with pytest.raises(Refusal) as caught:
            lifecycle.can_call_next(in_status(status), site(require_close_before_call=True))
        assert caught.value.code == "counter_busy"
        assert caught.value.details == {"number": "A001"}

    def test_busy_counter_may_call_when_the_site_allows(self):
        lifecycle.can_call_next(in_status(S.SERVING), site())

    @pytest.mark.parametrize("status", [S.PARKED, S.DONE, S.NO_SHOW])
    def test_closed_or_parked_ticket_does_not_block(self, status: TicketStatus):
        lifecycle.can_call_next(in_status(status), site(require_close_before_call=True))
