"""The kiosk's composition root: typed configuration in, a running kiosk out.

Everything the kiosk needs (server client, printer, scanner, broker link) is built
here from ``KioskConfig`` and passed in; nothing reads globals or the environment
below this module.
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from appkit.live import LiveFeed
from appkit.mqtt_state import Subscription
from appkit.qt_guard import protect_none
from hardware.ports import DeviceConfigError
from hardware.printer.layout import PAPER_58MM, PAPER_80MM, TicketLayout
from hardware.registry import open_printer, open_scanner
from kiosk.client import KioskClient
from kiosk.printing import PrinterGate
from kiosk.state import KioskSettings
from kiosk.viewmodel import KioskViewModel
from kiosk.views.style import Orientation, font, load_fonts
from kiosk.views.window import KioskWindow
from server.contract import topics
from server.contract.messages import QueueSnapshot
from server.contract.topics import check_slug

log = logging.getLogger(__name__)

NO_PRINTER = "none"
PAPER_DOTS = {80: PAPER_80MM, 58: PAPER_58MM}  # printable dots across at 203 dpi


@dataclass(frozen=True, slots=True)
class KioskConfig:
    """What ``qms kiosk`` was asked to do, checked before anything opens."""

    server: str
    site: str
    kiosk_id: str
    token: str | None = None
    mqtt: str | None = None
    printer: str = NO_PRINTER
    scanner: str | None = None
    id_key: str | None = None
    orientation: Orientation = Orientation.PORTRAIT
    fullscreen: bool = False
    allow_screen_ticket: bool = False
    idle_timeout_s: float = 60.0
    server_key: str | None = None  # as printed by `qms device add`; pinned on first use
    server_key_file: Path | None = None  # None: appkit.server_key.default_pin_file()
    mqtt_ca: str | None = None
    site_name: str = ""  # the centre's name until the server answers
    paper_mm: int = 80  # the ticket roll: 80 or 58 mm
    ticket_header: tuple[str, ...] = ()  # lines above the centre's name, e.g. "UBND TP. HCM"
    ticket_logo: Path | None = None  # a picture at the top of the ticket

    def __post_init__(self) -> None:
        if not self.server.startswith(("http://", "https://")):
            raise ValueError(f"--server must be an http(s) URL, got {self.server!r}")
        check_slug(self.site)
        check_slug(self.kiosk_id)
        if self.scanner and not self.id_key:
            raise ValueError(
                "an ID scanner needs the site's ID key (--id-key or QMS_ID_KEY) to hash "
                "the card number; the number itself is never sent"
            )
        if self.idle_timeout_s <= 0:
            raise ValueError("--idle-timeout must be a positive number of seconds")
        if self.id_key is not None and len(self.id_key.encode()) < 16:
            raise ValueError("the ID key must have at least 16 bytes")
        if self.paper_mm not in PAPER_DOTS:
            raise ValueError(f"--paper must be 80 or 58 (mm), got {self.paper_mm}")

    def ticket_layout(self) -> TicketLayout:
        """The printed ticket's look; a missing logo file is a ``DeviceConfigError``."""
        return TicketLayout(
            width=PAPER_DOTS[self.paper_mm], header=self.ticket_header, logo=self.ticket_logo
        )


