"""What the screen offers in each state, and the answer hold (pure)."""

import pytest

from counter.rules import ANSWER_HOLD_S, AnswerHold, offered, shown
from server.contract.vocab import CounterState, TicketStatus
from tests.counter.samples import brief, snapshot


def view(state: CounterState = CounterState.OPEN):
    return snapshot(state=state).counter


@pytest.mark.parametrize(
    ("status", "allowed"),
    [
        (TicketStatus.CALLED, {"recall", "start", "finish", "no-show", "transfer", "park"}),
        (TicketStatus.SERVING, {"finish", "transfer", "park"}),
    ],
)
def test_ticket_actions_follow_its_state(status, allowed):
    current = brief("1001", status=status)
    actions = {"recall", "start", "finish", "no-show", "transfer", "park"}
    assert {a for a in actions if offered(a, view(), current)} == allowed
    assert not any(offered(a, view(), None) for a in actions)


def test_a_paused_counter_offers_resume_only():
    paused = view(CounterState.PAUSED)
    assert offered("resume", paused, None)
    for action in ("call-next", "call", "resume-parked", "pause"):
        assert not offered(action, paused, None)
        assert offered(action, view(), None)
    assert not offered("resume", view(), None)
    assert not offered("call-next", None, None)  # nothing loaded yet


def test_rating_is_offered_only_after_a_finish():
    assert not offered("rate", view(), None)
    assert offered("rate", view(), None, rating_open=True)


def test_answer_hold():
    now = [0.0]
    hold = AnswerHold(lambda: now[0])
    called = shown(view(), brief("1001", status=TicketStatus.CALLED, call_count=1))
    idle = shown(view(), None)
    assert not hold.holds_back(idle)  # nothing held
    hold.start(called)
    assert hold.holds_back(idle)
    assert not hold.holds_back(called)  # caught up: the hold ends
    assert not hold.holds_back(idle)
    hold.start(called)
    now[0] += ANSWER_HOLD_S + 0.01
    assert not hold.holds_back(idle)  # too old to hold
