"""An action's answer is not undone on screen by an older snapshot arriving after it.

The server answers the HTTP request before the broker delivers the snapshot of
that change, and the snapshot of the change before may still be on its way.
The server here is httpx's in-process transport answering as the real one does.
"""

import httpx
import pytest

from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.rules import ANSWER_HOLD_S
from counter.viewmodel import CounterViewModel
from server.contract.http import ActionOut, CounterOut
from server.contract.vocab import TicketStatus
from tests.counter.samples import brief, snapshot

CALLED = brief("1023", status=TicketStatus.CALLED, call_count=1)


def answer(request: httpx.Request) -> httpx.Response:
    assert request.headers["Idempotency-Key"]
    view = snapshot(current=CALLED).counter
    body = ActionOut(action="call-next", counter=CounterOut(counter=view, current=CALLED))
    return httpx.Response(200, content=body.model_dump_json())


@pytest.fixture
def vm(qtbot):
    client = CounterClient("http://127.0.0.1:9", token="t", transport=httpx.MockTransport(answer))
    worker = OffThread(in_order=True)
    now = [100.0]
    model = CounterViewModel(client, worker, "hcm-main", "5", probe_ms=0, clock=lambda: now[0])
    yield model, now
    worker.shutdown()
    client.close()


def test_an_older_snapshot_does_not_take_the_ticket_away(vm, qtbot):
    vm, _now = vm
    vm.apply_snapshot(snapshot(seq=1))
    with qtbot.waitSignal(vm.action_done):
        vm.call_next()
    assert vm.current == CALLED
    vm.apply_snapshot(snapshot(seq=2, next_up=[brief("1024")], waiting=5))  # the finish before
    assert vm.current == CALLED
    assert [t.number for t in vm.next_up] == ["1024"]  # the queue part is still news
    vm.apply_snapshot(snapshot(seq=3, current=CALLED))  # the call's own snapshot
    vm.apply_snapshot(snapshot(seq=4))  # a later change (say a supervisor closed it)
    assert vm.current is None


def test_the_hold_ends_after_a_while(vm, qtbot):
    vm, now = vm
    vm.apply_snapshot(snapshot(seq=1))
    with qtbot.waitSignal(vm.action_done):
        vm.call_next()
    now[0] += ANSWER_HOLD_S + 0.1
    vm.apply_snapshot(snapshot(seq=2))
    assert vm.current is None
