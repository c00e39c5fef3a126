"""Build the MQTT snapshots (display, counter, queue) and call events from the database.

A ``SiteView`` loads each piece of live state at most once (counters, tickets at
counters, waiting counts, recent service times), so building every snapshot of a
site costs a handful of queries, not one per counter.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any

from server.contract.messages import (
    CallEvent,
    CallInfo,
    CounterSnapshot,
    CounterView,
    DisplaySnapshot,
    QueueSnapshot,
    ServiceStatus,
    ServiceWaiting,
    TicketBrief,
)
from server.contract.vocab import ClosedReason, CounterState, TicketStatus
from server.engine.estimate import WaitEstimate
from server.engine.issuing import availability
from server.engine.model import Ticket
from server.engine.policy import CallPolicy
from server.projection.waits import FieldWaits
from server.storage.mapping import SiteBundle
from server.storage.models import CallRow
from server.storage.records import CallRecord, StoredCounter, StoredTicket
from server.storage.repository import Repository

RECENT_CALLS = 10
NEXT_UP = 5

CLOSED_MESSAGES: dict[ClosedReason, tuple[str, str]] = {
    ClosedReason.QUOTA: ("Đã hết số hôm nay", "No more numbers today"),
    ClosedReason.HOURS: ("Ngoài giờ tiếp nhận", "Outside opening hours"),
    ClosedReason.DISABLED: ("Tạm ngưng tiếp nhận", "Not taking requests now"),
    ClosedReason.HOLIDAY: ("Hôm nay nghỉ lễ", "Closed today (holiday)"),
    ClosedReason.CUTOFF: (
        "Đã ngừng cấp số, sắp hết giờ tiếp nhận",
        "No more numbers: closing soon",
    ),
}


def wait_fields(wait: WaitEstimate | None) -> dict[str, Any]:
    """A field's wait as ``ServiceStatus`` and ``ServiceOut`` carry it (beside the point)."""
    if wait is None:
        return {}
    return {
        "estimated_wait_low_s": wait.low_s,
        "estimated_wait_high_s": wait.high_s,
        "wait_counters_open": wait.counters_open,
        "first_call_after": wait.opens_at,
    }


def brief(row: StoredTicket | Ticket, now: datetime) -> TicketBrief:
    end = row.called_at if row.called_at and row.status != TicketStatus.WAITING else now
    return TicketBrief(
        id=row.id,
        number=row.number,
        service=row.service,
        priority=row.priority,
        status=TicketStatus(row.status),
        issued_at=row.issued_at,
        waited_s=max(0, int((end - row.issued_at).total_seconds())),
        call_count=row.call_count,
        transferred_from=row.transferred_from,
        note=row.note,
    )


def counter_view(
    bundle: SiteBundle, row: StoredCounter | Any, current: StoredTicket | Ticket | None
) -> CounterView:
    config = bundle.counters[row.id]
    return CounterView(
        id=row.id,
        number=config.number,
        name=config.name,
        area=config.area,
        state=CounterState(row.state),
        services=list(config.services),
        current_ticket=current.number if current else None,
        current_status=TicketStatus(current.status) if current else None,
    )


def call_info(bundle: SiteBundle, call: CallRow | CallRecord, ticket: StoredTicket) -> CallInfo:
    counter = bundle.counters[call.counter_id]
    service = bundle.services[ticket.service]
    return CallInfo(
        call_id=call.call_id,
        ticket_id=ticket.id,
        ticket_number=ticket.number,
        service=ticket.service,
        service_name_vi=service.name_vi,
        service_name_en=service.name_en,
        counter_id=counter.id,
        counter_number=counter.number,
        counter_name=counter.name,
        area=call.area,
        called_at=call.at,
        recall=call.recall,
        call_count=call.call_count,
        priority=ticket.priority,
    )


def call_info_light(bundle: SiteBundle, row: Any) -> CallInfo:
    """``call_info`` from a row of ``call_statements.RECENT_CALLS_LIGHT`` (call and ticket)."""
    counter = bundle.counters[row.counter_id]
    service = bundle.services[row.ticket_service]
    return CallInfo(
        call_id=row.call_id,
        ticket_id=row.ticket_id,
        ticket_number=row.ticket_number,
        service=row.ticket_service,
        service_name_vi=service.name_vi,
        service_name_en=service.name_en,
        counter_id=counter.id,
        counter_number=counter.number,
        counter_name=counter.name,
        area=row.area,
        called_at=row.at,
        recall=row.recall,
        call_count=row.call_count,
        priority=row.ticket_priority,
    )


@dataclass
class ServiceLoad:
    """Live numbers of one service: what the menu and the queue snapshot show."""

    waiting: int
    counters_open: int
    issued_today: int
    estimate_s: int
    closed: ClosedReason | None
    counters: list[int] = field(default_factory=list)
    wait: WaitEstimate | None = None  # the site's estimator's, for a ticket taken now


