"""The central server's side of the branches: their tokens and sites, their events kept
once each, what comes down to them, and when each was last heard."""

import hmac
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from server.contract import topics
from server.security.hashing import new_token, token_hash
from server.service.core import ServiceCore
from server.service.errors import ServiceError
from server.service.site_config import SiteConfigs
from server.storage.models import (
    BranchRow,
    BranchSiteRow,
    DeviceRow,
    RatingRow,
    ReportDayRow,
    ReportVisitRow,
    SiteRow,
    TicketEventRow,
    TicketRow,
    UserRow,
)
from server.upstream.wire import (
    ConfigDown,
    DeviceDown,
    Push,
    PushAck,
    SiteDown,
    UserDown,
    ticket_in,
)

log = logging.getLogger(__name__)

# A branch not heard from for longer is shown as "last heard at ..." (it pushes, even
# nothing, every few seconds while its link works).
QUIET_AFTER = timedelta(minutes=1)


@dataclass(frozen=True)
class Branch:
    """An authenticated branch: its id and the sites whose events it may send."""

    id: str
    sites: frozenset[str]


@dataclass(frozen=True)
class UpstreamStatus:
    """What the city knows of a site a branch owns (``Branches.last_heard``)."""

    site: str
    branch: str
    last_heard_at: datetime | None  # the branch's last push (None: never)
    last_event_at: datetime | None  # the time of its newest event received here
    quiet: bool  # not heard for longer than ``QUIET_AFTER``: show "last heard at ..."


def _refused(code: str, vi: str, en: str, status: int = 403) -> ServiceError:
    return ServiceError(status, code, vi, en)


