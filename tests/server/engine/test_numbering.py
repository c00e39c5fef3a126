from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from server.engine.model import NumberFormat
from server.engine.numbering import (
    business_day,
    capacity,
    end_of_business_day,
    format_number,
    start_of_business_day,
)

HCM = "Asia/Ho_Chi_Minh"


def test_business_day_turns_at_local_midnight_not_utc():
    # 16:59:59 UTC is 23:59:59 in Ho Chi Minh City; 17:00 UTC is already tomorrow there.
    assert business_day(datetime(2026, 11, 23, 16, 59, 59, tzinfo=UTC), HCM) == date(2026, 11, 23)
    assert business_day(datetime(2026, 11, 23, 17, 0, tzinfo=UTC), HCM) == date(2026, 11, 24)
    # 06:00 UTC is 13:00 local: the same local day although UTC is still on it too.
    assert business_day(datetime(2026, 11, 24, 6, 0, tzinfo=UTC), HCM) == date(2026, 11, 24)


def test_business_day_accepts_any_aware_offset():
    plus7 = timezone(timedelta(hours=7))
    assert business_day(datetime(2026, 11, 24, 0, 30, tzinfo=plus7), HCM) == date(2026, 11, 24)
    assert business_day(datetime(2026, 11, 24, 0, 30, tzinfo=plus7), "UTC") == date(2026, 11, 23)


def test_naive_time_is_refused():
    with pytest.raises(ValueError, match="aware"):
        business_day(datetime(2026, 11, 23, 9, 0), HCM)


def test_start_and_end_of_business_day():
    assert start_of_business_day(date(2026, 11, 24), HCM) == datetime(
        2026, 11, 23, 17, 0, tzinfo=UTC
    )
    assert end_of_business_day(date(2026, 11, 24), HCM) == datetime(2026, 11, 24, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("seq", "expected"), [(1, "A001"), (42, "A042"), (999, "A999"), (1000, "A1000")]
)
def test_prefix_numbers_pad_and_keep_growing(seq: int, expected: str):
    assert format_number(NumberFormat(kind="prefix", prefix="A", width=3), seq) == expected


def test_prefix_with_other_letters_and_width():
    assert format_number(NumberFormat(kind="prefix", prefix="HT", width=4), 7) == "HT0007"


@pytest.mark.parametrize(("seq", "expected"), [(1, "1001"), (23, "1023"), (999, "1999")])
def test_block_numbers(seq: int, expected: str):
    assert format_number(NumberFormat(kind="block", start=1001, end=1999), seq) == expected


def test_block_refuses_numbers_past_its_end():
    fmt = NumberFormat(kind="block", start=2001, end=2100)
    assert capacity(fmt) == 100
    assert format_number(fmt, 100) == "2100"
    with pytest.raises(ValueError, match="past the number block"):
        format_number(fmt, 101)


def test_sequence_starts_at_one():
    with pytest.raises(ValueError, match="start at 1"):
        format_number(NumberFormat(), 0)


def test_capacity():
    assert capacity(NumberFormat(kind="prefix")) is None
    assert capacity(NumberFormat(kind="block", start=1001, end=1999)) == 999
    assert capacity(NumberFormat(kind="block", start=10, end=5)) == 0
