"""Scanner, keypad, rating pad and LED bus round-tripped through their pty simulators."""

import logging
import random
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hardware.bus import KeypadReader, LedBus, RatingPadReader
from hardware.cccd import CccdScan
from hardware.ports import KeypadAction, KeypadEvent, RatingEvent, ScanRejected
from hardware.scanner import SerialScanner
from hardware.sim.devices import KeypadSim, LedBusSim, RatingPadSim, ScannerSim, fake_cccd
from tests.hardware.waiting import wait_until


@pytest.fixture
def scanner():
    sim = ScannerSim()
    got: list = []
    reader = SerialScanner(sim.port_path, got.append)
    reader.start()
    assert reader.wait_connected(5)
    yield sim, reader, got
    reader.stop()
    sim.close()


def test_fake_cards_are_valid_and_varied():
    from hardware.cccd import parse_cccd

    rng = random.Random(7)
    texts = {fake_cccd(rng) for _ in range(50)}
    assert len(texts) == 50
    for text in texts:
        parse_cccd(text, today=date(2026, 1, 1))


def test_scans_arrive_parsed_and_garbage_is_rejected(scanner):
    sim, _, got = scanner
    sim.scan_card(random.Random(1))
    sim.send_garbage(40)
    sim.send(b"\r\n")
    sim.scan("079090001234|025123456|Nguyễn Văn An|15031990|Nam|HCM|20042021", suffix=b"\r")
    assert wait_until(lambda: len(got) == 3)
    assert isinstance(got[0], CccdScan)
    assert isinstance(got[1], ScanRejected)
    assert got[2].masked_id == "0790******34"


def test_a_scan_without_line_end_completes_after_a_pause(scanner):
    sim, _, got = scanner
    sim.scan("079090001234|025123456|Nguyễn Văn An|15031990|Nam|HCM|20042021", suffix=b"")
    assert wait_until(lambda: got)
    assert isinstance(got[0], CccdScan)


def test_scanner_comes_back_after_unplug(scanner):
    sim, reader, got = scanner
    sim.disconnect()
    assert wait_until(lambda: not reader.connected)
    sim.reconnect()
    assert reader.wait_connected(10)
    sim.scan_card()
    assert wait_until(lambda: len(got) == 1)
    assert isinstance(got[0], CccdScan)


def test_keypad_events_survive_garbage_and_torn_frames():
    sim = KeypadSim(address=5)
    got: list[KeypadEvent] = []
    reader = KeypadReader(sim.port_path, got.append)
    try:
        reader.start()
        assert reader.wait_connected(5)
        sim.press("call_next")
        sim.send_garbage(30)
        sim.press("recall", torn=True)  # lost: only half of it arrives
        assert wait_until(lambda: reader.decoder.pending == 0 and got)
        sim.press(KeypadAction.NO_SHOW)
        assert wait_until(lambda: len(got) == 2)
        assert got == [KeypadEvent(5, KeypadAction.CALL_NEXT), KeypadEvent(5, KeypadAction.NO_SHOW)]
        sim.disconnect()
        assert wait_until(lambda: not reader.connected)
        sim.reconnect()
        assert reader.wait_connected(10)
        sim.press("pause")
        assert wait_until(lambda: len(got) == 3)
        assert got[-1] == KeypadEvent(5, KeypadAction.PAUSE)
    finally:
        reader.stop()
        sim.close()


def test_keypad_reader_can_listen_to_one_address_only():
    sim = KeypadSim(address=2)
    got: list[KeypadEvent] = []
    reader = KeypadReader(sim.port_path, got.append, addresses={3})
    try:
        reader.start()
        assert reader.wait_connected(5)
        sim.press("call_next")
        sim.address = 3
        sim.press("finish")
        assert wait_until(lambda: got)
        assert got == [KeypadEvent(3, KeypadAction.FINISH)]
    finally:
        reader.stop()
        sim.close()


def test_rating_pad_gives_the_four_levels():
    sim = RatingPadSim(address=7)
    got: list[RatingEvent] = []
    reader = RatingPadReader(sim.port_path, got.append)
    levels = ["very_satisfied", "satisfied", "neutral", "unsatisfied"]
    try:
        reader.start()
        assert reader.wait_connected(5)
        for level in levels:
            sim.rate(level)
        sim.send(b"\x02\x07\x20\x01\x01")  # a keypad-looking fragment: ignored
        assert wait_until(lambda: len(got) == 4)
        assert [e.rating for e in got] == levels
        assert {e.address for e in got} == {7}
    finally:
        reader.stop()
        sim.close()


def test_led_bus_shows_blinks_and_restores_after_replug(caplog):
    sim = LedBusSim()
    bus = LedBus(sim.port_path)
    try:
        bus.start()
        assert bus.wait_connected(5)
        bus.show(5, "1023", blink=True)
        bus.show(6, "a0042")
        assert wait_until(lambda: sim.panel(6).text == "A0042")
        assert sim.panel(5).text == "1023" and sim.panel(5).blinks == 3
        sim.disconnect()
        assert wait_until(lambda: not bus.connected)
        with caplog.at_level(logging.WARNING, logger="hardware.bus"):
            bus.show(5, "1024")  # while unplugged: remembered, not lost
            bus.show(6, "A0043")
            bus.show(6, "A0042")
        assert bus.unsent == 3
        warned = [r for r in caplog.records if r.name == "hardware.bus"]
        assert len(warned) == 1  # one warning for the outage, not one per display
        sim.reconnect()
        assert bus.wait_connected(10)
        assert wait_until(lambda: bus.unsent == 0)  # resent just after the connect
        assert wait_until(
            lambda: sim.panel(5).text == "1024" and sim.panel(6).history[-1] == "A0042"
        )
        bus.clear(6)
        assert wait_until(lambda: sim.panel(6).text == "")
    finally:
        bus.close()
        sim.close()


@given(st.lists(st.binary(max_size=300), max_size=6))
@settings(max_examples=60)
def test_scanner_parser_never_raises_on_any_bytes(chunks):
    scanner = SerialScanner("loop://")
    results = []
    for chunk in chunks:
        results += scanner.parse(chunk)
    results += scanner.idle()
    assert all(isinstance(r, CccdScan | ScanRejected) for r in results)
    assert scanner.idle() == []
