"""Counter snapshots as the server publishes them, for tests that need no server."""

from datetime import UTC, datetime

from server.contract.messages import CounterSnapshot, CounterView, ServiceWaiting, TicketBrief
from server.contract.vocab import CounterState, TicketStatus

NOW = datetime(2026, 11, 22, 2, 30, tzinfo=UTC)


def brief(
    number: str,
    service: str = "HT-01",
    status: TicketStatus = TicketStatus.WAITING,
    *,
    priority: str | None = None,
    waited_s: int = 300,
    call_count: int = 0,
) -> TicketBrief:
    return TicketBrief(
        id=f"id-{number}",
        number=number,
        service=service,
        priority=priority,
        status=status,
        issued_at=NOW,
        waited_s=waited_s,
        call_count=call_count,
    )


def snapshot(
    *,
    seq: int = 1,
    current: TicketBrief | None = None,
    state: CounterState = CounterState.OPEN,
    next_up: list[TicketBrief] | None = None,
    parked: list[TicketBrief] | None = None,
    waiting: int = 2,
    counter_id: str = "5",
    transfer_keeps_place: bool = True,
) -> CounterSnapshot:
    return CounterSnapshot(
        site="hcm-main",
        seq=seq,
        generated_at=NOW,
        counter=CounterView(
            id=counter_id,
            number=int(counter_id),
            name=counter_id,
            area="A",
            state=state,
            services=["HT-01"],
            current_ticket=current.number if current else None,
            current_status=current.status if current else None,
        ),
        current=current,
        next_up=next_up or [],
        parked=parked or [],
        waiting=[
            ServiceWaiting(code="HT-01", name_vi="Hộ tịch", name_en="Civil status", waiting=waiting)
        ],
        longest_wait_s=754 if waiting else 0,
        transfer_keeps_place=transfer_keeps_place,
    )