class SiteView:
    """Read-side state of one site at one moment, loaded lazily and shared."""

    def __init__(
        self,
        repo: Repository,
        bundle: SiteBundle,
        *,
        day: date,
        now: datetime,
        seq: int,
        policy: CallPolicy,
        notice: str | None = None,
        waits: FieldWaits | None = None,
    ) -> None:
        """``waits``: the projector's kept field waits (a fresh one when not given)."""
        self.repo = repo
        self.bundle = bundle
        self.site_id = bundle.site.id
        self.day = day
        self.now = now
        self.seq = seq
        self.policy = policy
        self._heads: dict[str, list[Ticket]] = {}
        # The recent calls of boards about to be built (``load_recent_calls``).
        self._recent_calls: dict[str, list[Any]] = {}
        self._targeted: list[Ticket] | None = None
        self._waits = waits or FieldWaits()
        if notice is not None:  # read with the site's version
            self.__dict__["notice"] = notice

    @cached_property
    def counter_rows(self) -> dict[str, Any]:
        return self.repo.counter_states(self.site_id)

    @cached_property
    def at_counters(self) -> dict[str, Any]:
        """The called or serving ticket of each counter (the latest call wins), as light
        rows with the attributes ``brief`` and ``counter_view`` read."""
        out: dict[str, Any] = {}
        held = self.repo.at_counters_light(self.site_id)
        for t in sorted(held, key=lambda t: t.called_at or t.issued_at):
            if t.counter_id:
                out[t.counter_id] = t
        return out

    @property
    def targeted(self) -> list[Ticket]:
        """Waiting tickets transferred to a counter (read with the first line heads)."""
        if self._targeted is None:
            self._read_heads([])
        assert self._targeted is not None
        return self._targeted

    def line_head(self, service: str) -> list[Ticket]:
        """The first tickets of a service's priority and normal lines (cached per build)."""
        if service not in self._heads:
            self.load_heads([service])
        return self._heads[service]

    def load_recent_calls(self, areas: Iterable[str]) -> None:
        """Fetch the recent calls of these areas' boards in one statement (PostgreSQL)."""
        wanted = sorted(set(areas))
        if len(wanted) > 1:
            self._recent_calls.update(
                self.repo.recent_calls_of_areas(self.site_id, wanted, RECENT_CALLS)
            )

    def load_heads(self, services: Iterable[str]) -> None:
        """Fetch the line heads of these services in one statement."""
        missing = sorted(set(services) - set(self._heads))
        if missing:
            self._read_heads(missing)

    def _read_heads(self, missing: list[str]) -> None:
        """The heads of these services' lines and, the first time, the tickets
        transferred to a counter, in one statement."""
        want = self._targeted is None
        for code in missing:
            self._heads[code] = []
        targeted, heads = self.repo.heads_and_targeted(
            self.site_id, self.day, missing, limit=NEXT_UP, targeted=want
        )
        if want:
            self._targeted = targeted
        for t in heads:
            self._heads[t.service].append(t)

    @cached_property
    def parked(self) -> list[Ticket]:
        parked = self.repo.tickets_light(self.site_id, (TicketStatus.PARKED.value,))
        return sorted(parked, key=lambda t: t.queue_at)

    @cached_property
    def waiting_counts(self) -> dict[str, int]:
        return self.repo.waiting_counts(self.site_id, self.day)

    @cached_property
    def recent_times(self) -> dict[str, list[float]]:
        return self.repo.recent_service_times(self.site_id, self.day)

    @cached_property
    def issued(self) -> dict[str, int]:
        return self.repo.issued_by_service(self.site_id, self.day)

    @cached_property
    def notice(self) -> str:
        return self.repo.notice(self.site_id)

    @cached_property
    def _open_by_service(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for row in self.counter_rows.values():
            config = self.bundle.counters.get(row.id)
            if config is not None and row.state == CounterState.OPEN.value:
                for code in config.services:
                    out[code] = out.get(code, 0) + 1
        return out

    def counters_open(self, service: str) -> int:
        return self._open_by_service.get(service, 0)

    @cached_property
    def field_waits(self) -> dict[str, WaitEstimate] | None:
        """Each field's wait for a ticket taken now, by the site's estimator; None while
        the snapshot process works out the first ones (``FieldWaits.later``)."""
        return self._waits.of(
            self.repo,
            self.bundle,
            day=self.day,
            now=self.now,
            seq=self.seq,
            counters=self.counter_rows,
            waiting=self.waiting_counts,
            recent_s=self.recent_times,
        )

    @property
    def waits_ready(self) -> bool:
        """Whether the field waits are at hand (the queue snapshot and the menu need them)."""
        return self.field_waits is not None

    def load(self, service: str) -> ServiceLoad:
        config = self.bundle.services[service]
        waiting = self.waiting_counts.get(service, 0)
        issued = self.issued.get(service, 0)
        waits = self.field_waits
        if waits is None:  # the projector checks ``waits_ready`` before the queue snapshot
            raise LookupError(f"the field waits of site {self.site_id} are not worked out yet")
        wait = waits[service]
        return ServiceLoad(
            waiting=waiting,
            counters_open=self.counters_open(service),
            issued_today=issued,
            estimate_s=wait.wait_s,
            wait=wait,
            closed=availability(self.bundle.site, config, self.now, issued),
            counters=[c.number for c in self.bundle.counters_for(service)],
        )

    def view_of(self, counter_id: str) -> CounterView:
        return counter_view(
            self.bundle, self.counter_rows[counter_id], self.at_counters.get(counter_id)
        )

    def service_waiting(self, services: Sequence[str]) -> list[ServiceWaiting]:
        out = []
        for code in services:
            s = self.bundle.services[code]
            out.append(
                ServiceWaiting(
                    code=code,
                    name_vi=s.name_vi,
                    name_en=s.name_en,
                    waiting=self.waiting_counts.get(code, 0),
                )
            )
        return out

    # ---- the three retained snapshots ---------------------------------------------

    def display(self, area: str) -> DisplaySnapshot:
        counters = [c for c in self.bundle.counters.values() if c.area == area]
        calls = self._recent_calls.pop(area, None)
        if calls is None:
            calls = self.repo.recent_calls_light(self.site_id, area, RECENT_CALLS)
        infos = [call_info_light(self.bundle, c) for c in calls]
        calling = None
        if calls and calls[0].ticket_status == TicketStatus.CALLED.value:
            calling = infos[0]
        services: list[str] = []
        for c in counters:
            services.extend(s for s in c.services if s not in services)
        area_config = self.bundle.areas[area]
        return DisplaySnapshot(
            site=self.site_id,
            seq=self.seq,
            generated_at=self.now,
            site_name=self.bundle.site.name,
            area=area,
            area_name=area_config.name_vi,
            calling=calling,
            recent=infos,
            counters=[self.view_of(c.id) for c in counters],
            waiting=self.service_waiting(services),
            notice=self.notice or self.bundle.site.ticker,
            voice=self.bundle.site.voice,
        )

    def counter(self, counter_id: str) -> CounterSnapshot:
        config = self.bundle.counters[counter_id]
        row = self.counter_rows[counter_id]
        current = self.at_counters.get(counter_id)
        candidates = [t for t in self.targeted if t.target_counter == counter_id]
        for code in config.services:
            candidates.extend(self.line_head(code))
        ordered = self.policy.order(
            self.bundle.site,
            config,
            candidates,
            priority_streak=row.priority_streak,
            now=self.now,
        )
        oldest = min((t.issued_at for t in ordered), default=None)
        parked = [t for t in self.parked if t.counter_id == counter_id]
        return CounterSnapshot(
            site=self.site_id,
            seq=self.seq,
            generated_at=self.now,
            counter=self.view_of(counter_id),
            clerk=row.clerk,
            current=brief(current, self.now) if current else None,
            next_up=[brief(t, self.now) for t in ordered[:NEXT_UP]],
            parked=[brief(t, self.now) for t in parked],
            waiting=self.service_waiting(config.services),
            longest_wait_s=max(0, int((self.now - oldest).total_seconds())) if oldest else 0,
            transfer_keeps_place=self.bundle.site.transfer_keeps_place,
        )

    def queue(self) -> QueueSnapshot:
        services = []
        for code, config in self.bundle.services.items():
            load = self.load(code)
            services.append(
                ServiceStatus(
                    code=code,
                    department=config.department,
                    name_vi=config.name_vi,
                    name_en=config.name_en,
                    open=load.closed is None,
                    closed_reason=load.closed.value if load.closed else None,
                    waiting=load.waiting,
                    estimated_wait_s=load.estimate_s,
                    counters_open=load.counters_open,
                    issued_today=load.issued_today,
                    quota=config.daily_quota,
                    **wait_fields(load.wait),
                )
            )
        return QueueSnapshot(
            site=self.site_id,
            seq=self.seq,
            generated_at=self.now,
            site_name=self.bundle.site.name,
            business_day=self.day.isoformat(),
            services=services,
            waiting_total=sum(s.waiting for s in services),
        )

    def call_event(self, call: CallRow) -> CallEvent:
        ticket = self.repo.ticket_row(call.ticket_id)
        assert ticket is not None
        return CallEvent(site=self.site_id, seq=self.seq, call=call_info(self.bundle, call, ticket))
