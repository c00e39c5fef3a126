"""MQTT message models. Frozen, carry a version ``v``, and ignore unknown fields.

Only the server publishes these; kiosks, counters, boards and LED bridges read them.
A reader ignores fields it does not know (the tolerant-reader rule), so the server
may add a field while installed apps on older code keep working; removing a field or
changing its meaning needs a new topic prefix (``qms/v2``).

Every message of a site carries that site's sequence number ``seq``: it grows
with every state change, so a client drops a snapshot older than one it has.
Snapshots are full state, never deltas.
"""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from server.contract.vocab import CounterState, TicketStatus


class Message(BaseModel):
    """Base of every server-to-app message: an unknown field is dropped, not refused.

    A city has hundreds of sites whose devices cannot all be upgraded with the server;
    an app on older code must still show a newer server's message.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")


class CallInfo(Message):
    """One call of a ticket to a counter (a recall is a new call with a new id)."""

    call_id: str
    ticket_id: str
    ticket_number: str
    service: str
    service_name_vi: str
    service_name_en: str
    counter_id: str
    counter_number: int
    counter_name: str
    area: str
    called_at: datetime
    recall: bool = False
    call_count: int = 1
    priority: str | None = None


class CounterView(Message):
    """A counter as the hall sees it."""

    id: str
    number: int
    name: str
    area: str
    state: CounterState
    services: list[str]
    current_ticket: str | None = None
    current_status: TicketStatus | None = None


class ServiceWaiting(Message):
    code: str
    name_vi: str
    name_en: str
    waiting: int


class DisplaySnapshot(Message):
    """Retained on ``topics.display(site, area)``: everything a hall board shows."""

    v: Literal[1] = 1
    site: str
    seq: int
    generated_at: datetime
    site_name: str
    area: str
    area_name: str
    calling: CallInfo | None = None
    recent: list[CallInfo] = Field(default_factory=list)
    counters: list[CounterView] = Field(default_factory=list)
    waiting: list[ServiceWaiting] = Field(default_factory=list)
    notice: str = ""
    # The region whose voice the boards call with ("north", "central" or "south"), the
    # site's setting; None from a server before it (the board keeps its own). A str, not
    # a Literal, so a region a newer server adds does not make the whole picture unreadable.
    voice: str | None = None


class TicketBrief(Message):
    id: str
    number: str
    service: str
    priority: str | None = None
    status: TicketStatus
    issued_at: datetime
    waited_s: int = 0
    call_count: int = 0
    transferred_from: str | None = None
    note: str = ""


class CounterSnapshot(Message):
    """Retained on ``topics.counter(site, counter)``: what the clerk's screen and LED show."""

    v: Literal[1] = 1
    site: str
    seq: int
    generated_at: datetime
    counter: CounterView
    clerk: str | None = None
    current: TicketBrief | None = None
    next_up: list[TicketBrief] = Field(default_factory=list)
    parked: list[TicketBrief] = Field(default_factory=list)
    waiting: list[ServiceWaiting] = Field(default_factory=list)
    longest_wait_s: int = 0
    # The site's rule for a transfer sent without ``keep_place``, so the clerk's transfer
    # form can preselect it; a snapshot from before this field reads as the engine's default.
    transfer_keeps_place: bool = Field(
        default=True,
        description="The site's default for a transfer: keep the ticket's original place "
        "in line (true) or put it at the front (false).",
    )


class ServiceStatus(Message):
    """One field on the kiosk menu, live."""

    code: str
    department: str
    name_vi: str
    name_en: str
    open: bool
    closed_reason: str | None = None
    waiting: int
    estimated_wait_s: int
    counters_open: int
    issued_today: int
    quota: int | None = None
    # The site's estimator's wait for a ticket taken now, as ``TicketOut`` words it
    # (``server.contract.waits.wait_text``): its range, and whether a counter of the
    # field is open (if not, the wait counts from ``first_call_after`` when known).
    estimated_wait_low_s: int | None = None
    estimated_wait_high_s: int | None = None
    wait_counters_open: bool = True
    first_call_after: datetime | None = None


class QueueSnapshot(Message):
    """Retained on ``topics.queue(site)``: waiting counts and estimates of every field."""

    v: Literal[1] = 1
    site: str
    seq: int
    generated_at: datetime
    site_name: str
    business_day: str
    services: list[ServiceStatus]
    waiting_total: int


class CallEvent(Message):
    """On ``topics.calls(site)``, not retained: announce this call once (by ``call_id``)."""

    v: Literal[1] = 1
    site: str
    seq: int
    call: CallInfo


class ServerStatus(Message):
    """Retained on ``topics.server_status()``; the broker sends the offline one as last will."""

    v: Literal[1] = 1
    state: Literal["online", "offline"]
    at: datetime | None = None
    version: str = ""


class DeviceStatus(Message):
    """Retained on ``topics.device(site, device)``, published by the server for supervisors."""

    v: Literal[1] = 1
    site: str
    device: str
    kind: str
    online: bool
    printer: str | None = None
    detail: str = ""
    at: datetime
    # Set by the server when two heartbeats are missing: ``online`` is then false, whatever
    # the device last said, and ``printer`` is its last known state, not a live one.
    silent: bool = False
