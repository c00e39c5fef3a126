"""Pieces shared by the demo sites: always-open hours, clerk names."""

from datetime import time

from server.engine.model import OpeningHours

# For a demo that must work at any hour and on any day.
ALWAYS_OPEN = OpeningHours(
    windows=((time(0, 0), time(23, 59, 59)),),
    weekdays=frozenset(range(7)),
)


_FAMILY = (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ",
    "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý",
)  # fmt: skip
_GIVEN = (
    "Văn Hùng", "Thị Lan", "Minh Tuấn", "Thị Thu Hà", "Quốc Bảo", "Ngọc Trâm",
    "Thanh Tùng", "Thị Hồng Nhung", "Hoàng Nam", "Thị Mỹ Linh", "Đức Anh",
    "Thị Kim Ngân", "Văn Phúc", "Bảo Ngọc", "Hữu Thắng", "Thị Phương Thảo",
    "Gia Huy", "Thị Thanh Hương", "Công Minh", "Thị Diễm My", "Trọng Nghĩa",
    "Thị Bích Ngọc", "Quang Vinh",
)  # fmt: skip


def clerk_name(index: int) -> str:
    """A plausible, deterministic Vietnamese full name (16 x 23 distinct combinations)."""
    return f"{_FAMILY[index % len(_FAMILY)]} {_GIVEN[index % len(_GIVEN)]}"
