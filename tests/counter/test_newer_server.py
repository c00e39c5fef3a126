"""A terminal on today's code reads a newer server's snapshot and answers (fields added since).

The snapshot goes through the terminal's real MQTT path (``counter_feed``, whose
``StateSubscriber.feed`` is what paho's ``on_message`` calls, wired to the
view-model as ``counter.app`` does); the answers through the real HTTP client.
"""

import httpx
import pytest

from appkit.api_client import ApiError
from appkit.mqtt_state import Subscription
from appkit.offthread import OffThread
from counter.app import counter_feed
from counter.client import CounterClient
from counter.viewmodel import CounterViewModel
from counter.views.terminal import TerminalView
from server.contract import topics
from server.contract.http import ActionOut, CounterOut, ErrorOut
from server.contract.messages import CounterSnapshot
from server.contract.vocab import TicketStatus
from tests.counter.samples import brief, snapshot
from tests.support.newer_server import newer_payload

pytestmark = pytest.mark.gui

CALLED = brief("1023", status=TicketStatus.CALLED, call_count=2)


def answer(request: httpx.Request) -> httpx.Response:
    """A newer server: every answer carries fields this terminal has never heard of."""
    if request.url.path.endswith("/recall"):
        refused = ErrorOut(
            error="invalid_transition",
            message="Không thể gọi lại.",
            message_vi="Không thể gọi lại.",
            message_en="Cannot recall.",
        )
        return httpx.Response(409, content=newer_payload(refused))
    view = snapshot(current=CALLED).counter
    body = ActionOut(action="call-next", counter=CounterOut(counter=view, current=CALLED))
    return httpx.Response(200, content=newer_payload(body))


@pytest.fixture
def terminal(qtbot):
    client = CounterClient("http://127.0.0.1:9", token="t", transport=httpx.MockTransport(answer))
    worker = OffThread(in_order=True)
    vm = CounterViewModel(client, worker, "hcm-main", "5", retry_delays_ms=(), probe_ms=0)
    live = counter_feed(vm)
    live.follow(  # never started: fed by hand
        "mqtt://127.0.0.1:1",
        [Subscription(topics.counter("hcm-main", "5"), CounterSnapshot)],
        client_id="counter-test",
    )
    view = TerminalView(vm)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    yield vm, view, live, client
    worker.shutdown()
    client.close()


def test_a_newer_servers_snapshot_is_shown_not_dropped(terminal):
    vm, view, live, _client = terminal
    sent = snapshot(current=CALLED, next_up=[brief("1024")], waiting=7, transfer_keeps_place=False)
    assert live.subscriber is not None
    assert live.subscriber.feed(topics.counter("hcm-main", "5"), newer_payload(sent)) == sent
    vm.set_live(True)
    assert live.subscriber.dropped_malformed == 0
    assert vm.current == CALLED
    assert view.ticket.number.text() == "1023"
    assert "Lần gọi: 2" in view.ticket.details.text()
    assert [t.number for t in vm.next_up] == ["1024"]
    assert not vm.transfer_keeps_place


def test_a_newer_servers_answers_are_read(terminal, qtbot):
    vm, view, _live, client = terminal
    with qtbot.waitSignal(vm.action_done):
        vm.call_next()
    assert vm.current == CALLED
    assert view.ticket.number.text() == "1023"
    # A refusal with added fields still reaches the clerk as the server's own message.
    with pytest.raises(ApiError) as refused:
        client.action("hcm-main", "5", "recall", "k-1")
    assert refused.value.code == "invalid_transition"
    assert refused.value.message("en") == "Cannot recall."
