"""A simulated day written to a database through the normal service, as if it happened.

The day's engine events are replayed in time order as the commands that made them (the
kiosk's issue, the clerks' calls, starts, finishes, no-shows, parks and transfers), on
``QueueService`` with a clock set to each event's time. So the tickets, events, calls and
the estimates announced at issue are stored exactly as a real day's are, and reports
read them the same way. Each command carries an idempotency key named after the
simulated event, so writing the same day twice stores it once.
"""

from datetime import datetime

from server.contract.http import CallIn, TicketIn, TransferIn
from server.contract.vocab import DeviceKind, Role
from server.engine.events import EventKind
from server.messaging.publisher import RecordingPublisher
from server.seed.types import SiteSeed
from server.service import QueueService
from server.service.context import Actor
from server.simulation.hall import Hall
from server.storage.db import Database
from server.storage.migrate import upgrade
from server.storage.models import SiteRow
from server.storage.seeding import load_sites


class SimClock:
    """The service's clock: the time of the event being replayed."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


# Counter actions that act on the ticket the counter holds, by the engine event they made.
HELD_ACTIONS = {
    EventKind.RECALLED: "recall",
    EventKind.STARTED: "start",
    EventKind.FINISHED: "finish",
    EventKind.NO_SHOW: "no-show",
    EventKind.PARKED: "park",
}


def ensure_site(db: Database, seed: SiteSeed, now: datetime) -> None:
    """Load the site (its demo accounts and devices too) unless the database has it."""
    with db.write() as session:
        if session.get(SiteRow, seed.site.id) is None:
            load_sites(session, [seed], now=now)


def write_day(db_url: str, hall: Hall) -> int:
    """Replay the hall's day into the database at ``db_url``; returns the tickets issued."""
    db = Database(db_url, pool_size=1)
    try:
        upgrade(db.engine)
        site = hall.site.id
        first = hall.events[0].at if hall.events else hall.midnight
        ensure_site(db, hall.seed, first)
        clock = SimClock(first)
        service = QueueService(db, RecordingPublisher(), clock=clock)
        kiosk = Actor("device", "sim-kiosk", DeviceKind.KIOSK.value, site)
        day = hall.midnight.date().isoformat()
        ids: dict[str, str] = {}  # simulated ticket id -> stored ticket id
        issued = 0
        for n, event in enumerate(hall.events):
            clock.now = event.at
            key = f"sim-{day}-{n}"
            kind = event.kind
            if kind == EventKind.ISSUED:
                ticket = hall.tickets[event.ticket_id]
                body = TicketIn(service=ticket.service, priority=ticket.priority)
                result = service.tickets.issue(site, body, kiosk, key, key)
                ids[event.ticket_id] = str(result.body["id"])
                issued += 1
                continue
            counter = event.counter_id
            if counter is None or kind in (EventKind.TRANSFERRED_IN, EventKind.EXPIRED):
                continue  # made by the transfer itself; expiry is the server's own
            clerk = Actor("user", f"sim-{counter}", Role.CLERK.value, site)
            if kind == EventKind.CALLED:
                call = CallIn(ticket=ids[event.ticket_id], reason="simulated")
                service.counters.act(
                    site, counter, "call", clerk, key=key, request_hash=key, body=call
                )
            elif kind == EventKind.TRANSFERRED:
                data = event.data
                to = str(data.get("to_service")) if data.get("to_service") else None
                move = TransferIn(to_service=to, keep_place=bool(data.get("keep_place")))
                result = service.counters.act(
                    site, counter, "transfer", clerk, key=key, request_hash=key, body=move
                )
                moved = result.body.get("ticket")
                if isinstance(moved, dict) and "to_ticket" in data:
                    ids[str(data["to_ticket"])] = str(moved["id"])
            elif kind in HELD_ACTIONS:
                service.counters.act(
                    site, counter, HELD_ACTIONS[EventKind(kind)], clerk, key=key, request_hash=key
                )
        service.close()
        return issued
    finally:
        db.dispose()
