import math
from datetime import timedelta

import pytest

from server.contract.vocab import TicketStatus
from server.engine.estimate import (
    accuracy,
    actual_wait_s,
    estimate_pairs,
    estimate_wait_s,
    people_ahead,
    typical_service_s,
)

from .factories import MONDAY_9AM, ticket


class TestPeopleAhead:
    def test_counts_earlier_tickets_of_the_same_service(self):
        waiting = [
            ticket("a1", seq=1, minutes_ago=10),
            ticket("a2", seq=2, minutes_ago=5),
            ticket("me", seq=3, minutes_ago=1),
            ticket("a4", seq=4, minutes_ago=0),
            ticket("b1", "B", seq=1, minutes_ago=30),
        ]
        assert people_ahead(waiting[2], waiting) == 2
        assert people_ahead(waiting[0], waiting) == 0

    def test_priority_tickets_are_ahead_of_normal_ones(self):
        me = ticket("me", seq=1, minutes_ago=10)
        elder = ticket("elder", seq=2, minutes_ago=1, priority="elderly")
        assert people_ahead(me, [me, elder]) == 1
        assert people_ahead(elder, [me, elder]) == 0

    def test_only_waiting_tickets_count(self):
        me = ticket("me", seq=5)
        others = [
            ticket("called", seq=1, minutes_ago=9, status=TicketStatus.CALLED),
            ticket("parked", seq=2, minutes_ago=9, status=TicketStatus.PARKED),
            ticket("done", seq=3, minutes_ago=9, status=TicketStatus.DONE),
        ]
        assert people_ahead(me, [me, *others]) == 0

    def test_the_ticket_need_not_be_in_the_list(self):
        me = ticket("me", seq=9)
        assert people_ahead(me, [ticket("a", seq=1, minutes_ago=3)]) == 1

    def test_counter_lines_are_separate(self):
        to_c7 = ticket("t7", seq=1, minutes_ago=20, target_counter="c7")
        me = ticket("me", seq=2, minutes_ago=5)
        also_c7 = ticket("also", seq=3, minutes_ago=1, target_counter="c7")
        assert people_ahead(me, [to_c7, me, also_c7]) == 0
        assert people_ahead(also_c7, [to_c7, me, also_c7]) == 1


class TestEstimate:
    def test_default_until_enough_samples(self):
        assert typical_service_s([60, 60], 600) == 600
        assert estimate_wait_s(3, [60, 60], 1, 600) == 1800

    def test_shared_among_open_counters(self):
        samples = [300.0] * 10
        assert estimate_wait_s(6, samples, 3, 600) == 600

    def test_no_counter_open_counts_as_one(self):
        assert estimate_wait_s(2, [], 0, 500) == 1000

    def test_nobody_ahead(self):
        assert estimate_wait_s(0, [300.0] * 10, 2, 600) == 0

    def test_trimmed_mean_shrugs_off_a_forgotten_finish(self):
        samples = [300.0] * 9 + [4 * 3600.0]
        assert typical_service_s(samples, 600) == pytest.approx(300.0)

    def test_bad_samples_are_ignored(self):
        samples = [300.0] * 5 + [math.nan, math.inf, -5.0, 0.0]
        assert typical_service_s(samples, 600) == pytest.approx(300.0)

    def test_negative_people_ahead_is_a_programming_error(self):
        with pytest.raises(ValueError, match="negative"):
            estimate_wait_s(-1, [], 1, 600)


class TestAccuracy:
    def test_errors_and_share_within_a_quarter(self):
        result = accuracy([(600, 600), (500, 600), (900, 600), (0, 120)])
        assert result["count"] == 4
        assert result["mean_abs_error_s"] == pytest.approx((0 + 100 + 300 + 120) / 4)
        assert result["median_abs_error_s"] == pytest.approx(110)
        assert result["mean_error_s"] == pytest.approx((0 - 100 + 300 - 120) / 4)
        assert result["median_error_s"] == pytest.approx(-50)
        assert result["within_25pct"] == pytest.approx(0.5)

    def test_no_estimates(self):
        result = accuracy([])
        assert result["count"] == 0
        assert set(result) == {
            "count",
            "mean_abs_error_s",
            "median_abs_error_s",
            "mean_error_s",
            "median_error_s",
            "within_25pct",
        }


class TestActualWaits:
    def test_issue_to_first_call(self):
        called = ticket(
            minutes_ago=12, status=TicketStatus.CALLED, called_at=MONDAY_9AM, estimate_s=600
        )
        assert actual_wait_s(called) == 720
        assert actual_wait_s(ticket()) is None

    def test_pairs_skip_tickets_without_estimate_or_call(self):
        called = ticket(
            "a", minutes_ago=10, status=TicketStatus.DONE, called_at=MONDAY_9AM, estimate_s=500
        )
        no_estimate = ticket("b", minutes_ago=5, status=TicketStatus.CALLED, called_at=MONDAY_9AM)
        never_called = ticket("c", status=TicketStatus.CANCELLED, estimate_s=300)
        # A transfer restarts the clock on the new ticket, which carries no estimate.
        moved = ticket(
            "d",
            transferred_from="a",
            called_at=MONDAY_9AM + timedelta(minutes=3),
            status=TicketStatus.CALLED,
        )
        assert estimate_pairs([called, no_estimate, never_called, moved]) == [(500, 600)]
