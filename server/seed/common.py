"""Pieces shared by the demo sites: priority categories, hours, clerk names."""

from datetime import time

from server.engine.model import NumberFormat, OpeningHours, PriorityCategory

# Who goes first, as public-service centres in Viet Nam list them.
PRIORITY_CATEGORIES: tuple[PriorityCategory, ...] = (
    PriorityCategory("elderly", "Người cao tuổi", "Elderly person"),
    PriorityCategory("disabled", "Người khuyết tật", "Person with a disability"),
    PriorityCategory("pregnant", "Phụ nữ mang thai", "Pregnant woman"),
    PriorityCategory(
        "infant", "Người nuôi con nhỏ dưới 36 tháng tuổi", "Parent with a child under 36 months"
    ),
    PriorityCategory(
        "merit",
        "Người có công với cách mạng",
        "Person with meritorious service to the revolution",
    ),
)

# Mon-Fri 7:30-11:30 and 13:00-17:00. The engine's OpeningHours applies the same windows
# to every listed weekday, so the Saturday-morning session cannot be said yet (see
# docs/demo-data.md); Saturday is left out rather than opened all day.
OFFICE_HOURS = OpeningHours(
    windows=((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0))),
    weekdays=frozenset({0, 1, 2, 3, 4}),
)

# Mornings only, for fields whose back office processes dossiers in the afternoon.
MORNING_HOURS = OpeningHours(
    windows=((time(7, 30), time(11, 30)),),
    weekdays=frozenset({0, 1, 2, 3, 4}),
)

# For a demo that must work at any hour and on any day.
ALWAYS_OPEN = OpeningHours(
    windows=((time(0, 0), time(23, 59, 59)),),
    weekdays=frozenset(range(7)),
)


def block(thousand: int) -> NumberFormat:
    """Numbers ``N001``..``N999`` (e.g. 1001-1999): the usual Vietnamese ticket numbers."""
    return NumberFormat(kind="block", start=thousand * 1000 + 1, end=thousand * 1000 + 999)


def letters(prefix: str) -> NumberFormat:
    """Numbers like ``VB001`` for fields with fewer visitors."""
    return NumberFormat(kind="prefix", prefix=prefix, width=3)


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
