"""A board on today's code reads a newer server's messages (fields added since) and shows them.

The messages go through the board's real path: ``StateSubscriber.feed`` (paho's
``on_message`` calls the same) → ``LiveFeed`` → the view-model → the widgets.
"""

import pytest

from appkit.live import LiveFeed
from appkit.mqtt_state import ConnectionState, StateSubscriber, Subscription
from display_board.viewmodel import BoardViewModel
from display_board.views.board import BoardView
from server.contract import topics
from server.contract.messages import CallEvent, DisplaySnapshot
from tests.display_board.samples import AREA, SITE, T0, call, demo_snapshot, event
from tests.support.newer_server import newer_payload

pytestmark = pytest.mark.gui

DISPLAY = topics.display(SITE, AREA)
CALLS = topics.calls(SITE)


def test_a_newer_servers_snapshot_and_call_are_shown_and_announced(qtbot):
    vm = BoardViewModel(SITE, AREA)
    bridge = LiveFeed(vm.handle, vm.set_connection)
    spoken: list[str] = []
    vm.announced.append(lambda c: spoken.append(c.call_id))
    subscriber = StateSubscriber(
        "mqtt://127.0.0.1:1",  # never started: the test feeds the messages by hand
        [Subscription(DISPLAY, DisplaySnapshot), Subscription(CALLS, CallEvent, ordered=False)],
        bridge.on_message,
        bridge.on_connection,
    )
    bridge.on_connection(ConnectionState(True, T0))
    view = BoardView(vm, clock=lambda: T0, animate=False)
    qtbot.addWidget(view)
    view.resize(1920, 1080)

    snapshot = demo_snapshot(120)
    assert subscriber.feed(DISPLAY, newer_payload(snapshot)) == snapshot
    assert vm.snapshot == snapshot
    assert view.hero.call is not None and view.hero.call.ticket_number == "1023"
    assert [c.number for c in view.counters.counters] == list(range(1, 16))

    live = call(1030, 4)
    assert subscriber.feed(CALLS, newer_payload(event(live, seq=121))) == event(live, seq=121)
    assert spoken == [live.call_id]
    assert view.hero.call == live
    assert not view.grab().toImage().isNull()
    assert subscriber.dropped_malformed == 0
