"""While MQTT is away the counter is read over HTTP; the site's transfer rule comes too."""

import httpx
import pytest

from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.viewmodel import CounterViewModel
from server.contract.http import CounterOut, CountersOut
from tests.counter.samples import snapshot

pytestmark = pytest.mark.gui


def answer(request: httpx.Request) -> httpx.Response:
    """A server whose site sends transferred tickets to the front of their new line."""
    assert request.url.path == "/api/v1/sites/hcm-main/counters"
    view = snapshot().counter
    body = CountersOut(
        site="hcm-main", counters=[CounterOut(counter=view)], transfer_keeps_place=False
    )
    return httpx.Response(200, content=body.model_dump_json())


def test_polling_reads_the_sites_transfer_rule(qtbot):
    client = CounterClient("http://127.0.0.1:9", token="t", transport=httpx.MockTransport(answer))
    worker = OffThread(in_order=True)
    vm = CounterViewModel(
        client, worker, "hcm-main", "5", retry_delays_ms=(), probe_ms=0, poll_ms=50
    )
    try:
        assert vm.transfer_keeps_place  # the engine's default until the server says
        vm.set_live(False)  # the broker is away: the terminal polls
        qtbot.waitUntil(lambda: not vm.transfer_keeps_place, timeout=10_000)
        assert vm.counter is not None and vm.counter.id == snapshot().counter.id
    finally:
        vm.stop()
        worker.shutdown()
        client.close()
