"""The promised wait in words: a point, a range, or why no call comes yet."""

from datetime import UTC, datetime

from server.contract.waits import wait_text


def test_a_tight_estimate_is_one_number():
    assert wait_text(900, low_s=800, high_s=1000) == "khoảng 15 phút"
    assert wait_text(900, language="en") == "about 15 min"
    assert wait_text(20) == "sắp đến lượt"
    assert wait_text(80 * 60) == "khoảng 1 giờ 20 phút"


def test_a_wide_estimate_is_a_range_in_steps_of_five_minutes():
    assert wait_text(25 * 60, low_s=21 * 60, high_s=29 * 60) == "khoảng 20–30 phút"
    assert wait_text(25 * 60, low_s=21 * 60, high_s=29 * 60, language="en") == "about 20–30 min"
    assert wait_text(80 * 60, low_s=50 * 60, high_s=100 * 60) == "khoảng 50 phút – 1 giờ 40 phút"


def test_no_counter_open_says_when_calls_begin():
    seven_thirty = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # 7:30 in Ho Chi Minh City
    closed = wait_text(600, counters_open=False, first_call_after=seven_thirty)
    assert closed == "Quầy chưa mở — dự kiến gọi sau 7:30"
    english = wait_text(600, counters_open=False, first_call_after=seven_thirty, language="en")
    assert english == "No counter open yet — first calls expected after 7:30"
    assert wait_text(600, counters_open=False) == "Quầy chưa mở — sẽ gọi khi có quầy mở"
