"""One realistic example of every MQTT message, from the demo hall (zone A of hcm-main).

The golden JSON files in ``docs/schemas/examples/`` are these, serialised; a test keeps
them equal, so a change of the contract shows up as a diff a reviewer reads.
"""

import hashlib
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from server.contract.messages import (
    CallEvent,
    CallInfo,
    CounterSnapshot,
    CounterView,
    DeviceStatus,
    DisplaySnapshot,
    QueueSnapshot,
    ServerStatus,
    ServiceStatus,
    ServiceWaiting,
    TicketBrief,
)
from server.contract.vocab import CounterState, TicketStatus

SITE = "hcm-main"
SITE_NAME = "Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh"
# 09:12:30 in Ho Chi Minh City on Monday 5 January 2026.
NOW = datetime(2026, 1, 5, 2, 12, 30, tzinfo=UTC)
SEQ = 48213


def fake_id(*parts: object) -> str:
    """A fixed id shaped like the server's (uuid4 hex), so the examples never change."""
    return hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()[:32]


def call_info(
    number: str = "3023",
    counter: int = 5,
    service: tuple[str, str, str] = (
        "tp-chungthuc",
        "Chứng thực",
        "Certified copies and signatures",
    ),
    *,
    ago_s: int = 0,
    recall: bool = False,
    priority: str | None = None,
) -> CallInfo:
    code, name_vi, name_en = service
    return CallInfo(
        call_id=fake_id("call", number, counter, recall),
        ticket_id=fake_id("ticket", number),
        ticket_number=number,
        service=code,
        service_name_vi=name_vi,
        service_name_en=name_en,
        counter_id=str(counter),
        counter_number=counter,
        counter_name=f"Quầy {counter}",
        area="A",
        called_at=NOW - timedelta(seconds=ago_s),
        recall=recall,
        call_count=2 if recall else 1,
        priority=priority,
    )


HOTICH = ("tp-hotich", "Hộ tịch", "Civil status registration")
CUTRU = ("ca-cutru", "Cư trú", "Residence registration")
CANCUOC = ("ca-cancuoc", "Căn cước", "Identity cards")


def _counter(number: int, services: list[str], ticket: str | None, **kw: object) -> CounterView:
    return CounterView.model_validate(
        {
            "id": str(number),
            "number": number,
            "name": f"Quầy {number}",
            "area": "A",
            "state": kw.get("state", CounterState.OPEN),
            "services": services,
            "current_ticket": ticket,
            "current_status": kw.get("status", TicketStatus.CALLED if ticket else None),
        }
    )


TU_PHAP = ["tp-hotich", "tp-lltp", "tp-chungthuc", "tp-quoctich", "tp-botro"]
CONG_AN = ["ca-cutru", "ca-cancuoc", "ca-xnc"]


def display_snapshot() -> DisplaySnapshot:
    return DisplaySnapshot(
        site=SITE,
        seq=SEQ,
        generated_at=NOW,
        site_name=SITE_NAME,
        area="A",
        area_name="Khu A",
        calling=call_info(),
        recent=[
            call_info("1047", 2, HOTICH, ago_s=40, priority="elderly"),
            call_info("4012", 7, CUTRU, ago_s=95),
            call_info("5031", 9, CANCUOC, ago_s=130, recall=True),
        ],
        counters=[
            _counter(2, TU_PHAP, "1047", status=TicketStatus.SERVING),
            _counter(5, ["tp-chungthuc", *TU_PHAP[:2], *TU_PHAP[3:]], "3023"),
            _counter(7, CONG_AN, "4012", status=TicketStatus.SERVING),
            _counter(9, ["ca-cancuoc", "ca-cutru", "ca-xnc"], "5031"),
            _counter(11, ["ca-xnc", "ca-cutru", "ca-cancuoc"], None, state=CounterState.PAUSED),
        ],
        waiting=[
            ServiceWaiting(code="tp-hotich", name_vi="Hộ tịch", name_en=HOTICH[2], waiting=12),
            ServiceWaiting(
                code="tp-chungthuc",
                name_vi="Chứng thực",
                name_en="Certified copies and signatures",
                waiting=7,
            ),
            ServiceWaiting(code="ca-cutru", name_vi="Cư trú", name_en=CUTRU[2], waiting=9),
            ServiceWaiting(code="ca-cancuoc", name_vi="Căn cước", name_en=CANCUOC[2], waiting=21),
        ],
        notice="Quý khách vui lòng chuẩn bị CCCD và hồ sơ trước khi đến quầy.",
    )


