"""Keypad, rating pad and LED display of a counter, through the hardware simulators.

The simulators play the devices on pseudo-terminals; the counter opens the real
drivers of ``hardware.bus`` on them. No server is needed here: presses are
recorded as the terminal receives them, the LED follows snapshots.
"""

import logging

import pytest

from counter.client import CounterClient
from counter.devices import LED_IDLE, LED_PAUSED, CounterDevices, DevicePorts, led_text
from counter.viewmodel import CounterViewModel
from counter.worker import Worker
from hardware.ports import KeypadAction
from hardware.sim.devices import KeypadSim, LedBusSim, RatingPadSim
from server.contract.vocab import CounterState, TicketStatus
from tests.counter.samples import brief, snapshot

pytestmark = pytest.mark.gui


@pytest.fixture
def vm(qtbot):
    client = CounterClient("http://127.0.0.1:9", token="t")
    worker = Worker()
    model = CounterViewModel(client, worker, "hcm-main", "5", retry_delays_ms=(), probe_ms=0)
    yield model
    worker.shutdown()
    client.close()


def test_led_text_follows_the_counter(vm):
    assert led_text(vm) == (LED_IDLE, False)
    vm.apply_snapshot(snapshot(current=brief("1023", status=TicketStatus.CALLED, call_count=1)))
    assert led_text(vm) == ("1023", True)
    vm.apply_snapshot(snapshot(current=brief("1023", status=TicketStatus.SERVING, call_count=1)))
    assert led_text(vm) == ("1023", False)
    vm.apply_snapshot(snapshot(state=CounterState.PAUSED))
    assert led_text(vm) == (LED_PAUSED, False)


def test_keypad_presses_reach_the_terminal(vm, qtbot):
    pressed: list[str] = []
    with KeypadSim(address=5) as keypad, KeypadSim(address=6) as other:
        devices = CounterDevices(DevicePorts(keypad=keypad.port_path), vm, pressed.append)
        devices.start()
        try:
            qtbot.waitUntil(lambda: devices.opened.keypad.connected)
            other.press(KeypadAction.CALL_NEXT)  # another counter's keypad on its own line
            keypad.press(KeypadAction.CALL_NEXT, torn=True)  # a glitch: dropped
            keypad.send_garbage()
            for action in (KeypadAction.CALL_NEXT, KeypadAction.RECALL, KeypadAction.PAUSE):
                keypad.press(action)
            qtbot.waitUntil(lambda: len(pressed) >= 3)
        finally:
            devices.stop()
    assert pressed == ["call-next", "recall", "pause-toggle"]


def test_keypad_of_another_address_is_ignored(vm, qtbot):
    pressed: list[str] = []
    with KeypadSim(address=9) as keypad:
        devices = CounterDevices(DevicePorts(keypad=keypad.port_path), vm, pressed.append)
        devices.start()
        try:
            qtbot.waitUntil(lambda: devices.opened.keypad.connected)
            keypad.press(KeypadAction.CALL_NEXT)
            keypad.address = 5
            keypad.press(KeypadAction.FINISH)
            qtbot.waitUntil(lambda: pressed == ["finish"])
        finally:
            devices.stop()


def test_rating_without_a_finished_ticket_is_ignored(vm, qtbot, caplog):
    caplog.set_level(logging.INFO, logger="counter.viewmodel")
    with RatingPadSim(address=5) as pad:
        devices = CounterDevices(DevicePorts(rating_pad=pad.port_path), vm, lambda _: None)
        devices.start()
        try:
            qtbot.waitUntil(lambda: devices.opened.rating_pad.connected)
            pad.rate("satisfied")
            qtbot.waitUntil(lambda: "no finished ticket to rate" in caplog.text)
        finally:
            devices.stop()
    assert not vm.busy("rate")


def test_led_shows_the_number_and_blinks_on_each_call(vm, qtbot):
    with LedBusSim() as bus:
        devices = CounterDevices(DevicePorts(led=bus.port_path, address=12), vm, lambda _: None)
        devices.start()
        try:
            qtbot.waitUntil(lambda: devices.opened.led.connected)
            panel = bus.panel(12)
            qtbot.waitUntil(lambda: panel.text == LED_IDLE)
            called = brief("1023", status=TicketStatus.CALLED, call_count=1)
            vm.apply_snapshot(snapshot(seq=2, current=called))
            qtbot.waitUntil(lambda: panel.text == "1023" and panel.blinks > 0)
            blinks = panel.blinks
            serving = brief("1023", status=TicketStatus.SERVING, call_count=1)
            vm.apply_snapshot(snapshot(seq=3, current=serving))
            vm.apply_snapshot(snapshot(seq=4, current=serving))
            recalled = brief("1023", status=TicketStatus.CALLED, call_count=2)
            vm.apply_snapshot(snapshot(seq=5, current=recalled))
            qtbot.waitUntil(lambda: panel.blinks > blinks)
            vm.apply_snapshot(snapshot(seq=6, state=CounterState.PAUSED))
            qtbot.waitUntil(lambda: panel.text == LED_PAUSED)
        finally:
            devices.stop()
    # The call, the recall (blinks again), the pause; starting service resends nothing.
    assert panel.history == [LED_IDLE, "1023", "1023", LED_PAUSED]


def test_bad_bus_address_is_refused_at_start():
    with pytest.raises(ValueError, match=r"1\.\.254"):
        DevicePorts(address=0).check()
