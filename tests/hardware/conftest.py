"""Shared fixtures of the hardware tests: a sample ticket of the demo centre."""

from datetime import UTC, datetime

import pytest

from hardware.printer.layout import PrintedTicket


@pytest.fixture
def ticket() -> PrintedTicket:
    return PrintedTicket(
        number="1023",
        site_name="Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh",
        department="Sở Tài nguyên và Môi trường",
        service="Đăng ký đất đai, cấp Giấy chứng nhận quyền sử dụng đất",
        department_en="Department of Natural Resources and Environment",
        service_en="Land registration and land-use certificates",
        track_url="https://qms.example.vn/t/8f3KQ2mZ7xW1pL9vB4nR",
        issued_at=datetime(2026, 11, 22, 1, 15, tzinfo=UTC),
        people_ahead=12,
        estimated_wait_s=1500,
        area="Tầng 1 – Khu B",
        counters=(5, 6, 7),
        priority="Người cao tuổi",
    )