def _brief(number: str, minutes: int, **kw: object) -> TicketBrief:
    return TicketBrief.model_validate(
        {
            "id": fake_id("ticket", number),
            "number": number,
            "service": kw.get("service", "tp-chungthuc"),
            "status": kw.get("status", TicketStatus.WAITING),
            "issued_at": NOW - timedelta(minutes=minutes),
            "waited_s": minutes * 60,
            "priority": kw.get("priority"),
            "call_count": kw.get("call_count", 0),
            "note": kw.get("note", ""),
        }
    )


def counter_snapshot() -> CounterSnapshot:
    return CounterSnapshot(
        site=SITE,
        seq=SEQ,
        generated_at=NOW,
        counter=_counter(5, ["tp-chungthuc", *TU_PHAP[:2], *TU_PHAP[3:]], "3023"),
        clerk="clerk05",
        current=_brief("3023", 18, status=TicketStatus.CALLED, call_count=1),
        next_up=[
            _brief("3024", 16, priority="pregnant"),
            _brief("3025", 15),
            _brief("1049", 14, service="tp-hotich"),
        ],
        parked=[_brief("3019", 41, status=TicketStatus.PARKED, note="Bổ sung bản sao sổ hộ khẩu")],
        waiting=[
            ServiceWaiting(
                code="tp-chungthuc",
                name_vi="Chứng thực",
                name_en="Certified copies and signatures",
                waiting=7,
            ),
            ServiceWaiting(code="tp-hotich", name_vi="Hộ tịch", name_en=HOTICH[2], waiting=12),
        ],
        longest_wait_s=16 * 60,
    )


def queue_snapshot() -> QueueSnapshot:
    def status(code: str, dept: str, vi: str, en: str, waiting: int, **kw: object) -> ServiceStatus:
        return ServiceStatus.model_validate(
            {
                "code": code,
                "department": dept,
                "name_vi": vi,
                "name_en": en,
                "open": kw.get("open", True),
                "closed_reason": kw.get("closed_reason"),
                "waiting": waiting,
                "estimated_wait_s": kw.get("estimate", waiting * 240),
                "counters_open": kw.get("counters", 3),
                "issued_today": kw.get("issued", waiting * 4),
                "quota": kw.get("quota"),
            }
        )

    services = [
        status("tp-hotich", "tu-phap", "Hộ tịch", HOTICH[2], 12),
        status("tp-chungthuc", "tu-phap", "Chứng thực", "Certified copies and signatures", 7),
        status("ca-cutru", "cong-an", "Cư trú", CUTRU[2], 9),
        status("ca-cancuoc", "cong-an", "Căn cước", CANCUOC[2], 21, quota=300, issued=212),
        status(
            "nnmt-datdai", "nnmt", "Đất đai", "Land", 0,
            open=False, closed_reason="quota", quota=250, issued=250, estimate=0,
        ),
    ]  # fmt: skip
    return QueueSnapshot(
        site=SITE,
        seq=SEQ,
        generated_at=NOW,
        site_name=SITE_NAME,
        business_day="2026-01-05",
        services=services,
        waiting_total=sum(s.waiting for s in services),
    )


def call_event() -> CallEvent:
    return CallEvent(site=SITE, seq=SEQ, call=call_info())


def server_status() -> ServerStatus:
    started = NOW.replace(hour=0, minute=25, second=4)  # the server process's start
    return ServerStatus(state="online", at=started, version="0.1.0")


def device_status() -> DeviceStatus:
    return DeviceStatus(
        site=SITE,
        device="kiosk-2",
        kind="kiosk",
        online=True,
        printer="paper_low",
        detail="Giấy in sắp hết",
        at=NOW,
    )


def all_examples() -> dict[str, BaseModel]:
    """Every message published on a topic, by model name."""
    return {
        "DisplaySnapshot": display_snapshot(),
        "CounterSnapshot": counter_snapshot(),
        "QueueSnapshot": queue_snapshot(),
        "CallEvent": call_event(),
        "ServerStatus": server_status(),
        "DeviceStatus": device_status(),
    }
