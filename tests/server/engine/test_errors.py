import json

import pytest

from server.contract.vocab import TicketStatus
from server.engine import errors
from server.engine.errors import Refusal

ALL_REFUSALS = [
    errors.service_disabled("A"),
    errors.outside_hours("A"),
    errors.quota_reached("A"),
    errors.unknown_priority("vip"),
    errors.citizen_active_ticket("A012", "A"),
    errors.citizen_daily_limit(5),
    errors.invalid_transition(TicketStatus.DONE, "call"),
    errors.nothing_waiting(),
    errors.counter_busy("1023"),
    errors.transfer_target_invalid("quầy không phục vụ.", "counter does not serve it."),
    errors.ticket_not_callable("A001", 5),
]


def test_constructor_keeps_code_messages_and_details():
    refusal = Refusal("quota_reached", "Hết số", "Sold out", service="A", limit=3)
    assert refusal.code == "quota_reached"
    assert refusal.message_vi == "Hết số"
    assert refusal.message_en == "Sold out"
    assert refusal.details == {"service": "A", "limit": 3}
    assert refusal.message("en") == "Sold out"
    assert refusal.message("vi") == "Hết số"
    assert "quota_reached" in str(refusal)


@pytest.mark.parametrize("refusal", ALL_REFUSALS, ids=lambda r: r.code)
def test_every_refusal_speaks_vietnamese_with_diacritics_and_english(refusal: Refusal):
    assert any(ord(ch) > 127 for ch in refusal.message_vi), refusal.message_vi
    assert refusal.message_en.isascii()
    assert refusal.message_en and refusal.message_vi != refusal.message_en


def test_details_named_in_the_agreed_api():
    assert errors.citizen_active_ticket("A012", "A").details == {"number": "A012", "service": "A"}
    assert errors.citizen_daily_limit(5).details == {"limit": 5}
    assert errors.invalid_transition(TicketStatus.NO_SHOW, "start").details == {
        "status": "no_show",
        "action": "start",
    }
    assert errors.counter_busy("1023").details == {"number": "1023"}


def test_invalid_transition_names_state_and_action_in_both_languages():
    refusal = errors.invalid_transition(TicketStatus.SERVING, "recall")
    assert refusal.message_vi == (
        "Không thể gọi lại số thứ tự đang ở trạng thái “đang được phục vụ”."
    )
    assert refusal.message_en == "Cannot recall a ticket that is being served."


def test_every_status_has_a_name_in_both_languages():
    assert set(errors.STATUS_VI) == set(TicketStatus) == set(errors.STATUS_EN)


@pytest.mark.parametrize("refusal", ALL_REFUSALS, ids=lambda r: r.code)
def test_details_are_plain_json(refusal: Refusal):
    assert json.loads(json.dumps(refusal.details)) == refusal.details
