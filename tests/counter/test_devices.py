"""Keypad, rating pad and LED display of a counter, through the hardware simulators.

The simulators play the devices on pseudo-terminals; the counter opens the real
drivers of ``hardware.bus`` on them. No server is needed here: presses are
recorded as the terminal receives them, the LED follows snapshots.
"""

import logging

import pytest

from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.devices import CounterDevices, DevicePorts
from counter.viewmodel import CounterViewModel
from hardware.led_bridge import LED_IDLE, LED_PAUSED
from hardware.ports import KeypadAction
from hardware.sim.devices import KeypadSim, LedBusSim, RatingPadSim
from server.contract.vocab import CounterState, TicketStatus
from tests.counter.samples import brief, snapshot

pytestmark = pytest.mark.gui


@pytest.fixture
def vm(qtbot):
    client = CounterClient("http://127.0.0.1:9", token="t")
    worker = OffThread(in_order=True)
    model = CounterViewModel(client, worker, "hcm-main", "5", retry_delays_ms=(), probe_ms=0)
    yield model
    worker.shutdown()
    client.close()


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
            # The retained snapshot at start: shown, but its call is old news (no blink).
            old = brief("1020", status=TicketStatus.SERVING, call_count=1)
            vm.apply_snapshot(snapshot(seq=1, current=old))
            qtbot.waitUntil(lambda: panel.text == "1020")
            assert panel.blinks == 0
            vm.apply_snapshot(snapshot(seq=2))
            qtbot.waitUntil(lambda: panel.text == LED_IDLE)
            called = brief("1023", status=TicketStatus.CALLED, call_count=1)
            vm.apply_snapshot(snapshot(seq=3, current=called))
            qtbot.waitUntil(lambda: panel.text == "1023" and panel.blinks > 0)
            blinks = panel.blinks
            serving = brief("1023", status=TicketStatus.SERVING, call_count=1)
            vm.apply_snapshot(snapshot(seq=4, current=serving))
            recalled = brief("1023", status=TicketStatus.CALLED, call_count=2)
            vm.apply_snapshot(snapshot(seq=5, current=recalled))
            qtbot.waitUntil(lambda: panel.blinks > blinks)
            vm.apply_snapshot(snapshot(seq=6, state=CounterState.PAUSED))
            qtbot.waitUntil(lambda: panel.text == LED_PAUSED)
        finally:
            devices.stop()
    # Starting service resends nothing; the recall shows (and blinks) again.
    assert panel.history == ["1020", LED_IDLE, "1023", "1023", LED_PAUSED]


def test_led_follows_the_counter_number_by_default(vm, qtbot):
    with LedBusSim() as bus:
        devices = CounterDevices(DevicePorts(led=bus.port_path), vm, lambda _: None)
        devices.start()
        try:
            qtbot.waitUntil(lambda: devices.opened.led.connected)
            vm.apply_snapshot(snapshot(seq=1, counter_id="5"))
            qtbot.waitUntil(lambda: bus.panel(5).text == LED_IDLE)
        finally:
            devices.stop()


def test_sim_urls_open_the_simulators(vm, qtbot):
    ports = DevicePorts(keypad="sim://keypad?address=5", led="sim://led")
    pressed: list[str] = []
    devices = CounterDevices(ports, vm, pressed.append)
    devices.start()
    try:
        keypad = devices.opened.keypad
        qtbot.waitUntil(lambda: keypad.connected)
        keypad.simulator.press(KeypadAction.START)
        qtbot.waitUntil(lambda: pressed == ["start"])
    finally:
        devices.stop()


def test_bad_bus_address_is_refused_at_start():
    with pytest.raises(ValueError, match=r"1\.\.254"):
        DevicePorts(address=0).check()
