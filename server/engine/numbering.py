"""Ticket numbers and the business day they belong to.

Numbers restart at the site's local midnight, not at UTC midnight: in Ho Chi Minh
City (UTC+7) the UTC date changes at 07:00, in the middle of the morning rush.
"""

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from server.engine.model import NumberFormat


@lru_cache(maxsize=64)
def zone(time_zone: str) -> ZoneInfo:
    """A cached ZoneInfo: a call-next at 500/s should not reparse tzdata."""
    return ZoneInfo(time_zone)


def require_aware(now: datetime) -> None:
    """A naive time would silently be read as the machine's local time; refuse it."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"the engine needs an aware datetime, got naive {now.isoformat()}")


def local_time(now: datetime, time_zone: str) -> datetime:
    require_aware(now)
    return now.astimezone(zone(time_zone))


def business_day(now: datetime, time_zone: str) -> date:
    """The site's local date at ``now``: numbering and daily limits follow it."""
    return local_time(now, time_zone).date()


def start_of_business_day(day: date, time_zone: str) -> datetime:
    """Local midnight of ``day`` as an aware UTC time (the front of that day's line)."""
    local_midnight = datetime.combine(day, time.min, tzinfo=zone(time_zone))
    return local_midnight.astimezone(UTC)


def end_of_business_day(day: date, time_zone: str) -> datetime:
    """The next local midnight as an aware UTC time, when ``day``'s tickets expire."""
    return start_of_business_day(day + timedelta(days=1), time_zone)


def capacity(fmt: NumberFormat) -> int | None:
    """How many numbers a day allows: a block's size; None for a prefix (it never runs out)."""
    if fmt.kind == "block":
        return max(0, fmt.end - fmt.start + 1)
    return None


def format_number(fmt: NumberFormat, seq: int) -> str:
    """The printed number of the ``seq``-th ticket of the day (``seq`` starts at 1).

    A prefix number keeps growing past its width (``A999`` then ``A1000``) rather
    than wrapping, so a number is never given twice in one day.
    """
    if seq < 1:
        raise ValueError(f"ticket sequence numbers start at 1, got {seq}")
    if fmt.kind == "block":
        size = capacity(fmt)
        if size is not None and seq > size:
            raise ValueError(
                f"sequence {seq} is past the number block {fmt.start}-{fmt.end} ({size} numbers)"
            )
        return str(fmt.start + seq - 1)
    return f"{fmt.prefix}{seq:0{max(fmt.width, 1)}d}"
