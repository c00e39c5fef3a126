"""Server reachability: the kept press is resent after each retry delay, then only probed."""

import gc
import weakref

from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.intents import IntentBook
from counter.reachability import ServerReachability
from counter.viewmodel import CounterViewModel


def test_changed_only_when_the_server_goes_or_comes_back(qtbot) -> None:
    reach = ServerReachability(IntentBook(), retry_delays_ms=(), probe_ms=0)
    flips: list[bool] = []
    reach.changed.connect(lambda: flips.append(reach.ok))
    reach.set_ok(True)
    reach.set_ok(False)
    reach.set_ok(False)
    reach.set_ok(True)
    assert flips == [False, True]


def test_a_kept_press_is_resent_after_each_delay_then_only_probed(qtbot) -> None:
    intents = IntentBook()
    pressed = intents.begin("call-next", None, (None, None, 0, "open"))
    assert pressed is not None
    intents.no_answer(pressed)
    reach = ServerReachability(intents, retry_delays_ms=(10, 20), probe_ms=30)
    done: list[str] = []

    def resend() -> None:  # what the view-model's retry does when again nothing answers
        again = intents.retry("call-next")
        assert again is not None
        intents.no_answer(again)
        done.append(f"resend {again.attempts}")
        reach.set_ok(False)

    def probe() -> None:
        done.append("probe")
        reach.set_ok(False)

    reach.resend_due.connect(resend)
    reach.probe_due.connect(probe)
    reach.set_ok(False)
    qtbot.waitUntil(lambda: len(done) >= 4, timeout=5000)
    assert done[:4] == ["resend 2", "resend 3", "probe", "probe"]
    reach.set_ok(True)  # an answer ends it
    count = len(done)
    qtbot.wait(100)
    assert len(done) == count


def test_nothing_more_after_stop(qtbot) -> None:
    reach = ServerReachability(IntentBook(), retry_delays_ms=(), probe_ms=20)
    probes: list[int] = []
    reach.probe_due.connect(lambda: probes.append(1))
    reach.set_ok(False)
    reach.stop()
    qtbot.wait(100)
    assert probes == []


def test_a_dropped_view_model_is_freed_at_once(qtbot) -> None:
    """No reference cycle: the cyclic collector might free it on a worker thread."""
    client = CounterClient("http://127.0.0.1:9", token="t")
    worker = OffThread(in_order=True)
    gc.disable()
    try:
        vm = CounterViewModel(client, worker, "hcm-main", "5")
        ref = weakref.ref(vm)
        del vm
        assert ref() is None
    finally:
        gc.enable()
        worker.shutdown()
        client.close()
