"""The branch's side: push the event log up, pull the configuration down.

The branch's ``ticket_events`` table is the outbox: every change of a ticket is written
there in the command's own transaction, so nothing can change without its event. The
uplink reads it in id order from the mark the central server last acknowledged
(``upstream_marks``), sends each batch with the present state of the tickets it names,
and moves the mark only after the central server answered that it keeps them. A crash
anywhere re-sends from the old mark; the central server keeps each event once by its
id here, so a re-sent batch changes nothing (docs/branches.md).
"""

import logging
import threading
from datetime import timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from server.security.hashing import new_token, token_hash
from server.service import QueueService
from server.siteconfig import parse
from server.storage.login_attempts import bump_auth_epoch
from server.storage.models import (
    DeviceRow,
    SessionRow,
    TicketEventRow,
    TicketRow,
    UpstreamMarkRow,
    UserRow,
)
from server.upstream.wire import (
    CONFIG_PATH,
    PUSH_PATH,
    ConfigDown,
    EventUp,
    Push,
    PushAck,
    ticket_out,
)

log = logging.getLogger(__name__)

EVENTS_MARK = "events"
CONFIG_MARK = "config:"
BATCH = 200
# Under the server's request body limit (``server.api.limits.MAX_BODY``), with room.
MAX_PUSH_BYTES = 48 * 1024
# An id missing from the log may be a command still committing (PostgreSQL hands out
# ids before commit) or one that rolled back; after this long it is taken as gone.
GAP_WAIT = timedelta(seconds=10)


def _mark(session: Session, name: str) -> int:
    row = session.get(UpstreamMarkRow, name)
    return int(row.value) if row is not None else 0


def _set_mark(session: Session, name: str, value: int) -> None:
    row = session.get(UpstreamMarkRow, name)
    if row is None:
        session.add(UpstreamMarkRow(name=name, value=value))
    else:
        row.value = value


