"""Opening every device kind from a URL, including sim:// simulators that close with the driver."""

import pytest

from hardware import registry
from hardware.bus import KeypadReader, LedBus, RatingPadReader
from hardware.cccd import CccdScan
from hardware.ports import DeviceConfigError, KeypadAction, KeypadEvent, TicketPrinter
from hardware.scanner import SerialScanner
from hardware.sim.devices import KeypadSim, LedBusSim, ScannerSim
from tests.hardware.waiting import wait_until


def test_printer_from_url(tmp_path):
    printer = registry.open_printer(f"virtual://{tmp_path}")
    assert isinstance(printer, TicketPrinter)


def test_sim_scanner_delivers_cards():
    got = []
    scanner = registry.open_scanner("sim://scanner", got.append)
    assert isinstance(scanner, SerialScanner) and isinstance(scanner.simulator, ScannerSim)
    sim = scanner.simulator
    scanner.start()
    try:
        assert scanner.wait_connected(5)
        sim.scan_card()
        assert wait_until(lambda: got)
        assert isinstance(got[0], CccdScan)
    finally:
        scanner.stop()
    assert scanner.simulator is None
    assert not sim.port.connected  # closed with the driver


def test_sim_keypad_at_an_address():
    got = []
    keypad = registry.open_keypad("sim://keypad?address=4", got.append)
    assert isinstance(keypad, KeypadReader) and isinstance(keypad.simulator, KeypadSim)
    with keypad:
        assert keypad.wait_connected(5)
        keypad.simulator.press("transfer")
        assert wait_until(lambda: got == [KeypadEvent(4, KeypadAction.TRANSFER)])


def test_sim_rating_and_led():
    pad = registry.open_rating_pad("sim://rating?address=2")
    led = registry.open_led("sim://led")
    assert isinstance(pad, RatingPadReader) and isinstance(led, LedBus)
    assert isinstance(led.simulator, LedBusSim)
    pad.stop()
    led.stop()


def test_real_ports_have_no_simulator():
    assert registry.open_keypad("loop://").simulator is None
    assert registry.open_led("serial:///dev/ttyUSB0?baudrate=19200").baudrate == 19200


@pytest.mark.parametrize(
    ("opener", "url"),
    [
        (registry.open_scanner, "sim://keypad"),
        (registry.open_keypad, "sim://keypad?address=0"),
        (registry.open_keypad, "sim://keypad?address=x"),
        (registry.open_led, "sim://"),
        (registry.open_rating_pad, "serial://"),
    ],
)
def test_bad_device_urls(opener, url):
    with pytest.raises(DeviceConfigError):
        opener(url)
