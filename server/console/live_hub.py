"""One watcher per server process for every site's live hall, and the pages that listen.

The hub looks at every site's ``seq`` a few times a second (one small statement); a site
whose ``seq`` or business day moved gets one new ``HallModel`` (``service.hall``), however
many browsers watch it. A change made by another server process on the same PostgreSQL
moves the same ``seq``, so its pages hear it too. Once a second the hub also reads every
device's last report (silent after two missed heartbeats) and the open alerts, and
evaluates each site's alert rules (pure, ``server.alerts``) against the models it holds:
the time-based ones (a wait over target, a long pause) need no new build. What a page
receives is one JSON text per site and change, encoded once and handed to every listener.
"""

import asyncio
import contextlib
import json
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from server.alerts import DeviceLive, evaluate
from server.engine.numbering import business_day
from server.service import QueueService
from server.service.alerts import AlertSeen
from server.service.devices import DeviceSeen
from server.service.hall import HallModel

log = logging.getLogger(__name__)

POLL_S = 0.25  # how often the sites' seq are read: a change reaches the page within this
DEVICES_S = 1.0  # how often device reports and open alerts are read and rules evaluated


def _iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None


@dataclass(frozen=True)
class SiteLine:
    """One line of the installation view."""

    site: str
    name: str
    waiting: int
    longest_wait_s: int
    over_target: bool
    counters_open: int
    counters: int
    alerts: int
    silent: int

    @property
    def trouble(self) -> tuple[int, int, int, int]:
        """Sorts the most troubled first: alerts, a wait over target, then the longest wait."""
        return (-self.alerts, -int(self.over_target), -self.longest_wait_s, -self.waiting)


@dataclass
class _Site:
    model: HallModel | None = None
    devices: list[DeviceSeen] = field(default_factory=list)
    alerts: list[AlertSeen] = field(default_factory=list)
    keys: frozenset[str] | None = None  # the condition keys last written to the log
    payload: str = ""


