"""How times and ratings read on the clerk's screen, in both languages."""

import pytest

from counter.texts import RATINGS, average_rating, duration, rating_text, status_text, text
from server.contract.vocab import TicketStatus


@pytest.mark.parametrize(
    ("seconds", "vi", "en"),
    [
        (None, "—", "—"),
        (-5, "0 giây", "0 s"),
        (45, "45 giây", "45 s"),
        (60, "1 phút", "1 min"),
        (754, "12 phút", "12 min"),
        (3900, "1 giờ 05 phút", "1 h 05 min"),
    ],
)
def test_duration(seconds, vi, en):
    assert duration(seconds, "vi") == vi
    assert duration(seconds, "en") == en


def test_average_rating_needs_ratings():
    assert average_rating(None) == "—"
    assert average_rating(3.456) == "3,5/4"  # Vietnamese decimal comma
    assert average_rating(3.0, "en") == "3.0/4"


def test_every_status_and_rating_has_both_languages():
    for status in TicketStatus:
        assert status_text(status, "vi") and status_text(status, "en")
    assert len({rating_text(r) for r in RATINGS}) == 4
    assert text("call_next") == "Gọi số tiếp theo"
    assert text("call_next", "en") == "Call next"
