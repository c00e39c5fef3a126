"""The board's composition root: configuration in, subscriber → view-model → widgets and voice.

``run`` shows the board until the window closes or the process is told to stop;
``screenshot`` renders it once from the retained snapshot and saves a PNG.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from appkit.heartbeat import Heartbeat, token_in
from display_board.numbers_vi import Dialect

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from appkit.live import LiveFeed
    from appkit.mqtt_state import StateSubscriber
    from display_board.announcer import Announcer
    from display_board.audio import AudioSink
    from display_board.viewmodel import BoardViewModel
    from display_board.views.board import Layout
    from display_board.views.theme import Theme
    from display_board.voice import VoiceBank
    from server.contract.signing import ServerKey

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DisplayConfig:
    """Everything ``qms display`` can be told, validated by the CLI."""

    mqtt_url: str
    site: str
    area: str
    layout: Layout = "landscape"
    size: tuple[int, int] | None = None
    fullscreen: bool = False
    sound: bool = True
    voice_dir: Path | None = None
    english: bool = False
    repeat: int = 1
    dialect: Dialect | None = None  # None: the site's voice, as the server publishes it
    theme: Path | None = None
    blink_s: float = 6.0
    screenshot: Path | None = None
    screenshot_wait_s: float = 10.0
    server_key: ServerKey | None = None  # pinned (appkit.server_key); None: not verified
    mqtt_ca: str | None = None
    # The queue server's URL, for the board's heartbeat (its MQTT URL's token); None: none.
    server_url: str | None = None


def _qt_app() -> QApplication:
    if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from appkit.qt_guard import protect_none

    protect_none()  # a no-op with the pinned PySide6; see appkit/qt_guard.py
    app = QApplication.instance() or QApplication(["qms-display"])
    assert isinstance(app, QApplication)
    app.setApplicationName("qms-display")
    return app


def _parts(config: DisplayConfig) -> tuple[BoardViewModel, LiveFeed, StateSubscriber, Theme]:
    """The view-model, its Qt bridge, the subscriber and the theme."""
    from appkit.live import LiveFeed
    from appkit.mqtt_state import StateSubscriber, Subscription
    from display_board.viewmodel import BoardViewModel
    from display_board.views.theme import Theme
    from server.contract import topics
    from server.contract.messages import CallEvent, DisplaySnapshot

    theme = Theme.load(config.theme) if config.theme else Theme()
    vm = BoardViewModel(config.site, config.area)
    bridge = LiveFeed(vm.handle, vm.set_connection)
    subscriber = StateSubscriber(
        config.mqtt_url,
        [
            Subscription(topics.display(config.site, config.area), DisplaySnapshot),
            Subscription(topics.calls(config.site), CallEvent, ordered=False),
        ],
        bridge.on_message,
        bridge.on_connection,
        client_id=f"qms-display-{config.site}-{config.area}-{os.getpid()}",
        server_key=config.server_key,
        ca_file=config.mqtt_ca,
    )
    return vm, bridge, subscriber, theme


def screenshot(config: DisplayConfig) -> int:
    """Wait for the retained snapshot, render the board once, save it, exit."""
    assert config.screenshot is not None
    app = _qt_app()
    from PySide6.QtCore import QEventLoop, QTimer

    from display_board.views.board import SIZES, BoardView

    vm, _bridge, subscriber, theme = _parts(config)
    loop = QEventLoop()
    vm.changed.append(lambda: loop.quit() if vm.snapshot is not None else None)
    QTimer.singleShot(round(config.screenshot_wait_s * 1000), loop.quit)
    subscriber.start()
    try:
        if vm.snapshot is None:
            loop.exec()
    finally:
        subscriber.stop()
    if vm.snapshot is None:
        log.error(
            "no display snapshot for %s/%s arrived from %s within %.0f s; is the server running?",
            config.site,
            config.area,
            subscriber.address.host,
            config.screenshot_wait_s,
        )
        return 2
    view = BoardView(vm, theme, config.layout, animate=False, blink_s=config.blink_s)
    view.resize(*(config.size or SIZES[config.layout]))
    ok = view.grab().save(str(config.screenshot))
    view.deleteLater()
    app.processEvents()
    if not ok:
        log.error("could not write the screenshot to %s", config.screenshot)
        return 1
    log.info("saved the board of %s/%s to %s", config.site, config.area, config.screenshot)
    return 0


def _voice(config: DisplayConfig, sink: AudioSink | None) -> Announcer:
    """The announcer, in the board's own region or, until the site says, the north's."""
    from display_board.announcer import Announcer
    from display_board.audio import SilentSink, choose_sink
    from display_board.voice import VoiceBank, default_voice_dir

    bank = VoiceBank(config.voice_dir or default_voice_dir())
    if sink is None:
        sink = choose_sink() if config.sound else SilentSink()
    return Announcer(
        bank,
        sink,
        dialect=config.dialect or "north",
        english=config.english,
        repeat=config.repeat,
    )


_filling = threading.Lock()  # one espeak-ng run at a time, whichever region asked


def prepare_voice(bank: VoiceBank, folders: tuple[str, ...]) -> None:
    """Make the missing clips of ``folders`` in the background, then let the bank see them."""
    from display_board.voice import ensure_voice

    def fill() -> None:
        with _filling:
            try:
                ensure_voice(bank.root, folders)
                bank.reload()
            except OSError as exc:
                log.warning("cannot prepare the voice folder %s: %s (chime only)", bank.root, exc)

    threading.Thread(target=fill, name="voice-setup", daemon=True).start()


class SiteVoice:
    """Keeps the announcer on the voice of the site's region, as the server publishes it,
    unless the board was started with its own ``--dialect``; a region whose clips are
    missing has them made (``prepare``), and is spoken in the default voice until then."""

    def __init__(
        self,
        vm: BoardViewModel,
        announcer: Announcer,
        prepare: Callable[[str], None],
        *,
        fixed: Dialect | None = None,
    ) -> None:
        self.vm = vm
        self.announcer = announcer
        self.prepare = prepare
        self.fixed = fixed
        if fixed is None:
            vm.changed.append(self.follow)

    def follow(self) -> None:
        from display_board.numbers_vi import DIALECTS
        from display_board.voice import region_folder

        region = self.vm.voice
        if region is None or region == self.announcer.dialect:
            return
        if region not in DIALECTS:
            log.warning("the site asks for a voice this board does not know: %r", region)
            return
        log.info("the site calls in the %s voice", region)
        self.announcer.dialect = region
        self.prepare(region_folder(region))


class BoardApp:
    """One running board: subscriber, view-model, window and voice, started and stopped together."""

    def __init__(self, config: DisplayConfig, *, sink: AudioSink | None = None) -> None:
        from display_board.views.board import BoardView
        from display_board.voice import region_folder

        self.config = config
        self.vm, self.bridge, self.subscriber, theme = _parts(config)
        self.announcer = _voice(config, sink)
        self.site_voice = SiteVoice(self.vm, self.announcer, self._prepare, fixed=config.dialect)
        if config.sound:
            self.vm.announced.append(self.announcer.announce)
            self._prepare(region_folder(config.dialect or "north"))
        self.view = BoardView(self.vm, theme, config.layout, blink_s=config.blink_s)
        if config.size:
            self.view.resize(*config.size)
        self.heartbeat: Heartbeat | None = None
        token = token_in(config.mqtt_url)
        if config.server_url and token:
            detail = f"board {config.site}/{config.area}"
            self.heartbeat = Heartbeat(config.server_url, token, detail=detail)

    def _prepare(self, folder: str) -> None:
        if self.config.sound:
            prepare_voice(self.announcer.bank, (folder, "en"))

    def start(self) -> None:
        if self.config.fullscreen:
            self.view.showFullScreen()
        else:
            self.view.show()
        self.announcer.start()
        self.subscriber.start()
        if self.heartbeat is not None:
            self.heartbeat.start()

    def stop(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()
        self.subscriber.stop()
        self.announcer.stop()
        self.view.close()


def run(config: DisplayConfig) -> int:
    """Show the board until its window closes or SIGINT/SIGTERM arrives."""
    if config.screenshot is not None:
        return screenshot(config)
    app = _qt_app()
    from PySide6.QtCore import QTimer

    board = BoardApp(config)
    board.start()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: app.quit())
    wake = QTimer()
    wake.start(250)  # lets Python run its signal handlers while Qt waits
    wake.timeout.connect(lambda: None)
    try:
        return int(app.exec())
    finally:
        board.stop()
