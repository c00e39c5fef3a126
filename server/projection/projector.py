"""The projector: committed state in, what the boards, counters and kiosks see out.

After a command commits, the service hands its ``Effects`` (which snapshots it made
stale, and its call announcements) to ``Projector.publish``. The projector rebuilds
those snapshots from the database (``SiteView``) and publishes them, at once, or from
its pump (merging bursts), or in the snapshot process, which runs a ``Projector`` of its
own. It never writes and never imports the service: the dependency runs one way.
"""

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import partial
from typing import Protocol

from pydantic import BaseModel
from sqlalchemy import select

from server.alerts.liveness import is_silent
from server.contract import topics
from server.contract.messages import CallEvent, DeviceStatus
from server.engine.estimate import Estimator
from server.engine.estimators import estimator_for
from server.engine.model import SiteConfig
from server.engine.numbering import business_day
from server.engine.policy import CallPolicy, Policies
from server.messaging.publisher import Publisher
from server.projection.effects import Effects
from server.projection.pump import Pump
from server.projection.snapshots import SiteView
from server.projection.waits import FieldWaits, WaitsThread
from server.storage.bundles import BundleCache
from server.storage.db import Database
from server.storage.models import DeviceRow, DeviceStatusRow
from server.storage.repository import Repository

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]

# Under a burst, changes are handed to the snapshot process at most this often: each
# hand-over wakes a thread and the child, and each build in the child takes CPU the
# requests need on a small machine (the trade-off is measured in docs/performance.md).
GATHER_S = 0.02


def utc_now() -> datetime:
    return datetime.now(UTC)


