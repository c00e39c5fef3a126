"""Retries after a lost answer or an unreachable server call exactly once (real server)."""

import pytest

from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.viewmodel import CounterViewModel
from tests.counter.conftest import issue
from tests.counter.flaky_proxy import FlakyProxy

FIELD = "tp-hotich"


@pytest.fixture
def proxy(live_server):
    port = int(live_server.base_url.rsplit(":", 1)[1])
    flaky = FlakyProxy(port)
    yield flaky
    flaky.close()


@pytest.fixture
def through_proxy(live_server, proxy):
    client = CounterClient(proxy.url, timeout_s=5)
    client.login(*live_server.clerks["2"])
    worker = OffThread(in_order=True)
    yield client, worker
    worker.shutdown()
    client.close()


def counter_now(server) -> str | None:
    """The counter's current number, asked directly."""
    reader = CounterClient(server.base_url)
    try:
        item = next(c for c in reader.counters(server.site).counters if c.counter.id == "2")
    finally:
        reader.close()
    return item.current.number if item.current else None


def test_lost_answer_then_retry_calls_once(qtbot, live_server, proxy, through_proxy):
    client, worker = through_proxy
    first, second = issue(live_server, FIELD), issue(live_server, FIELD)
    vm = CounterViewModel(client, worker, live_server.site, "2", retry_delays_ms=(), probe_ms=0)
    proxy.mode = "swallow"
    with qtbot.waitSignal(vm.action_done) as done:
        vm.call_next()
    assert done.args == ["call-next", "unreachable"]
    assert not vm.server_ok
    # The server did call the first ticket; the terminal never heard.
    assert counter_now(live_server) == first["number"]
    assert vm.current is None
    kept = vm.intents.first_unanswered()
    assert kept is not None

    proxy.mode = "pass"
    with qtbot.waitSignal(vm.action_done) as done:
        vm.retry()
    assert done.args == ["call-next", "ok"]
    assert vm.server_ok
    assert vm.current is not None and vm.current.number == first["number"]
    # Still the first ticket at the counter: the second one was never called.
    assert counter_now(live_server) == first["number"]
    issued_second = CounterClient(live_server.base_url)
    try:
        queue = issued_second.counters(live_server.site)
    finally:
        issued_second.close()
    assert all(c.current is None or c.current.number != second["number"] for c in queue.counters)


def test_unreachable_then_automatic_retry(qtbot, live_server, proxy, through_proxy):
    client, worker = through_proxy
    first = issue(live_server, FIELD)
    vm = CounterViewModel(client, worker, live_server.site, "2", retry_delays_ms=(50,), probe_ms=0)
    outcomes: list[str] = []

    def seen(action: str, outcome: str) -> None:
        outcomes.append(outcome)
        if outcome == "unreachable":
            proxy.mode = "pass"  # the network comes back before the automatic retry

    vm.action_done.connect(seen)
    proxy.mode = "reset"
    vm.call_next()
    qtbot.waitUntil(lambda: outcomes == ["unreachable", "ok"], timeout=10000)
    assert proxy.refused >= 1
    assert vm.current is not None and vm.current.number == first["number"]
    assert vm.server_ok and vm.intents.first_unanswered() is None


def test_a_press_that_never_arrived_waits_for_the_clerk(qtbot, live_server, proxy, through_proxy):
    client, worker = through_proxy
    first = issue(live_server, FIELD)
    vm = CounterViewModel(client, worker, live_server.site, "2", retry_delays_ms=(), probe_ms=0)
    vm.refresh()
    qtbot.waitUntil(lambda: vm.counter is not None and vm.day is not None)
    proxy.mode = "reset"
    with qtbot.waitSignal(vm.action_done) as done:
        vm.call_next()
    assert done.args == ["call-next", "unreachable"]
    assert vm.pending() is None  # the server is away: the red banner, not this one
    proxy.mode = "pass"
    vm.day = None
    vm.refresh()
    qtbot.waitUntil(lambda: vm.server_ok and vm.day is not None)
    kept = vm.pending()
    assert kept is not None and kept.action == "call-next"  # nothing changed: never arrived
    assert counter_now(live_server) is None
    vm.dismiss_pending()
    assert vm.pending() is None
    with qtbot.waitSignal(vm.action_done) as done:
        vm.call_next()
    assert done.args == ["call-next", "ok"]
    assert vm.current is not None and vm.current.number == first["number"]


def test_a_lost_answer_is_forgotten_once_the_counter_shows_it(
    qtbot, live_server, proxy, through_proxy
):
    client, worker = through_proxy
    first = issue(live_server, FIELD)
    vm = CounterViewModel(client, worker, live_server.site, "2", retry_delays_ms=(), probe_ms=0)
    proxy.mode = "swallow"
    with qtbot.waitSignal(vm.action_done):
        vm.call_next()
    proxy.mode = "pass"
    vm.refresh()
    qtbot.waitUntil(lambda: vm.server_ok and vm.current is not None)
    assert vm.current.number == first["number"]
    assert vm.pending() is None  # the call happened: nothing to resend
