"""The promised wait in words, the same on the kiosk's screen, the printed ticket and the
tracking page: a point when the estimate is tight ("khoảng 15 phút"), a range when it is
wide ("khoảng 20–30 phút"), and an honest message when no counter of the field is open
yet ("Quầy chưa mở — dự kiến gọi sau 7:30").
"""

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

# A range is shown when its ends, each rounded to these steps, are at least this far apart.
RANGE_STEP_MIN = 5
MIN_RANGE_MIN = 10

WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "soon": "sắp đến lượt",
        "about": "khoảng",
        "min": "phút",
        "hour": "giờ",
        "closed_at": "Quầy chưa mở — dự kiến gọi sau {time}",
        "closed": "Quầy chưa mở — sẽ gọi khi có quầy mở",
    },
    "en": {
        "soon": "very soon",
        "about": "about",
        "min": "min",
        "hour": "h",
        "closed_at": "No counter open yet — first calls expected after {time}",
        "closed": "No counter open yet — calls start when one opens",
    },
}


def _minutes(minutes: int, words: dict[str, str]) -> str:
    if minutes < 60:
        return f"{minutes} {words['min']}"
    hours, rest = divmod(minutes, 60)
    return f"{hours} {words['hour']}" + (f" {rest} {words['min']}" if rest else "")


def wait_text(
    wait_s: int,
    *,
    low_s: int | None = None,
    high_s: int | None = None,
    counters_open: bool = True,
    first_call_after: datetime | None = None,
    language: str = "vi",
    time_zone: str | tzinfo = "Asia/Ho_Chi_Minh",
) -> str:
    """The wait as a citizen reads it, in ``language`` ("vi" or "en"); ``time_zone``:
    the site's, for the time of the first calls."""
    words = WORDS["en" if language == "en" else "vi"]
    if not counters_open:
        if first_call_after is None:
            return words["closed"]
        zone = ZoneInfo(time_zone) if isinstance(time_zone, str) else time_zone
        local = first_call_after.astimezone(zone)
        return words["closed_at"].format(time=f"{local.hour}:{local.minute:02d}")
    minutes = round(wait_s / 60)
    if minutes < 1:
        return words["soon"]
    if low_s is not None and high_s is not None:
        step = RANGE_STEP_MIN
        low = round(low_s / 60 / step) * step
        high = round(high_s / 60 / step) * step
        if high - low >= MIN_RANGE_MIN:
            if high < 60:
                return f"{words['about']} {low}–{high} {words['min']}"
            return f"{words['about']} {_minutes(low, words)} – {_minutes(high, words)}"
    return f"{words['about']} {_minutes(minutes, words)}"
