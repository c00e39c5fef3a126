"""``qms simulate --db``: a simulated day stored through the service, read like a real one."""

from dataclasses import replace

from sqlalchemy import func, select

from server.messaging.publisher import RecordingPublisher
from server.seed.ward import ward_thu_duc
from server.service import QueueService
from server.simulation.day import FieldLoad, default_day_file, load_day
from server.simulation.run import simulate
from server.simulation.storage import SimClock, write_day
from server.storage.db import Database, sqlite_url
from server.storage.models import TicketRow


def test_a_simulated_day_is_stored_as_it_happened(tmp_path) -> None:
    seed = ward_thu_duc()
    day = load_day(default_day_file("phuong-thu-duc"))
    # A quiet day keeps the test quick: about forty citizens.
    quiet = replace(day, fields={"td-hotich": FieldLoad(30, 420.0)}, default_per_day=3)
    hall = next(iter(simulate(seed, quiet, rng_seed=11, days=1)))
    url = sqlite_url(tmp_path)
    issued = write_day(url, hall)
    assert issued == len(hall.outcomes) > 20
    db = Database(url)
    try:
        with db.read() as session:
            rows = session.execute(
                select(TicketRow.number, TicketRow.called_at, TicketRow.estimate_s).where(
                    TicketRow.transferred_from.is_(None)
                )
            ).all()
        assert len(rows) == issued
        # The same numbers were called at the same moments as in the simulation.
        simulated = {
            t.number: t.called_at
            for t in hall.tickets.values()
            if t.transferred_from is None and t.called_at is not None
        }
        stored = {number: called for number, called, _ in rows if called is not None}
        assert stored == simulated
        assert all(estimate is not None for _, _, estimate in rows)
        # The day's estimate accuracy reads from it like a real day's.
        clock = SimClock(hall.midnight.replace(hour=18))
        service = QueueService(db, RecordingPublisher(), clock=clock)
        figures = service.reads.estimate_accuracy(seed.site.id, hall.midnight.date())
        assert figures["count"] == len(stored)
        service.close()
        # Writing the same day again stores nothing twice.
        assert write_day(url, hall) == issued
        with db.read() as session:
            count = session.scalar(select(func.count()).select_from(TicketRow))
        assert count == len(hall.tickets)  # transfers' new tickets included
    finally:
        db.dispose()