class KioskApp:
    """One kiosk: view-model, window and its devices, started and stopped together."""

    def __init__(self, config: KioskConfig) -> None:
        self.config = config
        protect_none()  # a kiosk repaints every second for days: see appkit/qt_guard.py
        load_fonts()
        app = QApplication.instance()
        if isinstance(app, QApplication):
            app.setFont(font(28))
        printer = (
            None
            if config.printer == NO_PRINTER
            else open_printer(config.printer, config.ticket_layout())
        )
        self.client = KioskClient.connect(config.server, config.site, config.token)
        settings = KioskSettings(
            site=config.site,
            kiosk_id=config.kiosk_id,
            idle_timeout_s=config.idle_timeout_s,
            allow_screen_ticket=config.allow_screen_ticket,
            site_name=config.site_name,
        )
        self.printer = PrinterGate(printer)
        self.vm = KioskViewModel(
            self.client,
            settings,
            self.printer,
            id_key=config.id_key.encode() if config.id_key else None,
        )
        self.window = KioskWindow(self.vm, config.orientation)
        self.window.setWindowTitle(f"QMS kiosk {config.kiosk_id}")
        self.live = queue_feed(self.vm)

    def start(self) -> None:
        if self.config.mqtt:
            self._subscribe(self.config.mqtt)
        if self.config.scanner:
            self.vm.scanning.attach(open_scanner(self.config.scanner))
        self.vm.start()

    def _subscribe(self, url: str) -> None:
        """Live counts only with the server's pinned key; a changed key is refused."""
        from appkit.server_key import KeyChanged, default_pin_file, enrol

        config = self.config
        try:
            trust = enrol(
                config.server,
                config.token,
                pin_file=config.server_key_file or default_pin_file(),
                given=config.server_key,
            )
        except KeyChanged as exc:
            log.error("no live waiting counts: %s", exc)
            return
        self.live.follow(
            url,
            [Subscription(topics.queue(config.site), QueueSnapshot)],
            client_id=f"kiosk-{config.kiosk_id}",
            server_key=trust.key,
            credentials=trust.credentials,
            ca_file=config.mqtt_ca,
        )
        self.live.start()

    def show(self) -> None:
        if self.config.fullscreen:
            # The panel's own size wins (a 1080x1920 design on a 1920x1080 panel is a setup
            # mistake the installer sees at once; a slightly different panel just fits).
            self.window.setMinimumSize(0, 0)
            self.window.setMaximumSize(16_777_215, 16_777_215)
            self.window.showFullScreen()
        else:
            self.window.show()

    def wait_ready(self, timeout_s: float = 15.0) -> bool:
        """Process events until the first menu (and printer state) arrived, or time is up."""
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(50)
        poll.timeout.connect(lambda: loop.quit() if self._ready() else None)
        QTimer.singleShot(int(timeout_s * 1000), loop.quit)
        poll.start()
        if not self._ready():
            loop.exec()
        poll.stop()
        return self.vm.menu is not None

    def _ready(self) -> bool:
        return self.vm.runner.idle() and (self.vm.menu is not None or not self.vm.online)

    def screenshot(self, path: Path) -> bool:
        """Render the first screen with live data into ``path``; False if the server was away."""
        ready = self.wait_ready()
        if self.config.mqtt:
            self._settle(1.5)  # let the retained queue snapshot arrive
        self.window.refresh()
        path.parent.mkdir(parents=True, exist_ok=True)
        if not self.window.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        log.info("saved %s (%s)", path, "live data" if ready else "server unreachable")
        return ready

    @staticmethod
    def _settle(seconds: float) -> None:
        loop = QEventLoop()
        QTimer.singleShot(int(seconds * 1000), loop.quit)
        loop.exec()

    def stop(self) -> None:
        self.vm.stop()
        self.live.stop()
        self.vm.scanning.stop()
        self.printer.close()
        self.client.close()


def queue_feed(vm: KioskViewModel) -> LiveFeed:
    """The bridge that brings the site's queue snapshots and the broker's state to ``vm``
    on the GUI thread (``follow`` then ``start`` it)."""
    return LiveFeed(
        lambda _topic, message: vm.apply_queue(message),
        lambda state: vm.set_live_connected(state.connected),
        vm,
    )


def _quit_on_signals(app: QCoreApplication) -> QTimer:
    """Ctrl-C or a service manager's SIGTERM closes the kiosk cleanly (ports, broker).

    Qt's loop does not run Python code by itself, so a light timer gives Python a
    chance to see the signal.
    """
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: app.quit())
    wake = QTimer(app)
    wake.timeout.connect(lambda: None)
    wake.start(250)
    return wake


def run(config: KioskConfig, screenshot: Path | None = None) -> int:
    """Run the kiosk until the window closes (or take one screenshot and exit)."""
    app = QApplication.instance() or QApplication([])
    logging.getLogger("httpx").setLevel(logging.WARNING)  # one line per request is noise
    try:
        kiosk = KioskApp(config)
    except DeviceConfigError as exc:
        log.error("kiosk device configuration: %s", exc)
        return 2
    try:
        kiosk.start()
        if screenshot is not None:
            return 0 if kiosk.screenshot(screenshot) else 1
        kiosk.show()
        _quit_on_signals(app)
        return int(app.exec())
    except DeviceConfigError as exc:
        log.error("kiosk device configuration: %s", exc)
        return 2
    finally:
        kiosk.stop()
