"""Small builders for engine tests: a hall in Ho Chi Minh City on a Monday."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from server.contract.vocab import TicketStatus
from server.engine.model import (
    CounterConfig,
    NumberFormat,
    PriorityCategory,
    ServiceConfig,
    SiteConfig,
    Ticket,
)

# Monday 23 November 2026, 09:00 in Ho Chi Minh City (UTC+7).
MONDAY_9AM = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)

PRIORITIES = (
    PriorityCategory("elderly", "Người cao tuổi", "Elderly"),
    PriorityCategory("disabled", "Người khuyết tật", "Person with disability"),
    PriorityCategory("pregnant", "Phụ nữ mang thai", "Pregnant woman"),
)

SITE = SiteConfig(
    id="hcm-main",
    name="Trung tâm Phục vụ hành chính công",
    name_en="Public Administrative Service Centre",
    priority_categories=PRIORITIES,
)


def site(**changes: Any) -> SiteConfig:
    return replace(SITE, **changes)


def service(code: str = "A", **changes: Any) -> ServiceConfig:
    base = ServiceConfig(
        code=code,
        department="tuphap",
        name_vi=f"Hộ tịch {code}",
        name_en=f"Civil status {code}",
        number_format=NumberFormat(kind="prefix", prefix=code[0]),
    )
    return replace(base, **changes)


def counter(
    cid: str = "c1", services: tuple[str, ...] = ("A",), number: int = 1, **changes: Any
) -> CounterConfig:
    base = CounterConfig(id=cid, number=number, name=f"Quầy {number}", area="A", services=services)
    return replace(base, **changes)


def ticket(
    tid: str = "t1",
    service_code: str = "A",
    seq: int = 1,
    *,
    minutes_ago: float = 0,
    now: datetime = MONDAY_9AM,
    **changes: Any,
) -> Ticket:
    at = now - timedelta(minutes=minutes_ago)
    base = Ticket(
        id=tid,
        site="hcm-main",
        service=service_code,
        number=f"{service_code}{seq:03d}",
        seq=seq,
        business_day=MONDAY_9AM.date(),
        status=TicketStatus.WAITING,
        issued_at=at,
        queue_at=at,
    )
    return replace(base, **changes)
