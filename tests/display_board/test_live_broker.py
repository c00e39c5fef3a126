"""The board against a real Mosquitto: retained picture, live calls, restarts, bad input."""

import wave

import paho.mqtt.client as mqtt
import pytest
from PySide6.QtGui import QImage

from appkit.live import LiveFeed
from appkit.mqtt_state import StateSubscriber, Subscription
from display_board.announcer import Announcer
from display_board.audio import RecordingSink
from display_board.viewmodel import BoardViewModel
from display_board.voice import VoiceBank, clip_texts, write_chime
from qms.cli import main as qms_main
from server.contract import topics
from server.contract.messages import CallEvent, DisplaySnapshot
from tests.display_board.samples import AREA, SITE, call, demo_snapshot, event, snapshot

pytestmark = [pytest.mark.mosquitto, pytest.mark.gui]

DISPLAY = topics.display(SITE, AREA)
CALLS = topics.calls(SITE)


class Publisher:
    """Plays the server's part: retained snapshots and a stream of calls."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()

    def snapshot(self, message: DisplaySnapshot) -> None:
        self.raw(DISPLAY, message.model_dump_json().encode(), retain=True)

    def call(self, message: CallEvent) -> None:
        self.raw(CALLS, message.model_dump_json().encode())

    def raw(self, topic: str, payload: bytes, retain: bool = False) -> None:
        self.client.publish(topic, payload, qos=1, retain=retain).wait_for_publish(5)

    def close(self) -> None:
        self.client.loop_stop()
        self.client.disconnect()


def silent_voice(root):
    write_chime(root / "chime.wav")
    (root / "vi").mkdir()
    for stem in clip_texts("vi"):
        with wave.open(str(root / "vi" / f"{stem}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes(b"\0\0" * 10)
    return VoiceBank(root)


@pytest.fixture
def board(mosquitto, tmp_path, qtbot):
    vm = BoardViewModel(SITE, AREA)
    bridge = LiveFeed(vm.handle, vm.set_connection)
    sink = RecordingSink()
    announcer = Announcer(silent_voice(tmp_path), sink)
    vm.announced.append(announcer.announce)
    sub = StateSubscriber(
        mosquitto.url,
        [Subscription(DISPLAY, DisplaySnapshot), Subscription(CALLS, CallEvent, ordered=False)],
        bridge.on_message,
        bridge.on_connection,
        min_backoff_s=1,
        max_backoff_s=1,
        keepalive_s=5,
    )
    yield vm, sub, announcer, sink
    sub.stop()


def test_retained_picture_then_live_call_announced_once(mosquitto, board, qtbot):
    vm, sub, announcer, sink = board
    pub = Publisher(mosquitto.port)
    try:
        pub.snapshot(demo_snapshot(120))
        sub.start()
        qtbot.waitUntil(lambda: vm.snapshot is not None, timeout=10000)
        assert vm.calling is not None and vm.calling.ticket_number == "1023"
        live = call(1030, 4)
        pub.call(event(live, seq=121))
        pub.call(event(live, seq=121))  # delivered twice
        pub.raw(DISPLAY, b'{"v": 1, "site": "hcm-main"}', retain=True)  # malformed
        pub.snapshot(demo_snapshot(119))  # stale
        pub.snapshot(snapshot(122, calling=live, recent=[live], notice="after"))
        qtbot.waitUntil(lambda: vm.notice == "after", timeout=10000)
        assert vm.calling == live
        announcer.run_pending()
        assert len(sink.played) == 1
        assert sink.played[0][:4] == ["chime", "vi/invite", "vi/một", "vi/nghìn"]
        assert vm.duplicate_calls == 1
        assert sub.dropped_malformed == 1 and sub.dropped_stale == 1
    finally:
        pub.close()


def test_broker_restart_marks_the_board_then_it_catches_up(mosquitto, board, qtbot):
    vm, sub, announcer, sink = board
    pub = Publisher(mosquitto.port)
    pub.snapshot(demo_snapshot(120))
    pub.close()
    sub.start()
    qtbot.waitUntil(lambda: vm.snapshot is not None and vm.connected, timeout=10000)
    mosquitto.stop()
    qtbot.waitUntil(lambda: vm.mark is not None, timeout=20000)
    assert vm.mark.kind == "connection" and vm.mark.since is not None
    assert vm.calling is not None  # the last picture stays up
    mosquitto.start()
    qtbot.waitUntil(lambda: vm.connected, timeout=20000)
    assert vm.mark is None
    # The server republishes everything when the broker is back (retained state is gone).
    pub = Publisher(mosquitto.port)
    try:
        pub.snapshot(snapshot(130, notice="caught up"))
        qtbot.waitUntil(lambda: vm.notice == "caught up", timeout=10000)
    finally:
        pub.close()
    announcer.run_pending()
    assert sink.played == []  # nothing was re-announced after the reconnect


def test_qms_display_screenshot_from_the_retained_snapshot(mosquitto, tmp_path, qtbot):
    pub = Publisher(mosquitto.port)
    try:
        pub.snapshot(demo_snapshot(120))
    finally:
        pub.close()
    out = tmp_path / "board.png"
    argv = ["display", "--mqtt", mosquitto.url, "--screenshot", str(out), "--layout", "portrait"]
    assert qms_main(argv) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1080, 1920)
    missing = tmp_path / "none.png"
    argv = ["display", "--mqtt", mosquitto.url, "--area", "B2", "--screenshot", str(missing)]
    assert qms_main([*argv, "--wait", "1"]) == 2
    assert not missing.exists()


def test_the_whole_board_app_shows_and_says_a_live_call(mosquitto, tmp_path, qtbot):
    from display_board.app import BoardApp, DisplayConfig

    voice_dir = tmp_path / "voice"
    voice_dir.mkdir()
    silent_voice(voice_dir)
    sink = RecordingSink()
    config = DisplayConfig(
        mqtt_url=mosquitto.url, site=SITE, area=AREA, voice_dir=voice_dir, blink_s=1.0
    )
    board = BoardApp(config, sink=sink)
    qtbot.addWidget(board.view)
    pub = Publisher(mosquitto.port)
    board.start()
    try:
        pub.snapshot(demo_snapshot(120))
        qtbot.waitUntil(lambda: board.view.hero.call is not None, timeout=10000)
        assert not board.view.hero.blinking  # retained: shown, not flashed
        live = call(1030, 4)
        pub.call(event(live, seq=121))
        qtbot.waitUntil(lambda: sink.count == 1, timeout=10000)
        assert board.view.hero.call == live
        assert sink.played[0][0] == "chime"
        qtbot.waitUntil(lambda: not board.view.hero.blinking, timeout=10000)
    finally:
        pub.close()
        board.stop()
