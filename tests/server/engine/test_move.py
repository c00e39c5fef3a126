"""A supervisor moves a waiting ticket: the same ticket, another line, the wait it lived."""

from datetime import timedelta

import pytest

from server.contract.vocab import TicketStatus
from server.engine import lifecycle
from server.engine.errors import Refusal
from server.engine.events import EventKind

from .factories import MONDAY_9AM, counter, service, ticket

LATER = MONDAY_9AM + timedelta(minutes=20)


def test_move_to_another_field_keeps_number_issue_time_and_place() -> None:
    waiting = ticket(minutes_ago=15, estimate_s=600)
    moved, event = lifecycle.move(
        waiting, now=LATER, actor="boss", to_service=service("B"), to_counter=None
    )
    assert moved.id == waiting.id and moved.number == "A001" and moved.service == "B"
    assert (moved.issued_at, moved.queue_at, moved.estimate_s) == (
        waiting.issued_at,
        waiting.queue_at,
        600,
    )
    assert moved.status is TicketStatus.WAITING and moved.target_counter is None
    assert event.kind == EventKind.MOVED and event.actor == "boss" and event.at == LATER
    assert event.data == {
        "number": "A001",
        "from_service": "A",
        "to_service": "B",
        "from_counter": None,
        "to_counter": None,
    }


def test_move_to_a_counter_targets_it_and_only_it_calls_the_ticket() -> None:
    moved, event = lifecycle.move(
        ticket(), now=LATER, actor="boss", to_service=None, to_counter=counter("c7", number=7)
    )
    assert moved.service == "A" and moved.target_counter == "c7"
    assert event.counter_id == "c7"
    assert lifecycle.may_call(moved, counter("c7", number=7))
    assert not lifecycle.may_call(moved, counter("c1", number=1))


def test_a_field_alone_clears_an_earlier_counter_target() -> None:
    moved, _ = lifecycle.move(
        ticket(target_counter="c7"),
        now=LATER,
        actor="boss",
        to_service=service("B"),
        to_counter=None,
    )
    assert moved.target_counter is None


@pytest.mark.parametrize("status", [s for s in TicketStatus if s is not TicketStatus.WAITING])
def test_only_a_waiting_ticket_moves(status: TicketStatus) -> None:
    with pytest.raises(Refusal) as caught:
        lifecycle.move(
            ticket(status=status), now=LATER, actor="boss", to_service=service("B"), to_counter=None
        )
    assert caught.value.code == "invalid_transition"
    assert caught.value.details == {"status": status.value, "action": "move"}
    assert "chuyển chỗ chờ" in caught.value.message_vi


@pytest.mark.parametrize(
    ("to_service", "to_counter", "vi", "en"),
    [
        (None, None, "chưa chọn lĩnh vực", "no target"),
        (service("B", enabled=False), None, "tạm ngưng", "not taking tickets"),
        (service("B"), counter("c2", ("A",), number=2), "quầy số 2 không phục vụ", "counter 2"),
        (None, counter("c2", ("B",), number=2), "quầy số 2 không phục vụ", "counter 2"),
        (service("A"), None, "đã ở đúng", "already waits there"),
    ],
)
def test_refusals_say_why_in_both_languages(to_service, to_counter, vi: str, en: str) -> None:
    with pytest.raises(Refusal) as caught:
        lifecycle.move(
            ticket(), now=LATER, actor="boss", to_service=to_service, to_counter=to_counter
        )
    assert caught.value.code == "move_target_invalid"
    assert caught.value.message_vi.startswith("Không thể chuyển số đang chờ: ")
    assert vi in caught.value.message_vi and en in caught.value.message_en


def test_a_counter_closes_only_when_it_holds_nobody() -> None:
    lifecycle.can_close_counter(None)
    lifecycle.can_close_counter(ticket(status=TicketStatus.PARKED, counter_id="c1"))
    for status in (TicketStatus.CALLED, TicketStatus.SERVING):
        with pytest.raises(Refusal) as caught:
            lifecycle.can_close_counter(ticket(status=status, counter_id="c1"))
        assert caught.value.code == "counter_holds_ticket"
        assert "A001" in caught.value.message_vi and "A001" in caught.value.message_en
