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
AREA = "A"
T0 = datetime(2026, 11, 23, 2, 15, tzinfo=UTC)  # 09:15 in Ho Chi Minh City

# Zone A of the demo centre (server/seed/hcm_main.py): justice, police, social insurance.
SERVICES = {
    "tp-hotich": ("Hộ tịch", "Civil status registration"),
    "tp-lltp": ("Lý lịch tư pháp", "Criminal record certificates"),
    "tp-chungthuc": ("Chứng thực", "Certified copies and signatures"),
    "tp-quoctich": ("Quốc tịch", "Nationality"),
    "tp-botro": ("Luật sư, công chứng, bổ trợ tư pháp", "Lawyers, notaries and judicial support"),
    "ca-cutru": ("Cư trú", "Residence registration"),
    "ca-cancuoc": ("Căn cước", "Identity cards"),
    "ca-xnc": ("Xuất nhập cảnh", "Passports and immigration"),
    "bhxh-thu": (
        "Thu, cấp sổ bảo hiểm xã hội, thẻ bảo hiểm y tế",
        "Contributions, social insurance books, health insurance cards",
    ),
    "bhxh-chedo": ("Giải quyết chế độ bảo hiểm", "Insurance benefits"),
}
WAITING = (12, 4, 7, 1, 0, 9, 21, 3, 6, 2)
# Counter number -> main field (counter 1 is the zone's priority counter).
COUNTER_FIELDS = {
    1: "tp-hotich",
    2: "tp-hotich",
    3: "tp-hotich",
    4: "tp-lltp",
    5: "tp-chungthuc",
    6: "tp-quoctich",
    7: "ca-cutru",
    8: "ca-cutru",
    9: "ca-cancuoc",
    10: "ca-cancuoc",
    11: "ca-xnc",
    12: "bhxh-thu",
    13: "bhxh-thu",
    14: "bhxh-chedo",
    15: "bhxh-chedo",
}


def call(
    n: int,
    counter: int = 5,
    *,
    prefix: str = "",
    service: str = "tp-chungthuc",
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
        counter_name=f"Quầy {counter}" + (" - Ưu tiên" if counter == 1 else ""),
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
        area_name="Khu A",
        calling=calling,
        recent=recent or [],
        counters=counters if counters is not None else demo_counters(),
        waiting=[
            ServiceWaiting(code=code, name_vi=vi, name_en=en, waiting=w)
            for (code, (vi, en)), w in zip(SERVICES.items(), WAITING, strict=True)
        ],
        notice=notice,
    )


CURRENT = {
    1: "1052",
    2: "1047",
    3: "1049",
    4: "2016",
    5: "1023",
    6: "QT004",
    7: "4012",
    9: "5031",
    10: "5033",
    11: "XC018",
    12: "BH027",
    14: "CD009",
}


def demo_counters() -> list[CounterView]:
    states = {8: CounterState.PAUSED, 13: CounterState.CLOSED, 15: CounterState.CLOSED}
    out = []
    for n, field in COUNTER_FIELDS.items():
        state = states.get(n, CounterState.OPEN)
        current = CURRENT.get(n) if state == CounterState.OPEN else None
        out.append(
            CounterView(
                id=f"q{n}",
                number=n,
                name=f"Quầy {n}" + (" - Ưu tiên" if n == 1 else ""),
                area=AREA,
                state=state,
                services=list(SERVICES) if n == 1 else [field],
                current_ticket=current,
                current_status=TicketStatus.SERVING if current else None,
            )
        )
    return out


def demo_snapshot(seq: int = 120) -> DisplaySnapshot:
    """What zone A shows mid-morning: a fresh call, recent calls, open and closed counters."""
    recent = [
        call(1023, 5, at=T0),
        call(1047, 2, service="tp-hotich", at=T0 - timedelta(seconds=40)),
        call(18, 11, prefix="XC", service="ca-xnc", at=T0 - timedelta(seconds=95)),
        call(5031, 9, service="ca-cancuoc", at=T0 - timedelta(seconds=150)),
        call(27, 12, prefix="BH", service="bhxh-thu", at=T0 - timedelta(seconds=200)),
        call(4012, 7, service="ca-cutru", at=T0 - timedelta(seconds=260)),
        call(2016, 4, service="tp-lltp", at=T0 - timedelta(seconds=300)),
        call(1052, 1, service="tp-hotich", at=T0 - timedelta(seconds=340)),
    ]
    return snapshot(
        seq,
        calling=recent[0],
        recent=recent,
        notice=(
            "Quý khách vui lòng chuẩn bị đầy đủ hồ sơ và căn cước trước khi đến quầy. "
            "Trung tâm làm việc từ thứ Hai đến thứ Sáu, sáng 7 giờ 30 – 11 giờ 30, "
            "chiều 13 giờ – 17 giờ. Please have your documents and ID card ready."
        ),
    )


def area_snapshot(area: str, seq: int = 200) -> DisplaySnapshot:
    """Any zone of the demo centre as its board sees it, with the site's real field names:
    every third counter closed, every fifth paused, the rest serving."""
    from server.seed.hcm_main import hcm_main

    seed = hcm_main()
    names = {s.code: s for s in seed.services}
    counters = sorted((c for c in seed.counters if c.area == area), key=lambda c: c.number)
    views = []
    services: list[str] = []
    for i, c in enumerate(counters):
        services.extend(s for s in c.services if s not in services)
        state = (
            CounterState.CLOSED
            if i % 3 == 2
            else CounterState.PAUSED
            if i % 5 == 4
            else CounterState.OPEN
        )
        current = str(1000 + 7 * c.number) if state == CounterState.OPEN else None
        views.append(
            CounterView(
                id=c.id,
                number=c.number,
                name=c.name,
                area=area,
                state=state,
                services=list(c.services),
                current_ticket=current,
                current_status=TicketStatus.SERVING if current else None,
            )
        )
    area_name = next(a.name_vi for a in seed.areas if a.id == area)
    # Each open counter called its ticket a minute apart, the newest on the big panel.
    recent = [
        CallInfo(
            call_id=f"c-{v.current_ticket}",
            ticket_id=f"t-{v.current_ticket}",
            ticket_number=v.current_ticket,
            service=v.services[0],
            service_name_vi=names[v.services[0]].name_vi,
            service_name_en=names[v.services[0]].name_en,
            counter_id=v.id,
            counter_number=v.number,
            counter_name=v.name,
            area=area,
            called_at=T0 - timedelta(minutes=i),
        )
        for i, v in enumerate(reversed([v for v in views if v.current_ticket]))
        if v.current_ticket
    ]
    return DisplaySnapshot(
        site=SITE,
        seq=seq,
        generated_at=T0,
        site_name=seed.site.name,
        area=area,
        area_name=area_name,
        calling=recent[0] if recent else None,
        recent=recent,
        counters=views,
        waiting=[
            ServiceWaiting(
                code=code, name_vi=names[code].name_vi, name_en=names[code].name_en, waiting=i
            )
            for i, code in enumerate(services)
        ],
    )


def area_ids() -> list[str]:
    from server.seed.hcm_main import hcm_main

    return [a.id for a in hcm_main().areas]
