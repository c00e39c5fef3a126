"""The staffing search: fewer clerks only while the SLA holds, on the same simulated days."""

import random

import pytest

from server.seed.hcm_main import hcm_main
from server.seed.ward import ward_thu_duc
from server.simulation.day import default_day_file, load_day
from server.simulation.hall import Hall
from server.simulation.run import simulate_day
from server.simulation.staffing import (
    area_site,
    describe,
    evaluate,
    least_staff,
    session_names,
    slot_names,
)

WARD = ward_thu_duc()
DAY = load_day(default_day_file("phuong-thu-duc"))


def test_the_plan_found_keeps_the_sla_with_fewer_clerks():
    full = evaluate(WARD, DAY, frozenset(), days=2, rng_seed=3)
    plan = least_staff(WARD, DAY, share=0.7, days=2, rng_seed=3)
    assert all(w >= 0.7 for w in plan.within_sla)
    assert plan.absent  # the calm afternoon needs fewer clerks than the morning
    assert set(plan.busy) | plan.absent == set(full.busy)
    described = describe(WARD, plan, session_names(WARD))
    assert set(described) == {"07:30-11:30", "13:00-17:00"}


def test_a_session_short_of_the_sla_even_fully_staffed_keeps_everyone():
    full = evaluate(WARD, DAY, frozenset(), days=2, rng_seed=3)
    morning, afternoon = full.within_sla
    share = (morning + afternoon) / 2  # the morning misses it, the afternoon makes it
    assert morning < share <= afternoon
    plan = least_staff(WARD, DAY, share=share, days=2, rng_seed=3)
    assert all(session == 1 for _, session in plan.absent)
    assert plan.within_sla[1] >= share


def test_an_area_is_a_hall_of_its_own():
    zone = area_site(hcm_main(), "B2")
    assert {c.area for c in zone.counters} == {"B2"}
    assert {s.code for s in zone.services} == {code for c in zone.counters for code in c.services}
    with pytest.raises(ValueError, match="no counter"):
        area_site(hcm_main(), "Z9")


def test_an_hourly_plan_keeps_each_hour_within_the_sla_with_fewer_clerks():
    full = evaluate(WARD, DAY, frozenset(), days=2, rng_seed=3, hourly=True)
    plan = least_staff(WARD, DAY, share=0.7, days=2, rng_seed=3, hourly=True)
    kept = [i for i, w in enumerate(full.within_sla) if w >= 0.7]
    assert all(plan.within_sla[i] >= 0.7 for i in kept)
    assert plan.absent  # a quiet hour needs fewer clerks
    assert set(plan.busy) | plan.absent == set(full.busy)
    hall = Hall(WARD, DAY, DAY.first_date, random.Random(0), hourly=True)
    names = slot_names(hall)
    # Both sessions cut at the clock's hours: 07:30-08:00 ... 16:00-17:00.
    assert names[0] == "07:30-08:00" and names[-1] == "16:00-17:00"
    assert len(names) == len(full.within_sla) == 9
    described = describe(WARD, plan, names)
    staffed = sum(len(described[n]["counters"]) for n in names)  # type: ignore[index]
    assert staffed == len(WARD.counters) * len(names) - len(plan.absent)


def test_hourly_slots_with_everyone_there_make_the_same_day_as_sessions():
    """The finer plan changes nothing by itself: with nobody absent, every citizen waits
    as long as with a plan by session."""
    on = DAY.first_date
    by_session = simulate_day(WARD, DAY, on, "same", estimators={})
    by_hour = simulate_day(WARD, DAY, on, "same", estimators={}, hourly=True)
    waits = {o.ticket_id: o.wait_s for o in by_session.outcomes.values()}
    assert waits
    assert waits == {o.ticket_id: o.wait_s for o in by_hour.outcomes.values()}
