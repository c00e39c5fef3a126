"""What the hall board shows and says, as pure logic (no Qt, no broker).

Inputs are the contract messages the subscriber delivers (``DisplaySnapshot``,
``CallEvent``, ``ServerStatus``) and connection changes; outputs are plain
properties for the view plus three listener lists: ``changed`` (redraw),
``flashed`` (a live call: blink it) and ``announced`` (a live call: say it).
``appkit.live.LiveFeed`` brings the subscriber's callbacks onto the GUI thread.

The rules:

* Snapshots are the picture. One not newer than the last (by ``seq``, with the
  server-restart rule of ``appkit.mqtt_state.SeqGate``) is dropped.
* A call is flashed and announced only when it arrives as a live ``CallEvent``
  for this area, once per ``call_id``. Calls inside a retained snapshot (what a
  board gets on connect or reconnect) are shown, never announced. A recall has a
  new ``call_id``, so it is announced again.
* A live call newer than the last snapshot is shown at once (big number, the
  counter's current number, top of the recent list); the snapshot that follows
  confirms it.
* When the broker is lost the last picture stays, with a "connection lost" mark
  and the time it was lost; the server's own "offline" status is marked too.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel

from appkit.mqtt_state import ConnectionState, SeqGate
from server.contract.messages import (
    CallEvent,
    CallInfo,
    CounterView,
    DisplaySnapshot,
    ServerStatus,
    ServiceWaiting,
)

log = logging.getLogger(__name__)

Listener = Callable[[], None]
CallListener = Callable[[CallInfo], None]

# Enough to recognise a duplicate delivered minutes later, small enough for days of running.
PLAYED_HISTORY = 512
RECENT_LIMIT = 8


@dataclass(frozen=True, slots=True)
class StatusMark:
    """The small mark in a corner: why the picture may be out of date, and since when."""

    kind: str  # "connection" (broker lost) or "server" (server offline)
    since: datetime | None


class BoardViewModel:
    """The state of one area's board. Call its methods from one thread only."""

    def __init__(
        self,
        site: str,
        area: str,
        *,
        recent_limit: int = RECENT_LIMIT,
        played_history: int = PLAYED_HISTORY,
        reset_grace: timedelta = timedelta(minutes=2),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.site = site
        self._clock = clock
        self.area = area
        self.recent_limit = recent_limit
        self._played_history = played_history
        self._gate = SeqGate(reset_grace)
        self._snapshot: DisplaySnapshot | None = None
        self._live: list[tuple[int, CallInfo]] = []  # live calls newer than the snapshot
        self._played: OrderedDict[str, None] = OrderedDict()
        self._connected: bool | None = None
        self._lost_at: datetime | None = None
        self._server: ServerStatus | None = None
        self._server_off_at: datetime | None = None
        self.changed: list[Listener] = []
        self.flashed: list[CallListener] = []
        self.announced: list[CallListener] = []
        self.dropped_snapshots = 0
        self.duplicate_calls = 0

    # ---- inputs -------------------------------------------------------------------

    def handle(self, topic: str, message: BaseModel) -> None:
        """Route one message from the subscriber."""
        if isinstance(message, DisplaySnapshot):
            self.apply_snapshot(message)
        elif isinstance(message, CallEvent):
            self.apply_call(message)
        elif isinstance(message, ServerStatus):
            self.apply_server_status(message)
        else:
            log.debug("ignoring %s on %s", type(message).__name__, topic)

    def apply_snapshot(self, snapshot: DisplaySnapshot) -> bool:
        """Take a snapshot as the new picture; False if it was stale or not ours."""
        if snapshot.site != self.site or snapshot.area != self.area:
            log.warning(
                "ignoring a snapshot for %s/%s on the board of %s/%s",
                snapshot.site,
                snapshot.area,
                self.site,
                self.area,
            )
            return False
        previous = self._snapshot
        if not self._gate.admit("snapshot", snapshot):
            self.dropped_snapshots += 1
            return False
        if previous is not None and snapshot.seq < previous.seq:
            self._live.clear()  # the server's sequence restarted: old live calls mean nothing
        self._snapshot = snapshot
        self._live = [(seq, c) for seq, c in self._live if seq > snapshot.seq]
        self._emit(self.changed)
        return True

    def apply_call(self, event: CallEvent) -> bool:
        """Flash and announce a live call once; True if it was new for this board."""
        call = event.call
        if event.site != self.site or call.area != self.area:
            return False
        if call.call_id in self._played:
            self.duplicate_calls += 1
            return False
        self._played[call.call_id] = None
        while len(self._played) > self._played_history:
            self._played.popitem(last=False)
        if self._snapshot is None or event.seq > self._snapshot.seq:
            self._live.insert(0, (event.seq, call))
            del self._live[self.recent_limit :]
        self._emit(self.changed)
        for listener in list(self.flashed):
            self._call(listener, call)
        for listener in list(self.announced):
            self._call(listener, call)
        return True

    def apply_server_status(self, status: ServerStatus) -> None:
        self._gate.note_server_status(status)
        if status.state == "offline":
            # The broker's last will carries no time: note when we heard it.
            self._server_off_at = status.at or self._server_off_at or self._clock()
        else:
            self._server_off_at = None
        self._server = status
        self._emit(self.changed)

    def set_connection(self, state: ConnectionState) -> None:
        if state.connected:
            self._lost_at = None
        elif self._connected is not False or self._lost_at is None:
            self._lost_at = state.since  # keep the first moment of an outage
        self._connected = state.connected
        self._emit(self.changed)

    # ---- what the view shows -------------------------------------------------------

    @property
    def snapshot(self) -> DisplaySnapshot | None:
        return self._snapshot

    @property
    def has_picture(self) -> bool:
        return self._snapshot is not None or bool(self._live)

    @property
    def site_name(self) -> str:
        return self._snapshot.site_name if self._snapshot else self.site

    @property
    def area_name(self) -> str:
        return self._snapshot.area_name if self._snapshot else self.area

    @property
    def calling(self) -> CallInfo | None:
        """The newest call, shown very large."""
        if self._live:
            return self._live[0][1]
        return self._snapshot.calling if self._snapshot else None

    @property
    def recent(self) -> list[CallInfo]:
        """Newest first, live calls on top of the snapshot's list, each call once."""
        out: list[CallInfo] = []
        seen: set[str] = set()
        snap_recent = self._snapshot.recent if self._snapshot else []
        for call in [c for _, c in self._live] + list(snap_recent):
            if call.call_id not in seen:
                seen.add(call.call_id)
                out.append(call)
        return out[: self.recent_limit]

    @property
    def counters(self) -> list[CounterView]:
        """Counters in number order, with live calls already shown at their counter."""
        base = list(self._snapshot.counters) if self._snapshot else []
        latest: dict[str, CallInfo] = {}
        for _, call in reversed(self._live):  # oldest first, newest wins
            latest[call.counter_id] = call
        out = []
        for counter in base:
            live = latest.get(counter.id)
            if live is None:
                out.append(counter)
            else:
                out.append(counter.model_copy(update={"current_ticket": live.ticket_number}))
        return sorted(out, key=lambda c: c.number)

    @property
    def waiting(self) -> list[ServiceWaiting]:
        return list(self._snapshot.waiting) if self._snapshot else []

    @property
    def voice(self) -> str | None:
        """The region whose voice the site calls with (None until a server says)."""
        return self._snapshot.voice if self._snapshot else None

    @property
    def notice(self) -> str:
        return self._snapshot.notice if self._snapshot else ""

    @property
    def connected(self) -> bool:
        return bool(self._connected)

    @property
    def mark(self) -> StatusMark | None:
        """None while everything is live."""
        if self._connected is False:
            return StatusMark("connection", self._lost_at)
        if self._server is not None and self._server.state == "offline":
            return StatusMark("server", self._server_off_at)
        return None

    def was_played(self, call_id: str) -> bool:
        return call_id in self._played

    @property
    def played_count(self) -> int:
        return len(self._played)

    # ---- plumbing ------------------------------------------------------------------

    def _emit(self, listeners: list[Listener]) -> None:
        for listener in list(listeners):
            try:
                listener()
            except Exception:
                log.exception("a board listener failed")

    def _call(self, listener: CallListener, call: CallInfo) -> None:
        try:
            listener(call)
        except Exception:
            log.exception("a call listener failed for %s", call.call_id)
