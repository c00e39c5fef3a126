"""The sample ticket of the demo centre, for ``qms hw print-test`` and the docs."""

from __future__ import annotations

from datetime import UTC, datetime

from hardware.printer.layout import PrintedTicket, TicketLayout

DEMO_SITE = "Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh"
DEMO_HEADER = ("ỦY BAN NHÂN DÂN", "THÀNH PHỐ HỒ CHÍ MINH")


def demo_ticket(issued_at: datetime | None = None) -> PrintedTicket:
    """A realistic ticket: a land-registration number with every kind of diacritic."""
    return PrintedTicket(
        number="1023",
        site_name=DEMO_SITE,
        department="Sở Tài nguyên và Môi trường",
        service="Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất",
        department_en="Department of Natural Resources and Environment",
        service_en="Land registration and land-use certificates",
        track_url="https://qms.example.vn/t/8f3KQ2mZ7xW1pL9vB4nR",
        issued_at=issued_at or datetime.now(UTC),
        people_ahead=12,
        estimated_wait_s=1500,
        area="Tầng 1 – Khu B",
        counters=(5, 6, 7),
        priority="Người cao tuổi",
    )


def demo_layout(width: int = 576) -> TicketLayout:
    """The demo centre's layout: its two header lines above the site name."""
    return TicketLayout(width=width, header=DEMO_HEADER)
