"""Realistic display messages of the demo centre, for tests, screenshots and the bench."""

from datetime import UTC, datetime, timedelta

from server.contract.messages import (
    CallEvent,
    CallInfo,
    CounterView,
    DisplaySnapshot,
    ServiceWaiting,
)
from server.contract.vocab import CounterState, TicketStatus

SITE = "hcm-main"
AREA = "hall-a"
T0 = datetime(2026, 11, 23, 2, 15, tzinfo=UTC)  # 09:15 in Ho Chi Minh City

SERVICES = {
    "LD": ("Lao động – Thương binh và Xã hội", "Labour, Invalids and Social Affairs"),
    "TP": ("Tư pháp – Hộ tịch", "Justice – Civil status"),
    "XD": ("Xây dựng", "Construction"),
    "KH": ("Kế hoạch và Đầu tư", "Planning and Investment"),
    "TN": ("Tài nguyên và Môi trường", "Natural Resources and Environment"),
    "GT": ("Giao thông vận tải", "Transport"),
}


def call(
    n: int,
    counter: int = 5,
    *,
    prefix: str = "",
    service: str = "TP",
    at: datetime | None = None,
    recall: bool = False,
    call_id: str | None = None,
    area: str = AREA,
) -> CallInfo:
    vi, en = SERVICES[service]
    number = f"{prefix}{n:03d}" if prefix else str(n)
    return CallInfo(
        call_id=call_id or f"c-{number}-{counter}-{int(recall)}",
        ticket_id=f"t-{number}",
        ticket_number=number,
        service=service,
        service_name_vi=vi,
        service_name_en=en,
        counter_id=f"q{counter}",
        counter_number=counter,
        counter_name=f"Quầy {counter}",
        area=area,
        called_at=at or T0,
        recall=recall,
        call_count=2 if recall else 1,
    )


def event(info: CallInfo, seq: int) -> CallEvent:
    return CallEvent(site=SITE, seq=seq, call=info)


def snapshot(
    seq: int,
    *,
    calling: CallInfo | None = None,
    recent: list[CallInfo] | None = None,
    notice: str = "",
    generated_at: datetime | None = None,
    counters: list[CounterView] | None = None,
) -> DisplaySnapshot:
    return DisplaySnapshot(
        site=SITE,
        seq=seq,
        generated_at=generated_at or T0 + timedelta(seconds=seq),
        site_name="Trung tâm Phục vụ hành chính công TP. Hồ Chí Minh",
        area=AREA,
        area_name="Sảnh A",
        calling=calling,
        recent=recent or [],
        counters=counters if counters is not None else demo_counters(),
        waiting=[
            ServiceWaiting(code=code, name_vi=vi, name_en=en, waiting=w)
            for (code, (vi, en)), w in zip(SERVICES.items(), (12, 7, 3, 0, 9, 4), strict=True)
        ],
        notice=notice,
    )


def demo_counters() -> list[CounterView]:
    states = {3: CounterState.PAUSED, 8: CounterState.CLOSED}
    services = list(SERVICES)
    out = []
    for n in range(1, 11):
        state = states.get(n, CounterState.OPEN)
        current = None
        if state == CounterState.OPEN:
            current = f"{1000 + 7 * n}" if n % 2 else f"A{n * 3:03d}"
        out.append(
            CounterView(
                id=f"q{n}",
                number=n,
                name=f"Quầy {n}",
                area=AREA,
                state=state,
                services=[services[(n - 1) % len(services)]],
                current_ticket=current,
                current_status=TicketStatus.SERVING if current else None,
            )
        )
    return out


def demo_snapshot(seq: int = 120) -> DisplaySnapshot:
    """What the hall shows mid-morning: a fresh call, recent calls, open and closed counters."""
    latest = call(1023, 5, at=T0)
    recent = [
        call(1023, 5, at=T0),
        call(12, 2, prefix="A", service="LD", at=T0 - timedelta(seconds=40)),
        call(1021, 7, service="XD", at=T0 - timedelta(seconds=95)),
        call(1019, 1, service="TN", at=T0 - timedelta(seconds=150)),
        call(9, 4, prefix="B", service="GT", at=T0 - timedelta(seconds=200)),
        call(1017, 9, service="KH", at=T0 - timedelta(seconds=260)),
    ]
    return snapshot(
        seq,
        calling=latest,
        recent=recent,
        notice=(
            "Công dân vui lòng chuẩn bị đầy đủ hồ sơ và căn cước công dân trước khi đến quầy. "
            "Trung tâm làm việc từ thứ Hai đến thứ Sáu, sáng 7 giờ 30 – 11 giờ 30, "
            "chiều 13 giờ – 17 giờ. Please have your documents and ID card ready."
        ),
    )
