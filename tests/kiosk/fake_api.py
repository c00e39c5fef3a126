"""A small in-process HTTP server double for the kiosk's unit tests.

It answers at the HTTP layer (an ``httpx.MockTransport``), so the real
``ApiClient`` and ``KioskClient`` parse real JSON and map real status codes. The
end-to-end tests use the real server (``live_server``); this one is for the rules
that need a precise answer: a refusal, a 503, a lost connection.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from appkit.api_client import ApiClient
from kiosk.client import KioskClient
from server.contract.http import (
    DepartmentOut,
    ErrorOut,
    MenuOut,
    PriorityCategory,
    ServiceOut,
    TicketIn,
    TicketOut,
)
from server.contract.messages import DeviceStatus

SITE = "demo"
ID_KEY = b"site-secret-key-for-tests-0123456789"
ID_TEXT = "079090001234|025123456|Nguyễn Văn An|15031990|Nam|12 Lê Lợi, Bến Nghé, TP.HCM|20042021"


def service(code: str, department: str, name_vi: str, name_en: str, **extra: object) -> ServiceOut:
    values: dict[str, object] = {
        "code": code,
        "department": department,
        "name_vi": name_vi,
        "name_en": name_en,
        "open": True,
        "waiting": 2,
        "estimated_wait_s": 600,
        "counters": [1, 2],
    }
    values.update(extra)
    return ServiceOut.model_validate(values)


def sample_menu(priorities: bool = True) -> MenuOut:
    return MenuOut(
        site=SITE,
        site_name="Trung tâm Phục vụ hành chính công Thủ Đức",
        site_name_en="Thu Duc Public Service Centre",
        time_zone="Asia/Ho_Chi_Minh",
        business_day="2026-11-23",
        priority_categories=[
            PriorityCategory(code="elderly", name_vi="Người cao tuổi", name_en="Elderly person"),
            PriorityCategory(code="pregnant", name_vi="Phụ nữ mang thai", name_en="Pregnant woman"),
        ]
        if priorities
        else [],
        departments=[
            DepartmentOut(
                code="tu-phap",
                name_vi="Sở Tư pháp",
                name_en="Department of Justice",
                services=[
                    service("hotich", "tu-phap", "Hộ tịch", "Civil status"),
                    service(
                        "lltp",
                        "tu-phap",
                        "Lý lịch tư pháp",
                        "Judicial records",
                        open=False,
                        closed_reason="quota",
                    ),
                ],
            ),
            DepartmentOut(
                code="nnmt",
                name_vi="Sở Nông nghiệp và Môi trường",
                name_en="Department of Agriculture and Environment",
                services=[
                    service("datdai", "nnmt", "Đất đai", "Land"),
                    service(
                        "moitruong",
                        "nnmt",
                        "Môi trường",
                        "Environment",
                        open=False,
                        closed_reason="hours",
                    ),
                ],
            ),
        ],
    )


@dataclass
class FakeApi:
    """Answers like the server; ``mode`` switches to failures for the next requests."""

    menu: MenuOut = field(default_factory=sample_menu)
    mode: str = "ok"  # ok | down (refused connection) | lose_answer | refuse (409) | refuse_all
    refusal: ErrorOut | None = None
    requests: list[httpx.Request] = field(default_factory=list)
    tickets: dict[str, TicketOut] = field(default_factory=dict)  # by idempotency key
    statuses: list[dict[str, object]] = field(default_factory=list)
    on_request: Callable[[httpx.Request], None] | None = None

    def client(self) -> KioskClient:
        api = ApiClient(
            "http://kiosk.test", token="device-token", transport=httpx.MockTransport(self)
        )
        return KioskClient(api, SITE)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if self.on_request is not None:
            self.on_request(request)
        if self.mode == "down":
            raise httpx.ConnectError("connection refused", request=request)
        if self.mode == "refuse_all":
            error = ErrorOut(
                error="unauthorized",
                message="Mã thiết bị không hợp lệ.",
                message_vi="Mã thiết bị không hợp lệ.",
                message_en="Unknown device token.",
            )
            return httpx.Response(401, content=error.model_dump_json())
        path = request.url.path.removeprefix("/api/v1")
        if request.method == "GET" and path == f"/sites/{SITE}/services":
            return httpx.Response(200, content=self.menu.model_dump_json())
        if request.method == "POST" and path == "/devices/status":
            body = json.loads(request.content)
            self.statuses.append(body)
            answer = DeviceStatus(
                site=SITE, device="kiosk-1", kind="kiosk", at=datetime.now(UTC), **body
            )
            return httpx.Response(200, content=answer.model_dump_json())
        if request.method == "POST" and path == f"/sites/{SITE}/tickets":
            return self._issue(request)
        if request.method == "GET" and path.startswith(f"/sites/{SITE}/tickets/"):
            ticket_id = path.rsplit("/", 1)[1]
            for ticket in self.tickets.values():
                if ticket.id == ticket_id:
                    return httpx.Response(200, content=ticket.model_dump_json())
        return httpx.Response(
            404, json={"error": "not_found", "message": "x", "message_vi": "x", "message_en": "x"}
        )

    def _issue(self, request: httpx.Request) -> httpx.Response:
        if self.mode == "refuse" and self.refusal is not None:
            return httpx.Response(409, content=self.refusal.model_dump_json())
        body = TicketIn.model_validate_json(request.content)
        key = request.headers["Idempotency-Key"]
        if key not in self.tickets:
            number = f"A{1001 + len(self.tickets)}"
            self.tickets[key] = TicketOut(
                id=f"t{len(self.tickets) + 1}",
                site=SITE,
                number=number,
                service=body.service,
                service_name_vi="Hộ tịch",
                service_name_en="Civil status",
                department="tu-phap",
                department_name_vi="Sở Tư pháp",
                department_name_en="Department of Justice",
                priority=body.priority,
                language=body.language,
                people_ahead=len(self.tickets),
                estimated_wait_s=300,
                issued_at=datetime(2026, 11, 23, 2, 30, tzinfo=UTC),
                status="waiting",
                track_url=f"http://kiosk.test/t/{number}",
                counters=[1, 2],
            )
        if self.mode == "lose_answer":
            raise httpx.ReadError("connection reset after the server handled it", request=request)
        return httpx.Response(201, content=self.tickets[key].model_dump_json())

    def issue_keys(self) -> list[str]:
        return [
            r.headers["Idempotency-Key"]
            for r in self.requests
            if r.method == "POST" and r.url.path.endswith("/tickets")
        ]


class FakeClock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
