from dataclasses import replace
from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from server.contract.vocab import TicketStatus
from server.engine.model import CounterConfig, SiteConfig, Ticket
from server.engine.policy import (
    CallPolicy,
    DefaultPolicy,
    FirstComeFirstServedPolicy,
    callable_by,
    line_key,
    priority_streak,
)

from .factories import MONDAY_9AM, counter, site, ticket

NOW = MONDAY_9AM


def order(
    waiting: list[Ticket],
    the_counter: CounterConfig | None = None,
    the_site: SiteConfig | None = None,
    streak: int = 0,
    policy: CallPolicy | None = None,
) -> list[str]:
    ranked = (policy or DefaultPolicy()).order(
        the_site or site(),
        the_counter or counter(services=("A", "B")),
        waiting,
        priority_streak=streak,
        now=NOW,
    )
    return [t.id for t in ranked]


def test_longest_wait_first_within_a_service():
    waiting = [ticket("new", minutes_ago=1, seq=3), ticket("old", minutes_ago=9, seq=1)]
    assert order(waiting) == ["old", "new"]


def test_same_queue_time_breaks_ties_by_seq():
    waiting = [ticket("second", seq=2), ticket("first", seq=1)]
    assert order(waiting) == ["first", "second"]


def test_service_order_of_the_counter():
    waiting = [ticket("b-old", "B", minutes_ago=30), ticket("a-new", "A", minutes_ago=1)]
    assert order(waiting, counter(services=("A", "B"))) == ["a-new", "b-old"]
    assert order(waiting, counter(services=("B", "A"))) == ["b-old", "a-new"]


def test_filters_other_services_and_other_counters_transfers():
    waiting = [
        ticket("mine"),
        ticket("other-service", "C"),
        ticket("for-c9", target_counter="c9"),
        ticket("called", status=TicketStatus.CALLED),
        ticket("parked", status=TicketStatus.PARKED),
    ]
    assert order(waiting) == ["mine"]


def test_transferred_to_this_counter_first_even_from_a_service_it_does_not_serve():
    waiting = [
        ticket("prio", priority="elderly", minutes_ago=50),
        ticket("to-me", "Z", target_counter="c1", minutes_ago=1),
    ]
    assert order(waiting) == ["to-me", "prio"]


def test_priority_before_normal():
    waiting = [ticket("normal", minutes_ago=20), ticket("elder", priority="elderly")]
    assert order(waiting) == ["elder", "normal"]


def test_priority_ratio_lets_one_normal_through():
    prios = [ticket(f"p{i}", seq=10 + i, priority="elderly", minutes_ago=5 - i) for i in range(5)]
    normals = [ticket(f"n{i}", seq=i, minutes_ago=30 - i) for i in range(3)]
    assert order(prios + normals, the_site=site(priority_ratio=2)) == [
        "p0", "p1", "n0", "p2", "p3", "n1", "p4", "n2",
    ]  # fmt: skip
    # The counter already called two priority tickets in a row: a normal one is due.
    assert order(prios + normals, the_site=site(priority_ratio=2), streak=2)[0] == "n0"


def test_ratio_zero_turns_the_preference_off():
    waiting = [ticket("normal", minutes_ago=20), ticket("elder", priority="elderly")]
    assert order(waiting, the_site=site(priority_ratio=0)) == ["normal", "elder"]


def test_priority_counter_always_prefers_priority():
    prios = [ticket(f"p{i}", seq=10 + i, priority="pregnant") for i in range(4)]
    waiting = [ticket("n", minutes_ago=60), *prios]
    assert order(
        waiting, counter(services=("A",), priority_counter=True), site(priority_ratio=1), 9
    ) == ["p0", "p1", "p2", "p3", "n"]


def test_weights_count_waits_times_weight():
    weighted = counter(services=("A", "B"), weights={"A": 2, "B": 1})
    waiting = [ticket("a10", "A", minutes_ago=10), ticket("b25", "B", minutes_ago=25)]
    assert order(waiting, weighted) == ["b25", "a10"]
    waiting = [ticket("a10", "A", minutes_ago=10), ticket("b15", "B", minutes_ago=15)]
    assert order(waiting, weighted) == ["a10", "b15"]


def test_weight_zero_waits_for_everything_else():
    weighted = counter(services=("A", "B"), weights={"A": 0, "B": 1})
    waiting = [ticket("a", "A", minutes_ago=120), ticket("b", "B", minutes_ago=1)]
    assert order(waiting, weighted) == ["b", "a"]


