"""Every wait estimator on hand-built states (``Line``): what it promises and why."""

import random
from dataclasses import replace
from datetime import timedelta

from server.contract.vocab import CounterState, TicketStatus
from server.engine.estimate import (
    CounterNow,
    Line,
    by_line,
    head_of_line,
    last_to_enter_service,
    next_window_start,
    queue_length,
    recent_rate,
    spread,
)
from server.engine.estimators import DEFAULT_ESTIMATOR, ESTIMATORS, estimator_for
from server.engine.lookahead import look_ahead

from .factories import MONDAY_9AM, counter, service, site, ticket

NOW = MONDAY_9AM
SERVICES = {"A": service("A", default_service_s=600), "B": service("B", default_service_s=300)}


def open_counter(cid: str = "c1", services: tuple[str, ...] = ("A",), **kw) -> CounterNow:
    return CounterNow(counter(cid, services, number=int(cid[1:])), CounterState.OPEN, **kw)


def line(waiting, counters, **kw) -> Line:
    return Line(now=NOW, site=site(), services=SERVICES, counters=counters, waiting=waiting, **kw)


def line_of(n: int) -> list:
    """``n`` tickets of field A waiting, the oldest ``n`` minutes ago."""
    return [ticket(f"a{i}", seq=i, minutes_ago=n - i + 1) for i in range(1, n + 1)]


def me(seq: int = 99, **kw):
    return ticket("me", seq=seq, minutes_ago=0, **kw)


class TestQueueLength:
    def test_people_ahead_times_service_time_over_open_counters(self):
        state = line(line_of(4), [open_counter("c1"), open_counter("c2")])
        assert queue_length(me(), state).wait_s == 4 * 600 / 2

    def test_learns_from_recent_service_times(self):
        state = line(line_of(2), [open_counter()], service_s={"A": [120.0] * 10})
        assert queue_length(me(), state).wait_s == 2 * 120

    def test_no_counter_open_counts_from_the_next_session(self):
        # 11:45 on a Monday: the morning session ended, the afternoon starts at 13:00.
        noon = NOW.replace(hour=4, minute=45)
        closed = CounterNow(counter("c1", ("A",)), CounterState.CLOSED)
        state = replace(line(line_of(1), [closed]), now=noon)
        estimate = queue_length(ticket("me", seq=9, now=noon), state)
        assert not estimate.counters_open
        assert estimate.opens_at is not None
        assert (estimate.opens_at.hour, estimate.opens_at.minute) == (6, 0)  # 13:00 local
        assert estimate.wait_s == 75 * 60 + 600


class TestLastToEnterService:
    def test_the_last_call_of_the_same_line(self):
        state = line(line_of(3), [open_counter()], last_waits={("A", False): 1500.0})
        assert last_to_enter_service(me(), state).wait_s == 1500

    def test_priority_tickets_have_their_own_line(self):
        waits = {("A", False): 1500.0, ("A", True): 200.0}
        state = line(line_of(3), [open_counter()], last_waits=waits)
        assert last_to_enter_service(me(priority="elderly"), state).wait_s == 200

    def test_falls_back_to_queue_length_before_the_first_call(self):
        state = line(line_of(3), [open_counter()])
        assert last_to_enter_service(me(), state) == queue_length(me(), state)


class TestHeadOfLine:
    def test_refined_head_of_line(self):
        # The head waited 4 minutes while 4 came: the fifth should wait 4 * 5/4 = 5 minutes.
        state = line(line_of(4), [open_counter()])
        assert head_of_line(me(), state).wait_s == 5 * 60

    def test_an_empty_line_falls_back_to_the_last_to_enter_service(self):
        state = line([], [open_counter()], last_waits={("A", False): 90.0})
        assert head_of_line(me(), state).wait_s == 90


