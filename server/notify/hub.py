"""The live tracking pages' hub: one computation per change of a site, for every phone.

A hall may have hundreds of tracking pages open. Each page holds a server-sent events
stream (``server.api.tracking``) registered here as a ``Watch``. The projector tells the
hub of every committed change (``Projector.watchers``) on the committing thread; the hub
only marks the site dirty. Its own thread then, per dirty site, reads in one read
transaction the tickets behind every open page and every stored contact (one query) and
the site's waiting line (one query), counts the people ahead in memory with the
engine's rule, renders each (ticket, language) once and hands the result to every page
showing it, when it changed. The cost is per change and site, not per phone
(docs/performance.md).

The same pass tells citizens who asked (``TrackContactRow``) that the turn is near, once
per ticket (a transfer opens a new ticket: they are told again), and erases a contact
(phone number, push subscription) as soon as the ticket behind it ended.
"""

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import delete, select

from server.contract.http import TicketOut
from server.contract.vocab import TicketStatus
from server.engine.estimate import people_ahead
from server.engine.model import SiteConfig, Ticket
from server.notify import webpush
from server.notify.gateway import MessageGateway, SimulatedGateway
from server.notify.texts import NEAR_TEXT, NEAR_TITLE
from server.notify.webpush import PushSender, VapidKey
from server.projection.effects import Effects
from server.service import QueueService
from server.storage.mapping import ticket_from_row
from server.storage.models import TicketRow, TrackContactRow
from server.storage.repository import Repository

log = logging.getLogger(__name__)

# Another server process on the same database commits changes this one is not told of:
# the sites with open pages or contacts are checked this often for a newer sequence
# number (one light query per site), and passed over when they moved.
POLL_S = 5.0

# The ticket behind the link is over: nothing more to tell, and its contact is erased.
ENDED = frozenset(
    {TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.CANCELLED, TicketStatus.EXPIRED}
)


@dataclass(frozen=True)
class Seen:
    """What the tracking pages of one ticket show, in the language of one page."""

    site: str
    ticket: TicketOut
    site_name: str
    time_zone: str
    near: bool


# (what a page shows, its language) -> the card's HTML: ``server.api.tracking`` renders.
Render = Callable[[Seen, str], str]


@dataclass(frozen=True)
class Update:
    """One message of a page's event stream."""

    html: str
    status: str
    ticket: str  # the ticket's id: a transfer changes it (the page alerts again)
    near: bool
    called: bool

    def as_json(self) -> dict[str, Any]:
        return {
            "html": self.html,
            "status": self.status,
            "ticket": self.ticket,
            "near": self.near,
            "called": self.called,
        }


@dataclass(eq=False)
class Watch:
    """One open tracking page."""

    token: str
    lang: str
    site: str
    loop: asyncio.AbstractEventLoop
    # None: the server is stopping, the stream ends (the browser reconnects elsewhere).
    queue: asyncio.Queue[Update | None] = field(default_factory=asyncio.Queue)
    last: Update | None = None

    def end(self) -> None:
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.queue.put_nowait, None)

    def offer(self, update: Update) -> None:
        """From the hub's thread: queue the update on the page's event loop if new."""
        if update == self.last:
            return
        self.last = update
        with contextlib.suppress(RuntimeError):  # a closed loop: the page went with the server
            self.loop.call_soon_threadsafe(self.queue.put_nowait, update)


def is_near(ticket: TicketOut, site: SiteConfig) -> bool:
    """Within the site's N people or M minutes (``near_people``, ``near_minutes``)."""
    if ticket.status is not TicketStatus.WAITING:
        return False
    if ticket.people_ahead <= site.near_people:
        return True
    return ticket.counters_open and ticket.estimated_wait_s <= site.near_minutes * 60