def test_aging_puts_a_long_waiting_field_first():
    aging = site(aging_after_s=15 * 60)
    waiting = [
        ticket("a-new", "A", minutes_ago=2),
        ticket("elder", "A", priority="elderly", minutes_ago=1),
        ticket("b-old", "B", minutes_ago=16),
        ticket("b-new", "B", minutes_ago=3),
    ]
    assert order(waiting, counter(services=("A", "B")), aging) == [
        "b-old", "elder", "a-new", "b-new",
    ]  # fmt: skip
    assert order(waiting, counter(services=("A", "B"))) == ["elder", "a-new", "b-old", "b-new"]


def test_aged_tickets_still_respect_priority_with_the_ratio():
    aging = site(aging_after_s=60, priority_ratio=1)
    waiting = [
        ticket("n-old", minutes_ago=30, seq=1),
        ticket("n-mid", minutes_ago=20, seq=2),
        ticket("p", minutes_ago=10, seq=3, priority="disabled"),
    ]
    assert order(waiting, the_site=aging) == ["p", "n-old", "n-mid"]
    assert order(waiting, the_site=aging, streak=1) == ["n-old", "p", "n-mid"]


def test_nothing_to_call():
    policy = DefaultPolicy()
    assert policy.choose(site(), counter(), [], priority_streak=0, now=NOW) is None
    other = [ticket("x", "Z")]
    assert policy.choose(site(), counter(), other, priority_streak=0, now=NOW) is None


def test_first_come_first_served_policy_is_pluggable():
    waiting = [
        ticket("elder", priority="elderly", minutes_ago=1),
        ticket("b-old", "B", minutes_ago=9),
        ticket("to-me", target_counter="c1"),
    ]
    policy: CallPolicy = FirstComeFirstServedPolicy()
    assert order(waiting, policy=policy) == ["to-me", "b-old", "elder"]
    chosen = policy.choose(
        site(), counter(services=("A", "B")), waiting, priority_streak=0, now=NOW
    )
    assert chosen is not None and chosen.id == "to-me"


def test_priority_streak_counts_newest_calls():
    calls = [ticket("a", priority="elderly"), ticket("b", priority="pregnant"), ticket("c")]
    assert priority_streak(calls) == 2
    assert priority_streak([ticket("c"), *calls]) == 0
    assert priority_streak([]) == 0


# ---- properties over random queues ------------------------------------------------------

SERVICES = ("A", "B", "C")


@st.composite
def queues(draw: st.DrawFn) -> tuple[SiteConfig, CounterConfig, list[Ticket], int]:
    n = draw(st.integers(0, 25))
    tickets = []
    for i in range(n):
        tickets.append(
            ticket(
                f"t{i}",
                draw(st.sampled_from(SERVICES)),
                seq=i + 1,
                minutes_ago=draw(st.integers(0, 90)),
                priority=draw(st.sampled_from([None, None, "elderly"])),
                target_counter=draw(st.sampled_from([None, None, None, "c1", "c2"])),
                status=draw(st.sampled_from([TicketStatus.WAITING] * 4 + [TicketStatus.PARKED])),
            )
        )
    services = tuple(draw(st.lists(st.sampled_from(SERVICES), min_size=1, max_size=3, unique=True)))
    weights = draw(
        st.one_of(st.just({}), st.dictionaries(st.sampled_from(SERVICES), st.integers(0, 3)))
    )
    the_counter = counter("c1", services, weights=weights, priority_counter=draw(st.booleans()))
    the_site = site(
        priority_ratio=draw(st.integers(0, 4)),
        aging_after_s=draw(st.sampled_from([None, 600, 1800])),
    )
    return the_site, the_counter, tickets, draw(st.integers(0, 5))


@settings(max_examples=150, deadline=None)
@given(queues())
def test_order_is_a_permutation_of_the_callable_tickets_and_choose_is_its_head(
    case: tuple[SiteConfig, CounterConfig, list[Ticket], int],
):
    the_site, the_counter, waiting, streak = case
    policy = DefaultPolicy()
    ranked = policy.order(the_site, the_counter, waiting, priority_streak=streak, now=NOW)
    assert sorted(t.id for t in ranked) == sorted(t.id for t in callable_by(the_counter, waiting))
    assert all(t.target_counter in (None, "c1") for t in ranked)
    chosen = policy.choose(the_site, the_counter, waiting, priority_streak=streak, now=NOW)
    assert chosen == (ranked[0] if ranked else None)


