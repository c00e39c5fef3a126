"""The command runner: one transaction per command, idempotency, the business day.

A command locks its site, answers a repeated ``Idempotency-Key`` from the store,
applies the change, bumps the site's sequence number and stores its answer, all
in one transaction. Only after the commit does it hand what it changed (``Effects``)
to the projector (``server.projection``), which rebuilds and publishes the snapshots.
"""

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Generic, TypeVar

from pydantic import BaseModel

from server.engine.lifecycle import expire
from server.engine.numbering import business_day
from server.projection.effects import Effects
from server.projection.projector import Clock, Projector, utc_now
from server.projection.snapshots import SiteView
from server.service import errors
from server.service.context import Actor, Ctx, Result
from server.storage import day_services
from server.storage.db import Database, WriterBusy
from server.storage.idempotency import answer
from server.storage.mapping import ticket_from_row
from server.storage.models import BranchSiteRow
from server.storage.repository import Repository

T = TypeVar("T")
KEEP_KEYS = timedelta(hours=48)


@dataclass(frozen=True)
class Ran(Generic[T]):
    """What a command returned when it ran at once (``ServiceCore.at_once``)."""

    value: T


class ServiceCore:
    """The transactions every use-case runs in; committed changes go to the projector.

    Shared by the parts of ``QueueService`` (each holds it as a field)."""

    def __init__(self, db: Database, projector: Projector, *, clock: Clock = utc_now) -> None:
        self.db = db
        self.projector = projector
        self.clock = clock
        self.bundles = projector.bundles  # one cache of site configurations per process
        self.policies = projector.policies  # call-next uses the policy the snapshots show
        self._known_day: dict[str, tuple[str, date]] = {}

    # ---- where a command may run ----------------------------------------------------

    def at_once(self, command: Callable[[], T]) -> Ran[T] | None:
        """Run ``command`` now if its writes will not wait for the database: on SQLite,
        when the write lock is free at once (``Database.without_waiting``). None when
        it would wait (or on PostgreSQL, where a command waits on the network): the
        transaction that could not begin wrote nothing, so it may run again elsewhere."""
        if not self.db.is_sqlite:
            return None
        try:
            with self.db.without_waiting():
                return Ran(command())
        except WriterBusy:
            # A day roll committed before the busy write is not done twice (the day is
            # then current).
            return None

    def database_state(self) -> str:
        """The backend's name if a query goes through, else "unreachable" (``/health``)."""
        try:
            with self.db.read() as session:
                session.connection().exec_driver_sql("SELECT 1")
        except Exception:
            return "unreachable"
        return self.db.backend

    # ---- transactions -------------------------------------------------------------

    def command(
        self,
        site_id: str,
        actor: Actor,
        key: str | None,
        request_hash: str,
        apply: Callable[[Ctx], tuple[int, BaseModel]],
    ) -> Result:
        """Run ``apply`` in one locked transaction, exactly once per idempotency key.

        Every command that changes a hall passes here, so this is the one place that
        refuses a branch-owned site's: its hall is served (and numbered) at the branch,
        whose own writes arrive through ``server/upstream/central.py``, not here."""
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
            # After the replay: a retry of a command that ran before the site was handed
            # to its branch gets its answer, not a refusal of what was done.
            if site.branch is not None:
                raise errors.served_by_branch(site_id, site.branch)
            now = self.clock()
            bundle = self.bundles.cached(site_id, site.config_version)
            if bundle is None:
                full = repo.site(site_id)
                assert full is not None  # locked above
                bundle = self.bundles.get(session, full)
            day = business_day(now, bundle.site.time_zone)
            policy = self.policies.for_site(bundle.site)
            ctx = Ctx(repo, site, bundle, now, day, actor, policy)
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
        self.projector.publish(site_id, ctx.effects)
        return Result(status, body)

    @contextmanager
    def reading(self, site_id: str) -> Iterator[SiteView]:
        """A read-only view of a site now (refuses an unknown site)."""
        with self.db.read() as session:
            yield self.view_in(Repository(session), site_id)

    def view_in(self, repo: Repository, site_id: str) -> SiteView:
        """The view of a site in a read transaction already open (``reading`` opens one)."""
        view = self.projector.view_in(repo, site_id)
        if view is None:
            raise errors.unknown_site(site_id)
        return view

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
            # A branch's sites roll their days at the branch; the expiries come up as its
            # events (``server/upstream/``), never made a second time here, neither by the
            # sweep nor before a command (which the command then refuses).
            if session.get(BranchSiteRow, site_id) is not None:
                return 0
            stale = repo.past_active(site_id, today)
            # Yesterday's extra fields of counters end with it: every process reloads.
            dropped_fields = day_services.any_on(session, site_id, site.current_day)
            if dropped_fields:
                site.config_version += 1
            for row in stale:
                ticket, event = expire(ticket_from_row(row), now=now, time_zone=site.time_zone)
                repo.save_ticket(ticket, row)
                repo.append_events(site_id, [event])
            repo.write_events()
            site.current_day = today
            if stale or dropped_fields:
                repo.bump_seq(site)
        if stale or dropped_fields:
            self.projector.publish(site_id, Effects(everything=True))
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
