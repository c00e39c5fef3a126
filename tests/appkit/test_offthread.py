"""The apps' one off-thread runner: calls leave the GUI thread, outcomes come back to it.

Each runner here belongs to the application (its parent), as in the apps, so a thread
that outlives a test never drops the last reference to it.
"""

import threading

from appkit.offthread import InlineRunner, OffThread


def test_the_outcome_comes_back_on_the_gui_thread(qtbot, qapp):
    runner = OffThread(qapp)
    ran_on: list[threading.Thread] = []
    seen: list[tuple[object, threading.Thread]] = []

    def call() -> int:
        ran_on.append(threading.current_thread())
        return 7

    runner.run(call, lambda result: seen.append((result, threading.current_thread())), seen.append)
    qtbot.waitUntil(lambda: bool(seen) and runner.idle(), timeout=10_000)
    assert ran_on[0] is not threading.main_thread()
    assert seen == [(7, threading.main_thread())]


def test_a_failure_goes_to_failed(qtbot, qapp):
    runner = OffThread(qapp)
    errors: list[Exception] = []

    def call() -> None:
        raise OSError("printer gone")

    runner.run(call, lambda _result: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=10_000)
    assert isinstance(errors[0], OSError)


def test_in_order_calls_run_one_after_another(qtbot, qapp):
    runner = OffThread(qapp, in_order=True)
    release = threading.Event()
    started: list[int] = []
    done: list[int] = []

    def call(n: int) -> int:
        started.append(n)
        if n == 0:
            release.wait(10)
        return n

    for n in range(3):
        runner.run(lambda n=n: call(n), done.append, done.append)
    assert not runner.idle()
    assert started in ([], [0])  # the second waits for the first
    release.set()
    qtbot.waitUntil(lambda: len(done) == 3, timeout=10_000)
    assert started == [0, 1, 2]
    assert done == [0, 1, 2]
    assert runner.idle()
    runner.shutdown()


def test_a_call_after_shutdown_is_dropped(qapp):
    runner = OffThread(qapp, in_order=True)
    runner.shutdown()
    assert runner.run(lambda: 1, lambda _r: None, lambda _e: None).cancelled()


def test_inline_runs_at_once():
    seen: list[object] = []
    InlineRunner().run(lambda: 3, seen.append, seen.append)
    assert seen == [3]