@settings(max_examples=150, deadline=None)
@given(queues())
def test_calling_one_by_one_follows_order(
    case: tuple[SiteConfig, CounterConfig, list[Ticket], int],
):
    """Calling ``choose`` repeatedly, with the streak kept as the caller would, gives ``order``."""
    the_site, the_counter, waiting, streak = case
    policy = DefaultPolicy()
    expected = policy.order(the_site, the_counter, waiting, priority_streak=streak, now=NOW)
    left = list(waiting)
    called: list[Ticket] = []
    while nxt := policy.choose(the_site, the_counter, left, priority_streak=streak, now=NOW):
        called.append(nxt)
        left = [t for t in left if t.id != nxt.id]
        streak = streak + 1 if nxt.priority is not None else 0
    assert [t.id for t in called] == [t.id for t in expected]


@settings(max_examples=150, deadline=None)
@given(queues())
def test_no_starvation_of_normal_tickets(
    case: tuple[SiteConfig, CounterConfig, list[Ticket], int],
):
    the_site, the_counter, waiting, _ = case
    # Aging and transfers override priority on purpose; the ratio rules the rest.
    the_site = replace(the_site, priority_ratio=max(1, the_site.priority_ratio), aging_after_s=None)
    the_counter = replace(the_counter, priority_counter=False)
    untargeted = [replace(t, target_counter=None) for t in waiting]
    ranked = DefaultPolicy().order(the_site, the_counter, untargeted, priority_streak=0, now=NOW)
    run = 0
    for i, t in enumerate(ranked):
        run = run + 1 if t.priority is not None else 0
        normals_left = any(u.priority is None for u in ranked[i + 1 :])
        if normals_left:
            assert run <= the_site.priority_ratio


def test_order_does_not_depend_on_input_order():
    waiting = [
        ticket(
            f"t{i}",
            SERVICES[i % 3],
            seq=i,
            minutes_ago=i % 7,
            priority="elderly" if i % 4 == 0 else None,
        )
        for i in range(20)
    ]
    the_counter = counter(services=SERVICES)
    assert order(waiting, the_counter) == order(list(reversed(waiting)), the_counter)


def test_future_queue_time_counts_as_no_wait():
    weighted = counter(services=("A", "B"), weights={"A": 5, "B": 1})
    waiting = [ticket("a-future", "A", minutes_ago=-5), ticket("b", "B", minutes_ago=0, seq=2)]
    assert order(waiting, weighted) == ["a-future", "b"]
    waiting = [ticket("a-future", "A", minutes_ago=-5), ticket("b", "B", minutes_ago=1, seq=2)]
    assert order(waiting, weighted) == ["b", "a-future"]


def test_big_queue_is_ordered():
    size = 3000
    waiting = [
        ticket(f"t{i}", SERVICES[i % 3], seq=i + 1, minutes_ago=(i * 7) % 240) for i in range(size)
    ]
    ranked = DefaultPolicy().order(
        site(), counter(services=SERVICES), waiting, priority_streak=0, now=NOW
    )
    assert len(ranked) == size
    assert ranked[0].queue_at == min(t.queue_at for t in waiting if t.service == "A")
    assert timedelta(0) <= NOW - ranked[-1].queue_at


def _line_heads(waiting: list[Ticket]) -> list[Ticket]:
    """What call-next reads: the first waiting ticket of each line (a field's priority or
    normal line; not transferred to a counter) and every ticket transferred to a counter."""
    heads: dict[tuple[str, bool], Ticket] = {}
    kept = []
    for t in waiting:
        if t.status is not TicketStatus.WAITING:
            continue
        if t.target_counter is not None:
            kept.append(t)
            continue
        line = (t.service, t.priority is not None)
        if line not in heads or line_key(t) < line_key(heads[line]):
            heads[line] = t
    return kept + list(heads.values())


@settings(max_examples=200, deadline=None)
@given(queues())
def test_the_head_of_each_line_is_enough_to_choose(
    case: tuple[SiteConfig, CounterConfig, list[Ticket], int],
):
    """Call-next gives a policy only the head of each line (``counters.HEAD``): both
    policies pick within a line by place in line, so they choose the same ticket."""
    the_site, the_counter, waiting, streak = case
    for policy in (DefaultPolicy(), FirstComeFirstServedPolicy()):
        whole = policy.choose(the_site, the_counter, waiting, priority_streak=streak, now=NOW)
        heads = policy.choose(
            the_site, the_counter, _line_heads(waiting), priority_streak=streak, now=NOW
        )
        assert heads == whole
