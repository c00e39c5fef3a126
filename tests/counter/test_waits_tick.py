"""Waits grow on the clerk's screen between snapshots ("1006 · Hộ tịch · 0 giây" stayed
so two minutes after the ticket was issued): the server sends a snapshot only when the
queue changes, so the terminal adds the time since the waits were measured."""

import socket

import pytest

from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.viewmodel import CounterViewModel
from counter.views.terminal import TerminalView
from server.contract.vocab import TicketStatus
from tests.counter.samples import brief, snapshot

pytestmark = pytest.mark.gui


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def terminal(qtbot):
    """A terminal fed by snapshots, on a clock the test moves."""
    clocks = {"mono": 1000.0}
    client = CounterClient(f"http://127.0.0.1:{closed_port()}", token="t", timeout_s=2)
    worker = OffThread(in_order=True)
    vm = CounterViewModel(
        client,
        worker,
        "hcm-main",
        "5",
        retry_delays_ms=(),
        probe_ms=0,
        clock=lambda: clocks["mono"],
    )
    view = TerminalView(vm)
    qtbot.addWidget(view)
    view.resize(1280, 800)
    view.show()
    yield vm, view, clocks
    worker.shutdown()
    client.close()


def advance(clocks: dict, seconds: float) -> None:
    clocks["mono"] += seconds


def queue_text(view: TerminalView) -> str:
    return " | ".join(label.text() for label, _ in view.queue._lines)


def test_waits_and_the_longest_wait_tick(terminal):
    vm, view, clocks = terminal
    vm.apply_snapshot(
        snapshot(
            next_up=[brief("1006", waited_s=0)],
            parked=[brief("1011", status=TicketStatus.PARKED, waited_s=30)],
            waiting=1,
        )
    )
    assert "1006  ·  Hộ tịch  ·  0 giây" in queue_text(view)
    assert view.queue.longest.text() == "Chờ lâu nhất: 12 phút"
    assert view.queue.timer.isActive() and view.queue.timer.interval() <= 1000

    advance(clocks, 125)
    view.queue.tick()  # what the timer does every second
    assert "1006  ·  Hộ tịch  ·  2 phút" in queue_text(view)
    assert "1011  ·  Hộ tịch  ·  2 phút" in queue_text(view)  # 30 s + 125 s
    assert view.queue.longest.text() == "Chờ lâu nhất: 14 phút"  # 754 s + 125 s


def test_the_current_ticket_waits_no_more(terminal):
    vm, view, clocks = terminal
    current = brief("1023", status=TicketStatus.CALLED, waited_s=754)
    vm.apply_snapshot(snapshot(current=current))
    advance(clocks, 600)
    assert vm.wait_now(current) == 754
    view.refresh()
    assert "12 phút" in view.ticket.details.text()


def test_a_new_snapshot_brings_fresh_waits(terminal):
    vm, view, clocks = terminal
    vm.apply_snapshot(snapshot(next_up=[brief("1006", waited_s=60)]))
    advance(clocks, 240)
    view.queue.tick()
    assert "1006  ·  Hộ tịch  ·  5 phút" in queue_text(view)
    vm.apply_snapshot(snapshot(seq=2, next_up=[brief("1006", waited_s=310)]))
    assert "1006  ·  Hộ tịch  ·  5 phút" in queue_text(view)  # 310 s, not 310 + 240
    advance(clocks, 60)
    view.queue.tick()
    assert "1006  ·  Hộ tịch  ·  6 phút" in queue_text(view)