class Uplink:
    """Runs in a branch's server: looks for new events every ``push_every_s`` and pushes
    them, pushes nothing at least every ``heartbeat_s`` (the city then knows the branch
    is alive), and pulls its configuration every ``pull_every_s``; a failed exchange is
    tried again at the next turn."""

    def __init__(
        self,
        service: QueueService,
        url: str,
        token: str,
        *,
        push_every_s: float = 1.0,
        heartbeat_s: float = 10.0,
        pull_every_s: float = 15.0,
        timeout_s: float = 10.0,
        verify: str | bool = True,
    ) -> None:
        self.service = service
        self.push_every_s = push_every_s
        self.heartbeat_s = heartbeat_s
        self.pull_every_s = pull_every_s
        self._http = httpx.Client(
            base_url=url.rstrip("/"),
            headers={"Authorization": f"Bearer {token}"},
            timeout=timeout_s,
            verify=verify,
        )
        # One line a second per push would drown the server's log.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = False
        self.last_error = ""

    # The loop --------------------------------------------------------------------------

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="uplink", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
        self._http.close()

    def _run(self) -> None:
        next_pull = next_beat = 0.0
        clock = 0.0
        while not self._stop.is_set():
            if clock >= next_pull:
                # Apart from the pushes: a configuration the branch refuses must not hold
                # its events back; tried again at the next pull.
                next_pull = clock + self.pull_every_s
                self._pull_turn()
            try:
                sent = self.push_pending(heartbeat=clock >= next_beat)
            except (httpx.HTTPError, ValueError) as exc:
                self._heard(False, str(exc) or type(exc).__name__)
            except Exception as exc:  # the database away, a bug: keep the loop alive
                log.exception("uplink push failed")
                self._heard(False, str(exc))
            else:
                self._heard(True, "")
                if sent is not None:
                    next_beat = clock + self.heartbeat_s
            self._stop.wait(self.push_every_s)
            clock += self.push_every_s

    def _pull_turn(self) -> None:
        try:
            self.pull()
        except httpx.HTTPError:
            pass  # the link is down: the pushes say so
        except Exception:
            log.exception("taking the configuration from the city failed")

    def _heard(self, ok: bool, error: str) -> None:
        if ok != self.connected:
            if ok:
                log.info("uplink to the central server works")
            else:
                log.warning("uplink to the central server failed: %s", error)
        self.connected, self.last_error = ok, error

    # Events up -------------------------------------------------------------------------

    def push_pending(self, *, heartbeat: bool = True) -> int | None:
        """Send batches until nothing is left; with nothing to send, an empty push only
        when ``heartbeat``. Returns how many events the central server acknowledged, or
        None when nothing was sent at all."""
        sent: int | None = None
        while True:
            push, through, full = self.next_push()
            if not push.events and not heartbeat and sent is None:
                return None
            ack = self._send(push)
            sent = sent or 0
            if push.events:
                self._advance(through)
                sent += len(push.events)
            if ack.received_through < through:
                # The city has less than it once acknowledged (its database came back
                # from a replica that had not received everything): send it all again.
                self._rewind(ack.received_through)
                full = True
            if not full:
                return sent

    def next_push(self, limit: int = BATCH) -> tuple[Push, int, bool]:
        """The next batch from the mark: (push, its last event id, whether more may wait)."""
        now = self.service.core.clock()
        with self.service.db.read() as session:
            mark = _mark(session, EVENTS_MARK)
            rows = session.scalars(
                select(TicketEventRow)
                .where(TicketEventRow.id > mark)
                .order_by(TicketEventRow.id)
                .limit(limit)
            )
            events: list[EventUp] = []
            expected = mark + 1
            for row in rows:
                if row.id != expected and now - row.at < GAP_WAIT:
                    break  # wait for the missing ids a little
                events.append(
                    EventUp(
                        id=row.id,
                        site=row.site_id,
                        ticket_id=row.ticket_id,
                        kind=row.kind,
                        at=row.at,
                        actor=row.actor,
                        counter_id=row.counter_id,
                        data=row.data,
                    )
                )
                expected = row.id + 1
            named = {e.ticket_id for e in events}
            tickets = (
                {
                    t.id: ticket_out(t)
                    for t in session.scalars(select(TicketRow).where(TicketRow.id.in_(named)))
                }
                if named
                else {}
            )
        full = len(events) == limit
        while True:
            push = Push(
                events=events,
                tickets=[tickets[t] for t in dict.fromkeys(e.ticket_id for e in events)],
            )
            if len(events) <= 1 or len(push.model_dump_json()) <= MAX_PUSH_BYTES:
                break
            events = events[: len(events) // 2]
            full = True
        return push, (events[-1].id if events else mark), full

    def _send(self, push: Push) -> PushAck:
        response = self._http.post(PUSH_PATH, content=push.model_dump_json(), headers=_JSON)
        if response.status_code != 200:
            raise ValueError(f"the central server answered {response.status_code}: {response.text}")
        return PushAck.model_validate_json(response.content)

    def _advance(self, through: int) -> None:
        with self.service.db.write() as session:
            if through > _mark(session, EVENTS_MARK):
                _set_mark(session, EVENTS_MARK, through)

    def _rewind(self, through: int) -> None:
        log.warning("the city holds this branch's events up to %d only: sending again", through)
        with self.service.db.write() as session:
            _set_mark(session, EVENTS_MARK, through)

    def pending(self) -> int:
        """How many events have not reached the city yet."""
        from sqlalchemy import func

        with self.service.db.read() as session:
            mark = _mark(session, EVENTS_MARK)
            return int(session.scalar(select(func.count()).where(TicketEventRow.id > mark)) or 0)

    # Configuration down ----------------------------------------------------------------

    def pull(self) -> ConfigDown:
        """Take the site files, accounts and devices of this branch's sites from the city
        (a site file only when its version is not the one applied here)."""
        with self.service.db.read() as session:
            marks = session.execute(
                select(UpstreamMarkRow.name, UpstreamMarkRow.value).where(
                    UpstreamMarkRow.name.startswith(CONFIG_MARK)
                )
            ).all()
        known = ",".join(f"{name.removeprefix(CONFIG_MARK)}:{value}" for name, value in marks)
        response = self._http.get(CONFIG_PATH, params={"known": known} if known else None)
        if response.status_code != 200:
            raise ValueError(f"the central server answered {response.status_code}: {response.text}")
        down = ConfigDown.model_validate_json(response.content)
        self.apply(down)
        return down

    def apply(self, down: ConfigDown) -> None:
        for site in down.sites:
            mark = f"{CONFIG_MARK}{site.id}"
            with self.service.db.read() as session:
                applied = _mark(session, mark)
            if applied == site.version or site.file is None:
                continue
            _doc, definition = parse(site.file)
            self.service.site_config.apply(definition, actor="upstream", action="site.upstream")
            with self.service.db.write() as session:
                _set_mark(session, mark, site.version)
            log.info("site %s: configuration version %d from the city", site.id, site.version)
        forgotten = self._apply_people(down)
        for digest in forgotten:
            self.service.accounts.forget_token(digest)

    def _apply_people(self, down: ConfigDown) -> list[str]:
        """Accounts and devices as the city has them; an account or device of these sites
        that the city no longer lists is disabled. Returns token hashes to forget.
        PINs stay local: they are keyed with each server's own secret."""
        sites = [s.id for s in down.sites]
        with self.service.db.write() as session:
            ended = self._apply_users(session, down, sites)
            forgotten = self._apply_devices(session, down, sites)
            if ended:
                for session_row in session.scalars(
                    select(SessionRow).where(SessionRow.user_id.in_(ended))
                ):
                    session_row.revoked = True
                    forgotten.append(session_row.token_hash)
            if ended or forgotten:
                bump_auth_epoch(session)
        return forgotten

    def _apply_users(self, session: Session, down: ConfigDown, sites: list[str]) -> list[int]:
        """Returns the ids of the accounts whose sessions must end."""
        ended: list[int] = []
        of_sites = select(UserRow).where(UserRow.site_id.in_(sites))
        users = {u.username: u for u in session.scalars(of_sites)}
        for u in down.users:
            row = (
                users.pop(u.username, None)
                or session.scalars(select(UserRow).where(UserRow.username == u.username)).first()
            )
            if row is None:
                row = UserRow(username=u.username, created_at=self.service.core.clock())
                session.add(row)
            elif (row.password_hash, row.active, row.role, row.site_id) != (
                u.password_hash,
                u.active,
                u.role,
                u.site,
            ):
                ended.append(row.id)
            row.display_name, row.role, row.site_id = u.display_name, u.role, u.site
            row.password_hash, row.active = u.password_hash, u.active
        for gone in users.values():
            if gone.active:
                gone.active = False
                ended.append(gone.id)
        return ended

    def _apply_devices(self, session: Session, down: ConfigDown, sites: list[str]) -> list[str]:
        """Returns the token hashes that no longer open anything."""
        forgotten: list[str] = []
        devices = {
            d.id: d for d in session.scalars(select(DeviceRow).where(DeviceRow.site_id.in_(sites)))
        }
        for d in down.devices:
            dev = devices.pop(d.id, None) or session.get(DeviceRow, d.id)
            if dev is None:
                dev = DeviceRow(id=d.id, created_at=self.service.core.clock())
                session.add(dev)
            elif dev.token_hash != d.token_hash or (dev.active and not d.active):
                forgotten.append(dev.token_hash)
            dev.site_id, dev.kind, dev.name, dev.area = d.site, d.kind, d.name, d.area
            dev.token_hash, dev.active = d.token_hash, d.active
        for dev in devices.values():
            if dev.active:
                forgotten.append(dev.token_hash)
                dev.active = False
                dev.token_hash = token_hash(new_token())
        return forgotten


_JSON = {"Content-Type": "application/json"}