class SnapshotBuilder(Protocol):
    """Builds and publishes merged changes elsewhere (``snapshot_process``)."""

    def submit(self, site_id: str, effects: Effects) -> None: ...

    def flush(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


class Projector:
    """Builds a site's snapshots from the database and publishes them."""

    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        *,
        clock: Clock = utc_now,
        policies: Policies | None = None,
        bundles: BundleCache | None = None,
        background: bool = False,
        builder: SnapshotBuilder | None = None,
        waits_apart: bool = False,
        estimator_of: Callable[[SiteConfig], Estimator] = estimator_for,
    ) -> None:
        """``policies``: each site's call policy, for the counters' "next up" lists (the
        service calls with the same). ``bundles``: the site configurations, shared with
        the service in one process. ``background``: publish from a thread that merges
        bursts (the server does); otherwise publish before ``publish`` returns
        (deterministic, for tests). ``builder``: with ``background``, where the merged
        changes go to be built and published (the server's snapshot process) instead
        of this projector's publisher. ``waits_apart``: work out the kiosks' field waits
        on a thread of their own and send the queue snapshot when they are ready, so the
        boards' snapshots and the call events never wait for them (the snapshot
        process). ``estimator_of``: the site's estimator (the service's; tests slow it)."""
        self.db = db
        self.publisher = publisher
        self.clock = clock
        self.policies = policies or Policies()
        self.bundles = bundles or BundleCache()
        self._publish_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._last_seq: dict[str, int] = {}
        self._warned: set[str] = set()
        self._builder = builder
        self._builds = 0
        self._builds_guard = threading.Lock()
        # The kiosks' field buttons, kept a short while.
        self.field_waits = FieldWaits(estimator_of)
        self._waits_thread: WaitsThread | None = None
        if waits_apart:
            self._waits_thread = WaitsThread(self._refresh_waits)
            self.field_waits.later = self._waits_thread.request
        # Told of every committed change (site, effects) on the committing thread, before
        # any snapshot is built; must only take note and return (the live tracking pages,
        # ``server.notify.hub``).
        self.watchers: list[Callable[[str, Effects], None]] = []
        self._pump: Pump | None
        if not background:
            self._pump = None
        elif builder is None:
            self._pump = Pump(self._publish_now)
        else:
            # Handing over costs next to nothing, so a burst is known by the rate of
            # changes alone, and gathered for GATHER_S. A hall at its pace is never held
            # (see Pump).
            self._pump = Pump(builder.submit, min_gap=GATHER_S, by_rate=True)

    # ---- reading a site -----------------------------------------------------------------

    @contextmanager
    def reading(self, site_id: str) -> Iterator[SiteView | None]:
        """A read-only view of a site now, or None for an unknown site."""
        with self.db.read() as session:
            yield self.view_in(Repository(session), site_id)

    def view_in(self, repo: Repository, site_id: str) -> SiteView | None:
        """The view of a site in a read transaction already open; None when unknown."""
        site = repo.site_version(site_id)  # a light row: no ORM object, no settings
        if site is None:
            return None
        bundle = self.bundles.cached(site_id, site.config_version)
        if bundle is None:
            full = repo.site(site_id)
            if full is None:
                return None
            bundle = self.bundles.get(repo.s, full)
        now = self.clock()
        return SiteView(
            repo,
            bundle,
            day=business_day(now, bundle.site.time_zone),
            now=now,
            seq=site.seq,
            policy=self._policy(bundle.site),
            notice=site.notice or "",
            waits=self.field_waits,
        )

    def _policy(self, site: SiteConfig) -> CallPolicy:
        """The site's call policy; a name this server does not know is logged once."""
        policy = self.policies.for_site(site)
        if site.id in self.policies.unknown and site.id not in self._warned:
            self._warned.add(site.id)
            log.error(
                "site %s names an unknown call policy %r; using the default one",
                site.id,
                self.policies.unknown[site.id],
            )
        return policy

    # ---- publishing -------------------------------------------------------------------

    def publish(self, site_id: str, effects: Effects) -> None:
        """Rebuild and send the snapshots a committed change made stale.

        The change is already committed: a failure here is logged, never raised,
        and heals with the next change or ``republish_all``.
        """
        if not effects.changed:
            return
        for watcher in self.watchers:
            try:
                watcher(site_id, effects)
            except Exception:
                log.exception("a watcher of site %s failed", site_id)
        if self._pump is not None:
            self._pump.submit(site_id, effects)
        else:
            self._publish_now(site_id, effects)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the snapshots of every change handed over so far went out."""
        if self._pump is None:
            return True
        began = time.monotonic()
        if not self._pump.flush(timeout):
            return False
        if self._builder is None:
            return True
        return self._builder.flush(max(0.0, timeout - (time.monotonic() - began)))

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until the field waits asked for so far were worked out and their queue
        snapshots sent (``waits_apart``)."""
        return self._waits_thread is None or self._waits_thread.settle(timeout)

    def close(self) -> None:
        if self._waits_thread is not None:
            self._waits_thread.close()
        if self._pump is not None:
            self._pump.close()
        if self._builder is not None:
            self._builder.close()

    def _publish_lock(self, site_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._publish_locks.setdefault(site_id, threading.Lock())

    def _publish_now(self, site_id: str, effects: Effects) -> None:
        try:
            with self._publish_lock(site_id):
                self._publish_locked(site_id, effects)
        except Exception:
            log.exception("publishing snapshots of site %s failed", site_id)
        with self._builds_guard:
            self._builds += 1

    def snapshot_builds(self) -> dict[str, int]:
        """Builds of a site's stale snapshots so far (``/metrics``): in this process,
        and in its snapshot process (every child since this process started)."""
        child = getattr(self._builder, "builds", 0)
        return {"server": self._builds, "snapshot_process": int(child)}

    def _publish_locked(self, site_id: str, effects: Effects) -> None:
        """Build and send in the order people notice: the hall displays, the call
        announcements, then the counters' screens and the site queue."""
        with self.reading(site_id) as view:
            if view is None:
                log.error("publishing snapshots of an unknown site %s", site_id)
                return
            bundle = view.bundle
            seq = view.seq
            areas = set(bundle.areas) if effects.everything else effects.areas
            counters = (
                set(bundle.counters) if effects.everything else effects.counters | effects.counts
            )
            view.load_recent_calls(areas)
            for area in sorted(areas):
                self._send_snapshot(topics.display(site_id, area), seq, view.display(area))
            for call_id in effects.calls:
                info = effects.call_infos.get(call_id)
                if info is not None:
                    event: CallEvent | None = CallEvent(site=site_id, seq=seq, call=info)
                else:
                    call = view.repo.call_by_id(call_id)
                    event = view.call_event(call) if call is not None else None
                if event is not None:
                    self._send(partial(self.publisher.publish_event, topics.calls(site_id), event))
            view.load_heads(code for c in counters for code in bundle.counters[c].services)
            for counter_id in sorted(counters, key=lambda c: bundle.counters[c].number):
                topic = topics.counter(site_id, counter_id)
                self._send_snapshot(topic, seq, view.counter(counter_id))
            # Without its field waits yet, the queue snapshot goes when they are ready
            # (``_refresh_waits``).
            if (effects.queue or effects.everything) and view.waits_ready:
                self._send_snapshot(topics.queue(site_id), seq, view.queue())

    def _refresh_waits(self, site_id: str) -> None:
        """Work out a site's due field waits (on the waits' thread), then send its queue
        snapshot with them."""
        with self.reading(site_id) as view:
            if view is None:
                return
            worked = self.field_waits.refresh(
                view.repo,
                view.bundle,
                day=view.day,
                now=view.now,
                seq=view.seq,
                counters=view.counter_rows,
            )
        if worked:
            self._publish_now(site_id, Effects(queue=True))

    def _send_snapshot(self, topic: str, seq: int, message: BaseModel) -> None:
        if self._last_seq.get(topic, -1) > seq:
            return  # a newer snapshot already went out
        self._last_seq[topic] = seq
        self._send(partial(self.publisher.publish_snapshot, topic, message))

    @staticmethod
    def _send(publish: Callable[[], None]) -> None:
        """A publisher must not raise; if one does, the other messages still go out."""
        try:
            publish()
        except Exception:
            log.exception("publishing failed")

    # ---- device statuses --------------------------------------------------------------

    def send_device_status(self, message: DeviceStatus) -> None:
        """A device's reported status, on this process's own connection (never the
        snapshot process's: the status is a command's answer, sent at once)."""
        self.publisher.publish_snapshot(topics.device(message.site, message.device), message)

    def republish_devices(self, site_id: str) -> None:
        """The last reported status of every device of a site, from the database."""
        with self.db.read() as session:
            rows = session.execute(
                select(DeviceRow, DeviceStatusRow)
                .join(DeviceStatusRow, DeviceStatusRow.device_id == DeviceRow.id)
                .where(DeviceRow.site_id == site_id)
            ).all()
            now = self.clock()
            messages = [
                device_status(
                    site_id,
                    d.id,
                    d.kind,
                    status,
                    silent=is_silent(status.at, status.heartbeat_s, now),
                )
                for d, status in rows
            ]
        for message in messages:
            self.send_device_status(message)

    # ---- republishing everything ----------------------------------------------------------

    def _site_ids(self) -> list[str]:
        with self.db.read() as session:
            return Repository(session).site_ids()

    def republish_all(self) -> None:
        """Send every retained snapshot and device status of every site again (start,
        broker reconnect)."""
        for site_id in self._site_ids():
            self.publish(site_id, Effects(everything=True))
            self.republish_devices(site_id)

    def republish_snapshots(self) -> None:
        """Send every retained snapshot again (the snapshot process on each connect)."""
        for site_id in self._site_ids():
            self.publish(site_id, Effects(everything=True))

    def republish_all_devices(self) -> None:
        """Send the device statuses of every site again (a snapshot process sends the
        rest)."""
        for site_id in self._site_ids():
            self.republish_devices(site_id)


def device_status(
    site: str, device: str, kind: str, row: DeviceStatusRow, *, silent: bool = False
) -> DeviceStatus:
    """The retained status message of one device, from its stored report; a silent device
    is offline, whatever it last said."""
    return DeviceStatus(
        site=site,
        device=device,
        kind=kind,
        online=row.online and not silent,
        printer=row.printer,
        detail=row.detail,
        at=row.at,
        silent=silent,
    )
