"""The idempotency keys of the clerk's presses: one key per press, reused on retry."""

import itertools

from counter.intents import IntentBook
from server.contract.http import CallIn

IDLE = (None, None, 0, "open")
CALLED = ("t1", "called", 1, "open")


def book() -> IntentBook:
    counter = itertools.count(1)
    return IntentBook(make_key=lambda: f"k{next(counter)}")


def test_a_press_in_flight_refuses_the_same_press():
    intents = book()
    first = intents.begin("call-next", None, IDLE)
    assert first is not None
    assert intents.begin("call-next", None, IDLE) is None
    assert intents.busy("call-next")


def test_another_action_may_run_while_one_is_in_flight():
    intents = book()
    assert intents.begin("call-next", None, IDLE) is not None
    assert intents.begin("pause", None, IDLE) is not None


def test_an_unanswered_press_is_retried_under_the_same_key():
    intents = book()
    first = intents.begin("call-next", None, IDLE)
    assert first is not None
    intents.no_answer(first)
    again = intents.begin("call-next", None, IDLE)
    assert again is not None
    assert again.key == first.key
    assert again.attempts == 2


def test_the_retry_button_resends_the_kept_press():
    intents = book()
    first = intents.begin("finish", None, CALLED)
    assert first is not None
    intents.no_answer(first)
    retried = intents.retry("finish")
    assert retried is not None and retried.key == first.key
    assert intents.retry("recall") is None


def test_an_answered_press_spends_its_key():
    intents = book()
    first = intents.begin("call-next", None, IDLE)
    assert first is not None
    intents.answered(first)
    second = intents.begin("call-next", None, IDLE)
    assert second is not None and second.key != first.key


def test_a_kept_key_is_dropped_once_the_counter_moved_on():
    intents = book()
    first = intents.begin("call-next", None, IDLE)
    assert first is not None
    intents.no_answer(first)
    intents.observe(CALLED)  # the call did happen: the snapshot shows the new ticket
    assert intents.first_unanswered() is None
    second = intents.begin("call-next", None, CALLED)
    assert second is not None and second.key != first.key


def test_the_same_action_with_another_body_is_a_new_press():
    intents = book()
    first = intents.begin("call", CallIn(ticket="1001", reason="x"), IDLE)
    assert first is not None
    intents.no_answer(first)
    other = intents.begin("call", CallIn(ticket="1002", reason="x"), IDLE)
    assert other is not None and other.key != first.key


def test_observing_the_same_state_keeps_the_key():
    intents = book()
    first = intents.begin("start", None, CALLED)
    assert first is not None
    intents.no_answer(first)
    intents.observe(CALLED)
    kept = intents.first_unanswered()
    assert kept is not None and kept.key == first.key
