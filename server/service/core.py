"""The command runner: one transaction per command, idempotency, then publishing.

A command locks its site, answers a repeated ``Idempotency-Key`` from the store,
applies the change, bumps the site's sequence number and stores its answer, all
in one transaction. Only after the commit are the affected snapshots rebuilt
from the database and published.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import Protocol

from pydantic import BaseModel

from server.contract import topics
from server.contract.messages import CallEvent
from server.engine.lifecycle import expire
from server.engine.numbering import business_day
from server.engine.policy import CallPolicy, DefaultPolicy
from server.messaging.publisher import Publisher
from server.service import errors
from server.service.context import Actor, Ctx, Effects, Result
from server.service.pump import Pump
from server.snapshots import SiteView
from server.storage.bundles import BundleCache
from server.storage.db import Database
from server.storage.idempotency import answer
from server.storage.mapping import ticket_from_row
from server.storage.repository import Repository

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class SnapshotBuilder(Protocol):
    """Builds and publishes merged changes elsewhere (``snapshot_process``)."""

    def submit(self, site_id: str, effects: Effects) -> None: ...

    def flush(self, timeout: float) -> bool: ...

    def close(self) -> None: ...


KEEP_KEYS = timedelta(hours=48)
# Under a burst, changes handed to the snapshot process at most this often (measured on
# 2 cores: 5 ms left the child 2 ms of CPU per call-next and 380-430 calls/s; 20 ms,
# 0.7-1.2 ms and 450-630 calls/s, call to display p99 37-38 ms; docs/performance.md).
GATHER_S = 0.02
SYSTEM = Actor(kind="system", name="system", role="system", site=None)


def utc_now() -> datetime:
    return datetime.now(UTC)


class ServiceCore:
    """Transactions and publishing shared by every use-case."""

    def __init__(
        self,
        db: Database,
        publisher: Publisher,
        *,
        public_url: str = "http://127.0.0.1:8080",
        clock: Clock = utc_now,
        policy: CallPolicy | None = None,
        background: bool = False,
        builder: SnapshotBuilder | None = None,
    ) -> None:
        """``background``: publish from a thread that merges bursts (the server does);
        otherwise publish before the command returns (deterministic, for tests).
        ``builder``: with ``background``, where the merged changes go to be built and
        published (the server's snapshot process) instead of this process's publisher."""
        self.db = db
        self.publisher = publisher
        self.public_url = public_url.rstrip("/")
        self.clock = clock
        self.policy: CallPolicy = policy or DefaultPolicy()
        self.bundles = BundleCache()
        self._publish_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._last_seq: dict[str, int] = {}
        self._known_day: dict[str, tuple[str, date]] = {}
        self._auth_cache: dict[str, tuple[Actor, float]] = {}
        self._builder = builder
        if not background:
            self._pump = None
        elif builder is None:
            self._pump = Pump(self._publish_now)
        else:
            # Handing over costs next to nothing, so a burst is known by the rate of
            # changes alone, and gathered for GATHER_S: each hand-over wakes a thread
            # and the child, and each build in the child costs CPU the requests need on
            # a small machine. A hall at its pace is never held (see Pump).
            self._pump = Pump(builder.submit, min_gap=GATHER_S, by_rate=True)

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the snapshots of every committed change went out."""
        if self._pump is None:
            return True
        began = time.monotonic()
        if not self._pump.flush(timeout):
            return False
        if self._builder is None:
            return True
        return self._builder.flush(max(0.0, timeout - (time.monotonic() - began)))

    def close(self) -> None:
        if self._pump is not None:
            self._pump.close()
        if self._builder is not None:
            self._builder.close()

    # ---- transactions -------------------------------------------------------------

    def command(
        self,
        site_id: str,
        actor: Actor,
        key: str | None,
        request_hash: str,
        apply: Callable[[Ctx], tuple[int, BaseModel]],
    ) -> Result:
        """Run ``apply`` in one locked transaction, exactly once per idempotency key."""
        self._roll_day_if_needed(site_id)
        request_hash = hashlib.sha256(request_hash.encode()).hexdigest()
        with self.db.write() as session:
            repo = Repository(session)
            site = repo.lock_site_version(site_id)  # the site lock, as a light row
            if site is None:
                raise errors.unknown_site(site_id)
            if key is not None:
                stored = repo.idempotent(actor.scope, key)
                if stored is not None:
                    if stored.request_hash != request_hash:
                        raise errors.idempotency_conflict()
                    return Result(stored.status_code, dict(stored.response), replayed=True)
            now = self.clock()
            bundle = self.bundles.cached(site_id, site.config_version)
            if bundle is None:
                full = repo.site(site_id)
                assert full is not None  # locked above
                bundle = self.bundles.get(session, full)
            ctx = Ctx(repo, site, bundle, now, business_day(now, bundle.site.time_zone), actor)
            status, model = apply(ctx)
            body = model.model_dump(mode="json")
            stored = None
            if key is not None:
                stored = answer(
                    actor.scope,
                    key,
                    request_hash=request_hash,
                    status_code=status,
                    response=body,
                    now=now,
                )
            repo.end_command(site_id, stored, bump=ctx.effects.changed)
        self.publish(site_id, ctx.effects)
        return Result(status, body)

    @contextmanager
    def reading(self, site_id: str) -> Iterator[SiteView]:
        """A read-only view of a site now (refuses an unknown site)."""
        with self.db.read() as session:
            yield self.view_in(Repository(session), site_id)

    def view_in(self, repo: Repository, site_id: str) -> SiteView:
        """The view of a site in a read transaction already open (``reading`` opens one)."""
        site = repo.site_version(site_id)  # a light row: no ORM object, no settings
        if site is None:
            raise errors.unknown_site(site_id)
        bundle = self.bundles.cached(site_id, site.config_version)
        if bundle is None:
            full = repo.site(site_id)
            if full is None:
                raise errors.unknown_site(site_id)
            bundle = self.bundles.get(repo.s, full)
        now = self.clock()
        return SiteView(
            repo,
            bundle,
            day=business_day(now, bundle.site.time_zone),
            now=now,
            seq=site.seq,
            policy=self.policy,
            notice=site.notice or "",
        )

    # ---- the business day -------------------------------------------------------

    def _roll_day_if_needed(self, site_id: str) -> None:
        """Cheap on most calls: the day this process last saw the site roll is cached."""
        known = self._known_day.get(site_id)
        if known is not None and business_day(self.clock(), known[0]) == known[1]:
            return
        with self.db.read() as session:
            site = Repository(session).site(site_id)
            if site is None:
                raise errors.unknown_site(site_id)
            time_zone = site.time_zone
            today = business_day(self.clock(), time_zone)
            current = site.current_day
        if current != today:
            self.roll_day(site_id)
        self._known_day[site_id] = (time_zone, today)

    def roll_day(self, site_id: str) -> int:
        """Expire the active tickets of past business days; returns how many."""
        with self.db.write() as session:
            repo = Repository(session)
            site = repo.lock_site(site_id)
            if site is None:
                raise errors.unknown_site(site_id)
            now = self.clock()
            today = business_day(now, site.time_zone)
            if site.current_day == today:
                return 0
            stale = repo.past_active(site_id, today)
            for row in stale:
                ticket, event = expire(ticket_from_row(row), now=now, time_zone=site.time_zone)
                repo.save_ticket(ticket, row)
                repo.append_events(site_id, [event])
            repo.write_events()
            site.current_day = today
            if stale:
                repo.bump_seq(site)
        if stale:
            self.publish(site_id, Effects(everything=True))
        return len(stale)

    def sweep_days(self) -> int:
        """The periodic sweep: roll every site whose local day has changed, and forget
        idempotency keys old enough that no client still retries with them."""
        with self.db.read() as session:
            site_ids = Repository(session).site_ids()
        expired = sum(self.roll_day(site_id) for site_id in site_ids)
        with self.db.write() as session:
            Repository(session).forget_keys_before(self.clock() - KEEP_KEYS)
        return expired

    # ---- publishing -----------------------------------------------------------------

    def _publish_lock(self, site_id: str) -> threading.Lock:
        with self._locks_guard:
            return self._publish_locks.setdefault(site_id, threading.Lock())

    def publish(self, site_id: str, effects: Effects) -> None:
        """Rebuild and send the snapshots a committed change made stale.

        The change is already committed: a failure here is logged, never raised,
        and heals with the next change or ``republish_all``.
        """
        if not effects.changed:
            return
        if self._pump is not None:
            self._pump.submit(site_id, effects)
        else:
            self._publish_now(site_id, effects)

    def _publish_now(self, site_id: str, effects: Effects) -> None:
        try:
            with self._publish_lock(site_id):
                self._publish_locked(site_id, effects)
        except Exception:
            log.exception("publishing snapshots of site %s failed", site_id)

    def _publish_locked(self, site_id: str, effects: Effects) -> None:
        """Build and send in the order people notice: the hall displays, the call
        announcements, then the counters' screens and the site queue."""
        with self.reading(site_id) as view:
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
            if effects.queue or effects.everything:
                self._send_snapshot(topics.queue(site_id), seq, view.queue())

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

    def republish_all(self) -> None:
        """Send every retained snapshot of every site again (start, broker reconnect)."""
        with self.db.read() as session:
            site_ids = Repository(session).site_ids()
        for site_id in site_ids:
            self.publish(site_id, Effects(everything=True))
            self.republish_devices(site_id)

    def republish_all_devices(self) -> None:
        """Send the device statuses of every site again (a snapshot process sends the
        rest)."""
        with self.db.read() as session:
            site_ids = Repository(session).site_ids()
        for site_id in site_ids:
            self.republish_devices(site_id)

    def republish_devices(self, site_id: str) -> None:
        """Hook for device statuses; overridden by the service that stores them."""
