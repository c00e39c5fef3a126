"""``qms hw simulate``: typed lines become device traffic another process can read."""

import io
import threading

from hardware.bus import KeypadReader, LedBus, RatingPadReader
from hardware.cccd import CccdScan
from hardware.ports import KeypadAction, KeypadEvent, ScanRejected
from hardware.scanner import SerialScanner
from hardware.sim import console
from tests.hardware.waiting import wait_until


def drive(kind, make_reader, typed, done, address=5):
    """Run the console simulator; open the app side when it is ready; type; wait."""
    opened = []

    def ready(path):
        reader = make_reader(path)
        reader.start()
        assert reader.wait_connected(5)
        opened.append(reader)

    def lines():
        yield from typed
        assert wait_until(done)

    out = io.StringIO()
    try:
        assert console.run(kind, address, lines(), out=out, ready=ready) == 0
    finally:
        for reader in opened:
            reader.stop()
    return out.getvalue()


def test_keypad_lines_become_key_frames():
    got = []
    out = drive(
        "keypad",
        lambda path: KeypadReader(path, got.append),
        ["call_next", "torn recall", "dance", "garbage", "no_show"],
        lambda: len(got) == 2,
    )
    assert got == [KeypadEvent(5, KeypadAction.CALL_NEXT), KeypadEvent(5, KeypadAction.NO_SHOW)]
    assert "keypad simulator on /" in out and "unknown key 'dance'" in out


def test_rating_lines():
    got = []
    out = drive(
        "rating",
        lambda path: RatingPadReader(path, got.append),
        ["neutral", "meh", "very_satisfied"],
        lambda: len(got) == 2,
        address=3,
    )
    assert [e.rating for e in got] == ["neutral", "very_satisfied"]
    assert "unknown rating 'meh'" in out


def test_scanner_enter_scans_a_card_and_text_is_scanned_as_is():
    got = []
    drive(
        "scanner",
        lambda path: SerialScanner(path, got.append),
        ["\n", "hello\n"],
        lambda: len(got) == 2,
    )
    assert isinstance(got[0], CccdScan) and isinstance(got[1], ScanRejected)


def test_led_prints_what_the_displays_show():
    out = io.StringIO()
    paths: list[str] = []
    finish = threading.Event()

    def lines():
        finish.wait(20)
        yield from ()

    worker = threading.Thread(
        target=console.run, args=("led", 1, lines()), kwargs={"out": out, "ready": paths.append}
    )
    worker.start()
    try:
        assert wait_until(lambda: paths)
        with LedBus(paths[0]) as bus:
            assert bus.wait_connected(5)
            bus.show(5, "1023", blink=True)
            assert wait_until(lambda: "LED 5: '1023' (blinked 3)" in out.getvalue())
    finally:
        finish.set()
        worker.join(timeout=10)
    assert "led simulator on /" in out.getvalue()


def test_unknown_kind():
    assert console.run("printer", 1, []) == 2