class TestLookAhead:
    def test_one_counter_serves_the_line_in_order(self):
        state = line(line_of(3), [open_counter()])
        assert look_ahead(me(), state).wait_s == 3 * 600

    def test_a_busy_counter_finishes_its_current_ticket_first(self):
        held = ticket(
            "x",
            seq=50,
            minutes_ago=20,
            status=TicketStatus.SERVING,
            called_at=NOW - timedelta(minutes=4),
        )
        state = line(line_of(1), [open_counter(current=held)])
        # 6 of the 10 typical minutes are left, then one ticket ahead.
        assert look_ahead(me(), state).wait_s == 6 * 60 + 600

    def test_counters_prefer_their_first_field(self):
        # c1 serves A before B; c2 serves only B. A ticket of B waits for c2, not c1.
        waiting = [*line_of(3), ticket("b1", "B", seq=1, minutes_ago=1)]
        counters = [open_counter("c1", ("A", "B")), open_counter("c2", ("B",))]
        mine = ticket("me", "B", seq=2)
        assert look_ahead(mine, line(waiting, counters)).wait_s == 300

    def test_a_priority_ticket_goes_first(self):
        state = line(line_of(3), [open_counter()])
        assert look_ahead(me(priority="elderly"), state).wait_s == 0

    def test_expected_priority_arrivals_go_before_a_normal_ticket(self):
        counters = [open_counter()]
        plain = look_ahead(me(), line(line_of(2), counters)).wait_s
        busy = line(line_of(2), counters, arrivals_per_h={("A", True): 2.0})
        # Two an hour: one is expected at 15 minutes, while the second ticket ahead is
        # served, so it goes next: one more service before this one.
        assert look_ahead(me(), busy).wait_s == plain + 600

    def test_a_paused_counter_comes_back_after_a_break(self):
        paused = CounterNow(
            counter("c1", ("A",)), CounterState.PAUSED, since=NOW - timedelta(minutes=5)
        )
        estimate = look_ahead(me(), line([], [paused]))
        assert estimate.wait_s == 10 * 60
        assert not estimate.counters_open

    def test_the_range_narrows_with_more_services_ahead(self):
        few = spread(600, 1)
        many = spread(6000, 30)
        assert few[0] < 600 < few[1]
        assert (many[1] - many[0]) / 6000 < (few[1] - few[0]) / 600


def test_recent_rate_counts_the_last_hour_or_the_session_so_far():
    times = [NOW - timedelta(minutes=m) for m in (5, 15, 25, 70)]
    assert recent_rate(times, NOW, None) == 3.0
    assert recent_rate(times, NOW, NOW - timedelta(minutes=30)) == 6.0
    assert recent_rate(times, NOW, NOW - timedelta(minutes=2)) == 0.0  # too short to tell


def test_next_window_start_is_today_only():
    assert next_window_start(site(), NOW) is not None  # 9:00 -> 13:00
    evening = NOW.replace(hour=11)  # 18:00 local
    assert next_window_start(site(), evening) is None


def test_sites_choose_their_estimator_and_an_unknown_name_gets_the_default():
    assert estimator_for(site(wait_estimator="head-of-line")) is ESTIMATORS["head-of-line"]
    assert estimator_for(site(wait_estimator="crystal-ball")) is ESTIMATORS[DEFAULT_ESTIMATOR]


def test_look_ahead_knows_how_long_counters_serve_after_a_session_ends():
    late = NOW.replace(hour=4, minute=20)  # 11:20 local; the session ends at 11:30
    waiting = [ticket(f"a{i}", seq=i, minutes_ago=30 - i, now=late) for i in (1, 2)]
    mine = ticket("me", seq=9, now=late)
    state = replace(line(waiting, [open_counter()]), now=late)
    # The second ticket ahead waits for the afternoon (13:00), then this one follows it.
    assert look_ahead(mine, state).wait_s == (100 + 10) * 60
    serving_on = replace(state, site=site(serve_after_close_s=30 * 60))
    assert look_ahead(mine, serving_on).wait_s == 20 * 60


def test_a_line_kept_by_line_gives_the_same_answers_as_the_whole_queue():
    """The service keeps a site's waiting tickets by line (``Line.lines``) so an estimate
    reads only the lines near the ticket's; every estimator must answer as from the
    whole queue, for a normal, a priority and a transferred ticket, waiting or new."""
    rng = random.Random(5)
    waiting = []
    for i in range(1, 120):
        waiting.append(
            ticket(
                f"t{i}",
                rng.choice("AB"),
                seq=i,
                minutes_ago=rng.uniform(0, 90),
                priority="elderly" if rng.random() < 0.15 else None,
                target_counter="c2" if rng.random() < 0.05 else None,
                status=TicketStatus.WAITING if rng.random() < 0.9 else TicketStatus.PARKED,
            )
        )
    counters = [
        open_counter("c1", ("A", "B")),
        open_counter("c2", ("B",), current=ticket("x", "B", minutes_ago=3)),
        open_counter("c3", ("A",), priority_streak=2),
    ]
    whole = line(waiting, counters, arrivals_per_h={("A", True): 6.0, ("B", False): 20.0})
    kept = replace(whole, lines=by_line(waiting))
    asked = [*waiting[:40], me(), me(priority="elderly"), me(service="B", target_counter="c2")]
    for mine in asked:
        for name, estimator in ESTIMATORS.items():
            assert estimator(mine, kept) == estimator(mine, whole), (name, mine.id)