class Branches:
    """The branches that own sites of this (central) installation."""

    def __init__(self, core: ServiceCore) -> None:
        self.core = core

    def add(self, branch_id: str, sites: Sequence[str], name: str = "") -> str:
        """Register a branch owning ``sites`` (or give it a new token and these sites);
        returns its token, shown once."""
        topics.check_slug(branch_id)
        if not sites:
            raise ValueError("a branch owns at least one site")
        token = new_token()
        with self.core.db.write() as session:
            for site in sites:
                if session.get(SiteRow, site) is None:
                    raise ValueError(f"unknown site {site!r}: import its site file first")
                owner = session.get(BranchSiteRow, site)
                if owner is not None and owner.branch_id != branch_id:
                    raise ValueError(f"site {site!r} belongs to branch {owner.branch_id!r}")
            row = session.get(BranchRow, branch_id)
            if row is None:
                row = BranchRow(id=branch_id, created_at=self.core.clock(), received_through=0)
                session.add(row)
            row.name = name or branch_id
            row.token_hash = token_hash(token)
            row.active = True
            session.flush()
            session.execute(delete(BranchSiteRow).where(BranchSiteRow.branch_id == branch_id))
            session.add_all(BranchSiteRow(site_id=s, branch_id=branch_id) for s in sites)
        log.info("branch %s owns %s", branch_id, ", ".join(sites))
        return token

    def revoke(self, branch_id: str) -> None:
        """The branch's token stops working; its sites stay its own (``add`` again
        gives a new token)."""
        with self.core.db.write() as session:
            row = session.get(BranchRow, branch_id)
            if row is None:
                raise ValueError(f"unknown branch {branch_id!r}")
            row.active = False
            row.token_hash = token_hash(new_token())

    def authenticate(self, token: str) -> Branch:
        digest = token_hash(token)
        with self.core.db.read() as session:
            row = session.scalars(select(BranchRow).where(BranchRow.token_hash == digest)).first()
            if row is None or not row.active or not hmac.compare_digest(row.token_hash, digest):
                raise _refused(
                    "unauthorized",
                    "Mã của chi nhánh không hợp lệ.",
                    "The branch token is not valid.",
                    status=401,
                )
            sites = session.scalars(
                select(BranchSiteRow.site_id).where(BranchSiteRow.branch_id == row.id)
            )
            return Branch(row.id, frozenset(sites))

    def receive(self, branch: Branch, push: Push) -> PushAck:
        """Keep the events of ``push`` not kept yet, and the tickets' present state with
        them; a push seen before changes nothing. A branch's pushes are serialised on its
        row, so a retry racing the original cannot write an older state over a newer."""
        try:
            tickets = [ticket_in(t) for t in push.tickets]
            if any(e.at.tzinfo is None for e in push.events):
                raise ValueError("an event's time without its zone")
        except ValueError as exc:
            vi, en = "Vé gửi lên không hợp lệ.", f"A ticket sent up is not valid: {exc}"
            raise _refused("bad_ticket", vi, en, 422) from exc
        foreign = {e.site for e in push.events} | {t["site_id"] for t in tickets}
        foreign -= branch.sites
        if foreign:
            raise _refused(
                "not_your_site",
                f"Chi nhánh {branch.id} không quản lý điểm {', '.join(sorted(foreign))}.",
                f"Branch {branch.id} does not own site(s) {', '.join(sorted(foreign))}.",
            )
        now = self.core.clock()
        with self.core.db.write() as session:
            row = session.get(BranchRow, branch.id, with_for_update=True)
            assert row is not None  # authenticated, and branches are never deleted
            ids = [e.id for e in push.events]
            kept = set(
                session.scalars(
                    select(TicketEventRow.origin_id).where(
                        TicketEventRow.origin == branch.id, TicketEventRow.origin_id.in_(ids)
                    )
                )
                if ids
                else ()
            )
            new = [e for e in push.events if e.id not in kept]
            row.last_heard_at = now
            if new:
                by_id = self._save_tickets(session, tickets)
                session.add_all(
                    TicketEventRow(
                        site_id=e.site,
                        ticket_id=e.ticket_id,
                        kind=e.kind,
                        at=e.at,
                        actor=e.actor,
                        counter_id=e.counter_id,
                        data=e.data,
                        origin=branch.id,
                        origin_id=e.id,
                    )
                    for e in new
                )
                for e in new:
                    if e.kind == "rated" and e.ticket_id in by_id:
                        ticket = by_id[e.ticket_id]
                        session.add(
                            RatingRow(
                                site_id=e.site,
                                ticket_id=e.ticket_id,
                                counter_id=e.counter_id,
                                clerk=ticket.clerk or e.actor,
                                business_day=ticket.business_day,
                                rating=str(e.data.get("rating", "")),
                                at=e.at,
                            )
                        )
                newest = max(e.at for e in new)
                if row.last_event_at is None or newest > row.last_event_at:
                    row.last_event_at = newest
            if ids:
                row.received_through = max(row.received_through, *ids)
            through = row.received_through
        return PushAck(received_through=through, stored=len(new))

    @staticmethod
    def _save_tickets(session: Session, tickets: list[dict[str, object]]) -> dict[str, TicketRow]:
        """Insert or overwrite each ticket as the branch has it; a closed day's report
        rows of its site are dropped so the next report rolls the day up again with it."""
        rows: dict[str, TicketRow] = {}
        stale_days: set[tuple[str, object]] = set()
        for values in tickets:
            row = session.get(TicketRow, values["id"])
            if row is None:
                row = TicketRow(**values)
                session.add(row)
            else:
                for name, value in values.items():
                    setattr(row, name, value)
            rows[row.id] = row
            stale_days.add((row.site_id, row.business_day))
        for site_id, day in stale_days:
            rolled = session.get(ReportDayRow, (site_id, day))
            if rolled is not None:
                session.execute(
                    delete(ReportVisitRow).where(
                        ReportVisitRow.site_id == site_id, ReportVisitRow.business_day == day
                    )
                )
                session.delete(rolled)
        return rows

    def config_for(self, branch: Branch, known: dict[str, int] | None = None) -> ConfigDown:
        """The site files, staff accounts and devices of the branch's sites; a site file
        is left out where ``known`` (site -> version the branch has) is current."""
        known = known or {}
        configs = SiteConfigs(self.core)
        sites = sorted(branch.sites)
        with self.core.db.read() as session:
            versions = dict(
                session.execute(
                    select(SiteRow.id, SiteRow.config_version).where(SiteRow.id.in_(sites))
                ).all()
            )
            users = [
                UserDown(
                    username=u.username,
                    display_name=u.display_name,
                    role=u.role,
                    site=u.site_id or "",
                    password_hash=u.password_hash,
                    active=u.active,
                )
                for u in session.scalars(
                    select(UserRow).where(UserRow.site_id.in_(sites)).order_by(UserRow.username)
                )
            ]
            devices = [
                DeviceDown(
                    id=d.id,
                    site=d.site_id,
                    kind=d.kind,
                    name=d.name,
                    token_hash=d.token_hash,
                    active=d.active,
                    area=d.area,
                )
                for d in session.scalars(
                    select(DeviceRow).where(DeviceRow.site_id.in_(sites)).order_by(DeviceRow.id)
                )
            ]
        return ConfigDown(
            branch=branch.id,
            sites=[
                SiteDown(
                    id=s,
                    version=versions[s],
                    file=None if known.get(s) == versions[s] else configs.export(s),
                )
                for s in sites
            ],
            users=users,
            devices=devices,
        )

    def statuses(self) -> list[UpstreamStatus]:
        """Every site a branch owns, with when its branch was last heard."""
        now = self.core.clock()
        with self.core.db.read() as session:
            rows = session.execute(
                select(
                    BranchSiteRow.site_id,
                    BranchRow.id,
                    BranchRow.last_heard_at,
                    BranchRow.last_event_at,
                )
                .join(BranchRow, BranchRow.id == BranchSiteRow.branch_id)
                .order_by(BranchSiteRow.site_id)
            ).all()
        return [
            UpstreamStatus(
                site=site,
                branch=branch,
                last_heard_at=heard,
                last_event_at=event,
                quiet=heard is None or now - heard > QUIET_AFTER,
            )
            for site, branch, heard, event in rows
        ]

    def last_heard(self, site: str) -> UpstreamStatus | None:
        """The upstream status of ``site``; None when the site is served here, not by a
        branch (for the installation view and the console)."""
        return next((s for s in self.statuses() if s.site == site), None)

    def owned_sites(self) -> set[str]:
        with self.core.db.read() as session:
            return set(session.scalars(select(BranchSiteRow.site_id)))
