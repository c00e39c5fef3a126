"""View-models against the real server: login, idempotent retries, concurrent calls, live state."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from appkit.api_client import ApiError, new_key
from appkit.mqtt_state import Subscription
from appkit.offthread import OffThread
from counter.app import counter_feed
from counter.client import CounterClient
from counter.session import LoginViewModel
from counter.viewmodel import CounterViewModel
from server.contract import topics
from server.contract.messages import CounterSnapshot
from tests.counter.conftest import issue, settings_for

FIELD = "tp-hotich"  # counters 1..6 serve it


def logged_in(server, counter: str) -> CounterClient:
    client = CounterClient(server.base_url)
    client.login(*server.clerks[counter])
    return client


@pytest.fixture
def worker():
    running = OffThread(in_order=True)
    yield running
    running.shutdown()


def test_login_remembers_the_counter(qtbot, live_server, store, worker):
    client = CounterClient(live_server.base_url)
    vm = LoginViewModel(client, worker, store, settings_for(live_server))
    with qtbot.waitSignal(vm.failed) as failed:
        vm.submit("clerk02", "wrong password")
    assert failed.args[0]  # the server's message, in Vietnamese
    assert client.token is None
    with qtbot.waitSignal(vm.failed) as failed:
        vm.submit("   ", "")
    assert failed.args[0] == "Nhập tên đăng nhập và mật khẩu."

    username, password = live_server.clerks["3"]
    with qtbot.waitSignal(vm.counters_loaded):
        vm.submit(username, password)
    assert vm.login is not None and vm.login.username == username
    assert len(vm.counters) == 67
    assert vm.default_counter() == "1"  # nothing remembered yet: the first counter
    with qtbot.waitSignal(vm.ready) as ready:
        vm.choose("3")
    assert ready.args == ["3"]
    saved = store.load()
    assert saved.counter == "3" and saved.username == username
    # The next start on this PC offers counter 3 first.
    again = LoginViewModel(client, worker, store, saved)
    with qtbot.waitSignal(again.counters_loaded):
        again.submit(username, password)
    assert again.default_counter() == "3"
    client.close()


def test_a_retried_press_with_the_same_key_calls_once(qtbot, live_server, worker):
    first = issue(live_server, FIELD)
    issue(live_server, FIELD)
    client = logged_in(live_server, "2")
    # The first attempt reached the server but its answer was lost on the way back.
    lost = new_key()
    answer = client.action(live_server.site, "2", "call-next", lost)
    assert answer.ticket is not None and answer.ticket.number == first["number"]
    # The terminal kept the key and retries the same press with it.
    vm = CounterViewModel(client, worker, live_server.site, "2", retry_delays_ms=(), probe_ms=0)
    vm.intents.make_key = lambda: lost
    with qtbot.waitSignal(vm.action_done) as done:
        vm.call_next()
    assert done.args == ["call-next", "ok"]
    assert vm.current is not None and vm.current.number == first["number"]
    reader = CounterClient(live_server.base_url)
    queue = {c.counter.id: c for c in reader.counters(live_server.site).counters}
    assert queue["2"].current is not None and queue["2"].current.number == first["number"]
    reader.close()
    client.close()


def test_two_counters_calling_at_once_get_different_tickets(live_server):
    tickets = [issue(live_server, FIELD)["number"] for _ in range(8)]
    clients = {counter: logged_in(live_server, counter) for counter in ("2", "3")}
    barrier = threading.Barrier(2)
    called: list[str] = []

    def call(counter: str) -> str:
        barrier.wait()
        answer = clients[counter].action(live_server.site, counter, "call-next", new_key())
        assert answer.ticket is not None
        return answer.ticket.number

    with ThreadPoolExecutor(max_workers=2) as pool:
        for _ in range(4):
            pair = list(pool.map(call, ["2", "3"]))
            assert pair[0] != pair[1]
            called.extend(pair)
    assert sorted(called) == sorted(tickets)
    for client in clients.values():
        client.close()


def test_two_terminals_pressing_together(qtbot, live_server):
    first, second = issue(live_server, FIELD), issue(live_server, FIELD)
    workers = [
        OffThread(in_order=True),
        OffThread(in_order=True),
    ]
    vms = [
        CounterViewModel(logged_in(live_server, c), w, live_server.site, c, probe_ms=0)
        for c, w in zip(("2", "3"), workers, strict=True)
    ]
    with qtbot.waitSignals([vm.action_done for vm in vms]):
        for vm in vms:
            vm.call_next()
    numbers = {vm.current.number for vm in vms if vm.current is not None}
    assert numbers == {first["number"], second["number"]}
    for vm, w in zip(vms, workers, strict=True):
        w.shutdown()
        vm.client.close()


def test_live_snapshot_reaches_the_view_model(qtbot, live_server, worker):
    client = logged_in(live_server, "2")
    vm = CounterViewModel(client, worker, live_server.site, "2", probe_ms=0)
    live = counter_feed(vm)
    live.follow(
        settings_for(live_server).mqtt,
        [Subscription(topics.counter(live_server.site, "2"), CounterSnapshot)],
        client_id="counter-test",
    )
    live.start()
    try:
        qtbot.waitUntil(lambda: vm.live_ok and vm.counter is not None, timeout=10000)
        ticket = issue(live_server, FIELD, priority="elderly")
        qtbot.waitUntil(lambda: [t.number for t in vm.next_up] == [ticket["number"]])
        assert vm.next_up[0].priority == "elderly"
        waiting = {w.code: w.waiting for w in vm.waiting}
        assert waiting[FIELD] == 1
        vm.call_next()
        qtbot.waitUntil(lambda: not vm.next_up and vm.current is not None)
    finally:
        live.stop()
        client.close()


def test_refused_action_keeps_no_key(qtbot, live_server, worker):
    client = logged_in(live_server, "2")
    vm = CounterViewModel(client, worker, live_server.site, "2", probe_ms=0)
    with qtbot.waitSignal(vm.refused):
        vm.call_next()
    assert vm.intents.first_unanswered() is None
    assert vm.message
    with pytest.raises(ApiError) as refused:
        client.action(live_server.site, "2", "finish", new_key())
    assert refused.value.status in (404, 409, 422)
    client.close()


def test_transfer_to_a_named_counter(qtbot, live_server, worker):
    first, second = issue(live_server, FIELD), issue(live_server, FIELD)
    here = CounterViewModel(logged_in(live_server, "2"), worker, live_server.site, "2", probe_ms=0)
    there = logged_in(live_server, "3")
    with qtbot.waitSignal(here.action_done):
        here.call_next()
    assert here.current is not None and here.current.number == first["number"]
    with qtbot.waitSignal(here.action_done) as done:
        here.transfer(to_counter="3", note="  Hồ sơ cần quầy 3 ký  ")
    assert done.args == ["transfer", "ok"]
    assert here.current is None
    # Counter 3 calls the transferred ticket before the one that waited longer.
    answer = there.action(live_server.site, "3", "call-next", new_key())
    assert answer.ticket is not None and answer.ticket.number == first["number"]
    assert answer.ticket.note == "Hồ sơ cần quầy 3 ký"
    assert answer.ticket.transferred_from is not None
    with qtbot.waitSignal(here.action_done):
        here.call_next()
    assert here.current is not None and here.current.number == second["number"]
    here.client.close()
    there.close()


def test_without_mqtt_the_counter_is_polled(qtbot, live_server, worker):
    ticket = issue(live_server, FIELD)
    client = logged_in(live_server, "2")
    vm = CounterViewModel(client, worker, live_server.site, "2", probe_ms=0, poll_ms=100)
    vm.set_live(False)  # the broker is away
    assert vm.polling
    # The same clerk calls from elsewhere (the keypad's own terminal, a second PC).
    elsewhere = logged_in(live_server, "2")
    elsewhere.action(live_server.site, "2", "call-next", new_key())
    qtbot.waitUntil(lambda: vm.current is not None and vm.current.number == ticket["number"])
    vm.set_live(True)
    assert not vm.polling
    vm.stop()
    elsewhere.close()
    client.close()