class TrackingHub:
    """Live tracking pages and "Sắp đến lượt" notices for one server process."""

    def __init__(
        self,
        service: QueueService,
        render: Render,
        *,
        key: VapidKey | None = None,
        gateway: MessageGateway | None = None,
        push: PushSender | None = None,
    ) -> None:
        self.service = service
        self.render = render
        self.key = key
        self.gateway: MessageGateway = gateway or SimulatedGateway()
        self.push: PushSender = push or webpush.HttpPushSender()
        self._watches: dict[str, set[Watch]] = {}  # site -> its open pages
        self._contact_sites: set[str] = set()
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._idle = threading.Condition(self._lock)
        self._busy = False
        self._seq: dict[str, int] = {}  # each site's sequence number at its last pass
        # Messages go out one by one off the hub's thread: a slow provider must not hold
        # the pages back.
        self._senders = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify")
        self._thread = threading.Thread(target=self._run, name="tracking-hub", daemon=True)

    def start(self) -> None:
        with self.service.core.db.read() as session:
            sites = session.scalars(select(TrackContactRow.site_id).distinct()).all()
        with self._lock:
            self._contact_sites.update(sites)
            self._dirty.update(sites)  # contacts of tickets that ended while we were down
        self.service.projector.watchers.append(self.changed)
        self._thread.start()
        self._wake.set()

    def close(self) -> None:
        """Stop, and end every open page's stream (the HTTP server can then stop at once)."""
        with self._lock:
            self._closed = True
            watches = [w for pages in self._watches.values() for w in pages]
        for watch in watches:
            watch.end()
        if self.changed in self.service.projector.watchers:
            self.service.projector.watchers.remove(self.changed)
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        self._senders.shutdown(wait=True, cancel_futures=False)

    # ---- change notices ---------------------------------------------------------------

    def changed(self, site_id: str, effects: Effects) -> None:
        """A committed change (the projector's watcher): note it, nothing more."""
        with self._lock:
            if site_id in self._watches or site_id in self._contact_sites:
                self._dirty.add(site_id)
                self._wake.set()

    def settle(self, timeout: float = 10.0) -> bool:
        """Wait until every change noted so far was handled (tests, shutdown)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._dirty and not self._busy, timeout)

    def _run(self) -> None:
        while True:
            if not self._wake.wait(POLL_S):
                self._poll()
            with self._lock:
                self._wake.clear()
                if self._closed:
                    return
                sites, self._dirty = self._dirty, set()
                self._busy = True
            for site in sorted(sites):
                try:
                    self._refresh(site)
                except Exception:
                    log.exception("refreshing the tracking pages of site %s failed", site)
            with self._idle:
                self._busy = False
                self._idle.notify_all()

    def _poll(self) -> None:
        """Mark the sites another process changed (their sequence number moved)."""
        with self._lock:
            sites = set(self._watches) | self._contact_sites
        if not sites:
            return
        moved = set()
        try:
            with self.service.core.db.read() as session:
                repo = Repository(session)
                for site in sites:
                    row = repo.site_version(site)
                    if row is not None and row.seq != self._seq.get(site):
                        moved.add(site)
        except Exception:
            log.exception("checking the sites of the tracking pages failed")
            return
        with self._lock:
            self._dirty |= moved

    # ---- pages ----------------------------------------------------------------------

    def seen(self, token: str) -> Seen | None:
        """One ticket now, for a page being opened (one small read)."""
        with self.service.core.db.read() as session:
            repo = Repository(session)
            row = repo.ticket_by_track_token(token)
            if row is None:
                return None
            view = self.service.core.view_in(repo, row.site_id)
            return self._seen(view.bundle.site, self.service.tickets.ticket_view(view, row))

    def update(self, seen: Seen, lang: str) -> Update:
        return Update(
            html=self.render(seen, lang),
            status=seen.ticket.status.value,
            ticket=seen.ticket.id,
            near=seen.near,
            called=seen.ticket.status in (TicketStatus.CALLED, TicketStatus.SERVING),
        )

    def watch(
        self, token: str, lang: str, site: str, loop: asyncio.AbstractEventLoop, first: Update
    ) -> Watch:
        """Register an open page; the site is refreshed once, in case it changed between
        the page's first read and now."""
        watch = Watch(token, lang, site, loop, last=first)
        with self._lock:
            self._watches.setdefault(site, set()).add(watch)
            self._dirty.add(site)
            self._wake.set()
        return watch

    def unwatch(self, watch: Watch) -> None:
        with self._lock:
            pages = self._watches.get(watch.site)
            if pages is not None:
                pages.discard(watch)
                if not pages:
                    del self._watches[watch.site]

    def pages(self) -> int:
        with self._lock:
            return sum(len(w) for w in self._watches.values())

    # ---- contacts -----------------------------------------------------------------------

    def keep_contact(
        self, token: str, *, phone: str | None = None, push: dict[str, Any] | None = None
    ) -> bool:
        """Store a phone number or a push subscription with a live ticket; False when the
        link is unknown or its ticket is over (nothing is stored then)."""
        with self.service.core.db.write() as session:
            row = Repository(session).ticket_by_track_token(token)
            if row is None or TicketStatus(row.status) in ENDED:
                return False
            contact = session.get(TrackContactRow, token)
            if contact is None:
                contact = TrackContactRow(
                    track_token=token, site_id=row.site_id, created_at=datetime.now(UTC)
                )
                session.add(contact)
            if phone is not None:
                contact.phone = phone
            if push is not None:
                contact.push = push
            site = row.site_id
        with self._lock:
            self._contact_sites.add(site)
            self._dirty.add(site)  # already near: told at once
            self._wake.set()
        return True

    # ---- one site's pass ------------------------------------------------------------

    def _seen(self, site: SiteConfig, ticket: TicketOut) -> Seen:
        return Seen(
            site=site.id,
            ticket=ticket,
            site_name=site.name,
            time_zone=site.time_zone,
            near=is_near(ticket, site),
        )

    def _refresh(self, site_id: str) -> None:
        with self._lock:
            watches = list(self._watches.get(site_id, ()))
        core = self.service.core
        with core.db.read() as session:
            repo = Repository(session)
            contacts = [
                (c.track_token, c.phone, c.push, c.told_ticket)
                for c in session.scalars(
                    select(TrackContactRow).where(TrackContactRow.site_id == site_id)
                )
            ]
            tokens = {w.token for w in watches} | {c[0] for c in contacts}
            if not tokens:
                with self._lock:
                    self._contact_sites.discard(site_id)
                return
            rows = session.scalars(select(TicketRow).where(TicketRow.track_token.in_(tokens)))
            rows_by_token = {r.track_token: r for r in rows if r.track_token is not None}
            view = core.view_in(repo, site_id)
            self._seq[site_id] = view.seq
            # The waiting line read once, in the lines a ticket waits in: each ticket is
            # then counted against its own line only, by the engine's rule.
            lines: dict[tuple[date, str, str | None], list[Ticket]] = {}
            if any(r.status == TicketStatus.WAITING.value for r in rows_by_token.values()):
                for t in repo.tickets_light(site_id, [TicketStatus.WAITING.value]):
                    lines.setdefault((t.business_day, t.service, t.target_counter), []).append(t)
            seen: dict[str, Seen] = {}
            for token, row in rows_by_token.items():
                ahead = None
                if row.status == TicketStatus.WAITING.value:
                    ticket = ticket_from_row(row)
                    line = lines.get((ticket.business_day, ticket.service, ticket.target_counter))
                    ahead = people_ahead(ticket, line or ())
                out = self.service.tickets.ticket_view(view, row, ahead=ahead)
                seen[token] = self._seen(view.bundle.site, out)
        rendered: dict[tuple[str, str], Update] = {}
        for watch in watches:
            now = seen.get(watch.token)
            if now is None:
                continue
            key = (watch.token, watch.lang)
            if key not in rendered:
                rendered[key] = self.update(now, watch.lang)
            watch.offer(rendered[key])
        self._tell(contacts, seen)

    def _tell(
        self,
        contacts: list[tuple[str, str | None, dict[str, Any] | None, str | None]],
        seen: dict[str, Seen],
    ) -> None:
        """Send the "near" notices due, and erase the contacts of ended tickets."""
        erase: list[str] = []
        told: list[tuple[str, str]] = []
        for token, phone, push, told_ticket in contacts:
            now = seen.get(token)
            if now is None or now.ticket.status in ENDED:
                erase.append(token)
            elif now.near and told_ticket != now.ticket.id:
                told.append((token, now.ticket.id))
                self._senders.submit(self._send, now, phone, push)
        if not erase and not told:
            return
        with self.service.core.db.write() as session:
            if erase:
                session.execute(
                    delete(TrackContactRow).where(TrackContactRow.track_token.in_(erase))
                )
            for token, ticket_id in told:
                contact = session.get(TrackContactRow, token)
                if contact is not None:
                    contact.told_ticket = ticket_id

    def _send(self, seen: Seen, phone: str | None, push: dict[str, Any] | None) -> None:
        ticket = seen.ticket
        lang = ticket.language if ticket.language in NEAR_TEXT else "vi"
        text = NEAR_TEXT[lang].format(
            number=ticket.number, ahead=ticket.people_ahead, site=seen.site_name
        )
        if phone:
            try:
                self.gateway.send(phone, text)
            except Exception:
                log.exception("the messaging gateway refused a message")
        if push and self.key is not None:
            url = ticket.track_url
            message = {"title": NEAR_TITLE[lang], "body": text, "url": url}
            try:
                self.push.send(webpush.build(self.key, push, message))
            except Exception:
                log.exception("a push notice could not be sent")