class LiveHub:
    """Keeps each site's live hall and fans its changes out to the pages' feeds."""

    def __init__(self, service: QueueService) -> None:
        self.service = service
        self._sites: dict[str, _Site] = {}
        self._listeners: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._silent: set[str] = set()  # devices announced silent by this process
        self._devices_at = 0.0

    # ---- running --------------------------------------------------------------------

    def start(self) -> None:
        """Start watching (idempotent); the server starts it so alerts are logged even
        when nobody watches, a page starts it if nothing did."""
        with self._lock:
            if self._thread is not None or self._stop.is_set():
                return
            self._thread = threading.Thread(target=self._run, name="live-hall", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._lock:
            listeners = [x for group in self._listeners.values() for x in group]
        for loop, queue in listeners:
            self._hand(loop, queue, "")  # an empty text ends the feed

    def poke(self) -> None:
        """Look again now (an acknowledgement in this process)."""
        self._devices_at = 0.0
        self._wake.set()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.refresh()
            except Exception:
                log.exception("the live hall's refresh failed")
            self._wake.wait(POLL_S)
            self._wake.clear()

    def refresh(self) -> None:
        """One look at every site (the thread's loop; tests call it directly)."""
        hall = self.service.hall
        versions = hall.versions()
        now = self.service.core.clock()
        dirty: set[str] = set()
        for site, seq in versions.items():
            with self._lock:
                state = self._sites.setdefault(site, _Site())
            model = state.model
            if model is None or model.seq != seq or model.day < business_day(now, model.time_zone):
                try:
                    new = hall.model(site)
                except Exception:  # one site's trouble must not blind the others
                    log.exception("building the live hall of %s failed", site)
                    continue
                if new is not None:
                    state.model = new
                    dirty.add(site)
        with self._lock:
            for gone in set(self._sites) - set(versions):
                del self._sites[gone]
        now_s = time.monotonic()
        if dirty or now_s - self._devices_at >= DEVICES_S:
            self._devices_at = now_s
            dirty |= self._look_at_devices_and_alerts()
        for site in dirty:
            state = self._sites[site]
            payload = self._encode(state)
            if payload != state.payload:
                state.payload = payload
                self._publish(site, payload)

    def _look_at_devices_and_alerts(self) -> set[str]:
        """Read devices and open alerts, raise and clear alerts; the sites whose devices or
        alerts changed."""
        changed: set[str] = set()
        devices: dict[str, list[DeviceSeen]] = {}
        for d in self.service.devices.seen():
            devices.setdefault(d.site, []).append(d)
            if d.silent != (d.id in self._silent):
                (self._silent.add if d.silent else self._silent.discard)(d.id)
                self.service.devices.announce_silence(d)
        now = self.service.core.clock()
        for site, state in self._sites.items():
            seen = devices.get(site, [])
            if seen != state.devices:
                state.devices = seen
                changed.add(site)
            model = state.model
            if model is None:
                continue
            conditions = evaluate(
                model.rules,
                [f.live(now) for f in model.fields],
                [c.live() for c in model.counters],
                [DeviceLive(d.id, d.kind, d.name, d.silent, d.printer) for d in state.devices],
                now,
            )
            keys = frozenset(c.key for c in conditions)
            if keys != state.keys:
                self.service.alerts.sync(site, conditions)
                state.keys = keys
        alerts: dict[str, list[AlertSeen]] = {}
        for a in self.service.alerts.open():
            alerts.setdefault(a.site, []).append(a)
        for site, state in self._sites.items():
            now_open = alerts.get(site, [])
            if now_open != state.alerts:
                state.alerts = now_open
                changed.add(site)
        return changed

    # ---- what pages read ------------------------------------------------------------

    def payload(self, site: str) -> str:
        """The site's last feed text ("" before the first look)."""
        with self._lock:
            state = self._sites.get(site)
            return state.payload if state is not None else ""

    def builds(self) -> int:
        return self.service.hall.builds

    def installation(self, sites: Iterable[str] | None = None) -> list[SiteLine]:
        """Every site (or these) as one line, the most troubled first."""
        wanted = set(sites) if sites is not None else None
        now = self.service.core.clock()
        lines = []
        with self._lock:
            held = list(self._sites.items())
        for site, state in held:
            model = state.model
            if model is None or (wanted is not None and site not in wanted):
                continue
            fields = [f.live(now) for f in model.fields]
            lines.append(
                SiteLine(
                    site=site,
                    name=model.site_name,
                    waiting=sum(f.waiting for f in fields),
                    longest_wait_s=max((f.longest_wait_s for f in fields if f.waiting), default=0),
                    over_target=any(
                        f.waiting > 0 and f.target_s is not None and f.longest_wait_s > f.target_s
                        for f in fields
                    ),
                    counters_open=sum(1 for c in model.counters if c.state in ("open", "serving")),
                    counters=len(model.counters),
                    alerts=len(state.alerts),
                    silent=sum(1 for d in state.devices if d.silent),
                )
            )
        return sorted(lines, key=lambda line: (line.trouble, line.site))

    # ---- the feeds -----------------------------------------------------------------

    def listen(self, site: str) -> asyncio.Queue[str]:
        """A queue of this site's feed texts for the calling event loop's page."""
        self.start()
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=16)
        with self._lock:
            self._listeners.setdefault(site, set()).add((asyncio.get_running_loop(), queue))
        return queue

    def leave(self, site: str, queue: asyncio.Queue[str]) -> None:
        with self._lock:
            group = self._listeners.get(site, set())
            for item in [x for x in group if x[1] is queue]:
                group.discard(item)

    def listeners(self, site: str) -> int:
        with self._lock:
            return len(self._listeners.get(site, ()))

    def _publish(self, site: str, payload: str) -> None:
        with self._lock:
            group = list(self._listeners.get(site, ()))
        for loop, queue in group:
            self._hand(loop, queue, payload)

    @staticmethod
    def _hand(loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str], payload: str) -> None:
        def put() -> None:
            if queue.full():  # a page that cannot keep up only needs the newest state
                queue.get_nowait()
            queue.put_nowait(payload)

        with contextlib.suppress(RuntimeError):  # its loop has closed: the page is gone
            loop.call_soon_threadsafe(put)

    # ---- the feed's text -------------------------------------------------------------

    @staticmethod
    def _encode(state: _Site) -> str:
        model = state.model
        if model is None:
            return ""
        data: dict[str, Any] = {
            "site": model.site,
            "name": model.site_name,
            "seq": model.seq,
            "fields": [
                {
                    "code": f.code,
                    "name_vi": f.name_vi,
                    "name_en": f.name_en,
                    "waiting": f.waiting,
                    "oldest_at": _iso(f.oldest_at),
                    "target_s": f.target_s,
                    "estimate_s": f.estimate_s,
                    "issued": f.issued_today,
                    "served": f.served_today,
                    "open": f.counters_open,
                    "issuing": f.issuing,
                }
                for f in model.fields
            ],
            "counters": [
                {
                    "id": c.id,
                    "number": c.number,
                    "name": c.name,
                    "clerk": c.clerk,
                    "state": c.state,
                    "since": _iso(c.since),
                    "ticket": c.current_ticket,
                    "served": c.served_today,
                    "avg_s": c.avg_service_s,
                }
                for c in model.counters
            ],
            "devices": [
                {
                    "id": d.id,
                    "kind": d.kind,
                    "name": d.name,
                    "last_seen": _iso(d.last_seen),
                    "silent": d.silent,
                    "online": d.online and not d.silent,
                    "printer": d.printer,
                }
                for d in state.devices
            ],
            "alerts": [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "vi": a.message_vi,
                    "en": a.message_en,
                    "raised_at": _iso(a.raised_at),
                    "acknowledged_by": a.acknowledged_by,
                }
                for a in state.alerts
            ],
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
