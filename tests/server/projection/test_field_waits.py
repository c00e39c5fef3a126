"""The kiosks' field waits worked out apart from the boards (the snapshot process's
projector): a call reaches the hall display while a slow look-ahead is still running, and
the queue snapshot follows with the waits the site's estimator gives."""

import threading

from server.contract import topics
from server.contract.http import TicketIn
from server.contract.messages import CallEvent, DisplaySnapshot, QueueSnapshot
from server.engine.estimate import Estimator, Line, WaitEstimate
from server.engine.estimators import estimator_for
from server.engine.model import SiteConfig, Ticket
from server.messaging.publisher import RecordingPublisher
from server.projection.effects import Effects
from server.projection.projector import Projector
from tests.server.backends import SITE, World

WAIT_S = 60  # generous: only a broken test waits this long


class HeldEstimator:
    """The site's own estimator, held at its first estimate until the test lets it go."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()

    def __call__(self, site: SiteConfig) -> Estimator:
        inner = estimator_for(site)

        def estimate(ticket: Ticket, line: Line) -> WaitEstimate:
            self.started.set()
            self.release.wait(WAIT_S)
            return inner(ticket, line)

        return estimate


def _queue_wait(snapshot: object, service: str) -> tuple[int, bool | None]:
    assert isinstance(snapshot, QueueSnapshot)
    status = next(s for s in snapshot.services if s.code == service)
    return status.estimated_wait_s, status.wait_counters_open


def test_a_call_reaches_the_display_while_the_field_waits_are_still_worked_out(
    world: World,
) -> None:
    held = HeldEstimator()
    boards = RecordingPublisher()
    projector = Projector(world.db, boards, clock=world.clock, waits_apart=True, estimator_of=held)
    forward = world.service.projector.publish

    def both(site_id: str, effects: Effects) -> None:
        forward(site_id, effects)  # the service's own projector, waits at once
        projector.publish(site_id, effects)

    world.service.projector.publish = both  # type: ignore[method-assign]
    try:
        body = TicketIn(service="ht")
        issued = world.service.tickets.issue(
            SITE, body, world.kiosk, "k-1", body.model_dump_json()
        ).body
        first = _queue_wait(world.publisher.snapshots[topics.queue(SITE)], "ht")
        assert held.started.wait(WAIT_S)  # the field waits' thread is inside the estimator
        assert topics.queue(SITE) not in boards.snapshots  # it goes with its waits

        actor = world.actor("c2", "pw-c2")
        for action in ("resume", "call-next"):
            world.service.counters.act(SITE, "2", action, actor, key=action, request_hash=action)

        # The call is on the board and in the call stream, the estimate still held.
        assert not held.release.is_set()
        display = boards.snapshots[topics.display(SITE, "A")]
        assert isinstance(display, DisplaySnapshot)
        assert display.calling is not None
        assert display.calling.ticket_number == issued["number"]
        calls = [m for t, m in boards.events if t == topics.calls(SITE)]
        assert [c.call.ticket_number for c in calls if isinstance(c, CallEvent)] == [
            issued["number"]
        ]

        held.release.set()
        assert projector.settle(WAIT_S)
        # The same estimator's wait as the service's projector showed for that moment
        # (one ahead, no counter open yet), now in this projector's queue snapshot.
        assert _queue_wait(boards.snapshots[topics.queue(SITE)], "ht") == first
    finally:
        held.release.set()
        projector.close()
