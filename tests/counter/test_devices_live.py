"""The keypad, rating pad and LED of a counter driving a real service, on the simulators."""

import pytest

from counter.devices import DevicePorts
from hardware.led_bridge import LED_IDLE
from hardware.ports import KeypadAction
from hardware.sim.devices import KeypadSim, LedBusSim, RatingPadSim
from server.contract.vocab import TicketStatus
from tests.counter.conftest import issue, open_terminal, vm_of

pytestmark = pytest.mark.gui


def test_keypad_serves_and_rating_pad_rates(qtbot, live_server, store):
    first = issue(live_server, "tp-hotich")
    with KeypadSim(address=2) as keypad, RatingPadSim(address=2) as pad, LedBusSim() as led:
        ports = DevicePorts(keypad=keypad.port_path, rating_pad=pad.port_path, led=led.port_path)
        app = open_terminal(qtbot, live_server, store, "2", devices=ports)
        try:
            vm = vm_of(app)
            devices = app.devices
            assert devices is not None and app.rating is None  # the pad replaces the window
            qtbot.waitUntil(lambda: devices.opened.keypad.connected)
            qtbot.waitUntil(lambda: devices.opened.rating_pad.connected)
            panel = led.panel(2)  # the counter's number is its bus address
            qtbot.waitUntil(lambda: panel.text == LED_IDLE)

            keypad.press(KeypadAction.CALL_NEXT)
            qtbot.waitUntil(lambda: vm.current is not None)
            assert vm.current.number == first["number"]
            qtbot.waitUntil(lambda: panel.text == first["number"] and panel.blinks > 0)
            keypad.press(KeypadAction.START)
            qtbot.waitUntil(lambda: vm.current is not None and vm.current.status == "serving")
            keypad.press(KeypadAction.FINISH)
            qtbot.waitUntil(lambda: vm.current is None and vm.rating_ticket is not None)
            qtbot.waitUntil(lambda: panel.text == LED_IDLE)

            pad.rate("satisfied")
            qtbot.waitUntil(lambda: vm.rating_ticket is None)
            qtbot.waitUntil(lambda: vm.day is not None and vm.day.ratings == 1)
            assert vm.day.average_rating == 3
            assert vm.day.served == 1

            # The keypad's transfer key opens the form on screen.
            second = issue(live_server, "tp-hotich")
            keypad.press(KeypadAction.CALL_NEXT)
            qtbot.waitUntil(
                lambda: vm.current is not None and vm.current.number == second["number"]
            )
            assert vm.current.status == TicketStatus.CALLED
            keypad.press(KeypadAction.TRANSFER)
            qtbot.waitUntil(
                lambda: (
                    app.terminal.transfer_dialog is not None
                    and app.terminal.transfer_dialog.isVisible()
                )
            )
            app.terminal.transfer_dialog.reject()
            keypad.press(KeypadAction.NO_SHOW)
            qtbot.waitUntil(lambda: vm.current is None)
            keypad.press(KeypadAction.PAUSE)
            qtbot.waitUntil(lambda: vm.paused)
            qtbot.waitUntil(lambda: panel.text == "TAM NGHI")
        finally:
            app.shutdown()
