"""The composition root of the counter terminal: builds the parts and wires them.

``CounterApp`` owns the client, the worker thread, the MQTT follower and the
devices, and switches the window between the login page and the terminal page.
Everything is passed in from here; nothing reads module globals.
"""

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QStackedWidget, QWidget

from appkit.heartbeat import Heartbeat
from appkit.live import LiveFeed
from appkit.mqtt_state import Subscription
from appkit.offthread import OffThread
from counter.client import CounterClient
from counter.devices import CounterDevices, DevicePorts
from counter.session import LoginViewModel
from counter.settings import SettingsStore, TerminalSettings
from counter.texts import text
from counter.viewmodel import CounterViewModel
from counter.views.login import LoginView
from counter.views.rating import RatingWindow
from counter.views.terminal import TerminalView
from server.contract import topics
from server.contract.http import LoginOut
from server.contract.messages import CounterSnapshot

log = logging.getLogger(__name__)


def counter_feed(vm: CounterViewModel) -> LiveFeed:
    """The bridge that brings the counter's snapshots and the broker's state to ``vm`` on
    the GUI thread (``follow`` then ``start`` it)."""

    def on_message(_topic: str, message: object) -> None:
        if isinstance(message, CounterSnapshot):
            vm.apply_snapshot(message)

    return LiveFeed(on_message, lambda state: vm.set_live(state.connected))


def _ignore(_result: Any) -> None:
    """The logout on closing needs no answer: the window is already going."""


@dataclass(frozen=True, slots=True)
class AppOptions:
    """What the command line (or a test) decides beyond the saved settings."""

    settings: TerminalSettings
    store: SettingsStore
    live: bool = True
    devices: DevicePorts = field(default_factory=DevicePorts)
    rating_window: bool | None = None  # None: only when there is no rating pad
    retry_delays_ms: tuple[int, ...] = (1000, 2000, 4000, 8000, 15000)
    probe_ms: int = 5000
    # Only look (``--screenshot``): do not open the counter on start nor pause it on exit.
    read_only: bool = False
    # The PC's device token (kind counter): without it the login page offers no PIN pad.
    device_token: str | None = None
    # The server's MQTT key as `qms device add` printed it; else asked from the server.
    server_key: str | None = None
    server_key_file: Path | None = None  # where it is pinned (default: the data dir's)
    mqtt_ca: str | None = None


class CounterWindow(QMainWindow):
    """The one window: the login page, then the terminal page."""

    closing = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stack = QStackedWidget()
        self.setCentralWidget(self.stack)
        self.resize(1280, 800)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closing.emit()
        super().closeEvent(event)


class CounterApp(QObject):
    """One terminal: log in, pick a counter, serve, log out (which pauses the counter)."""

    terminal_opened = Signal(object)
    """The ``CounterViewModel`` of the counter just opened."""

    def __init__(self, options: AppOptions, client: CounterClient | None = None) -> None:
        super().__init__()
        self.options = options
        settings = options.settings
        self.client = client or CounterClient(settings.server, language=settings.language)
        if options.device_token:
            self.client.device_token = options.device_token
        # The PC's own heartbeat, so the live hall sees it silent when it is off or cut.
        self.heartbeat: Heartbeat | None = None
        if options.device_token and not options.read_only:
            self.heartbeat = Heartbeat(settings.server, options.device_token, detail="counter PC")
            self.heartbeat.start()
        self.worker = OffThread(self, in_order=True, name="counter-http")
        self.window = CounterWindow()
        self.window.setWindowTitle(text("app_title", settings.language))
        self.login_vm = LoginViewModel(self.client, self.worker, options.store, settings)
        self.login_view = LoginView(self.login_vm)
        self.window.stack.addWidget(self.login_view)
        self.login_vm.ready.connect(self.open_counter)
        self.vm: CounterViewModel | None = None
        self.terminal: TerminalView | None = None
        self.rating: RatingWindow | None = None
        self.live: LiveFeed | None = None
        self.devices: CounterDevices | None = None
        self.window.closing.connect(self.shutdown)
        self._down = False

    # ---- login ------------------------------------------------------------------

    def show(self) -> None:
        self.window.show()

    def login(self, username: str, password: str) -> None:
        """Log in as the login page would (unattended start)."""
        self.login_view.username.setText(username)
        self.login_vm.submit(username, password)

    def open_counter(self, counter_id: str) -> None:
        """Open the terminal page for ``counter_id`` and start following it."""
        settings = self.login_vm.settings
        login: LoginOut | None = self.login_vm.login
        clerk = login.display_name if login else settings.username
        vm = CounterViewModel(
            self.client,
            self.worker,
            settings.site,
            counter_id,
            language=settings.language,
            clerk=clerk,
            retry_delays_ms=self.options.retry_delays_ms,
            probe_ms=self.options.probe_ms,
            open_on_start=not self.options.read_only,
        )
        self.vm = vm
        self.terminal = TerminalView(vm)
        self.terminal.logout_requested.connect(self.logout)
        vm.session_expired.connect(self._session_expired)
        self.window.stack.addWidget(self.terminal)
        self.window.stack.setCurrentWidget(self.terminal)
        ports = self.options.devices
        want_window = self.options.rating_window
        if want_window is None:
            want_window = ports.rating_pad is None
        if want_window:
            self.rating = RatingWindow(vm)
            # A citizen's tap on the rating window must not leave the clerk without F1/Space.
            vm.rating_closed.connect(lambda _rated: self.window.activateWindow())
        if self.options.live:
            self.live = self._live(vm, settings, counter_id)
        if self.live is not None:
            self.live.start()
        if ports.any():
            self.devices = CounterDevices(ports, vm, self.terminal.press)
            self.devices.start()
        vm.refresh()
        self.terminal_opened.emit(vm)

    # ---- logout and shutdown ----------------------------------------------------

    def _live(
        self, vm: CounterViewModel, settings: TerminalSettings, counter_id: str
    ) -> LiveFeed | None:
        """The counter's MQTT snapshot, checked with the server's pinned key; a changed
        key is refused (logged), and the terminal works on from HTTP alone."""
        from appkit.server_key import KeyChanged, enrol

        options = self.options
        try:
            trust = enrol(
                settings.server,
                options.device_token or self.client.token,
                pin_file=options.server_key_file or options.store.path.parent / "server-key.pin",
                given=options.server_key,
            )
        except KeyChanged as exc:
            log.error("no live counter state: %s", exc)
            return None
        live = counter_feed(vm)
        live.follow(
            settings.mqtt,
            [Subscription(topics.counter(settings.site, counter_id), CounterSnapshot)],
            client_id=f"qms-counter-{settings.site}-{counter_id}-{id(live):x}"[:64],
            server_key=trust.key,
            credentials=trust.credentials,
            ca_file=options.mqtt_ca,
        )
        return live

    def logout(self) -> None:
        """Pause the counter on the server, then go back to the login page."""
        vm = self.vm
        if vm is None:
            return
        self._stop_counter()
        vm.logout(on_done=self._back_to_login)

    def _session_expired(self, message: str) -> None:
        """The token is gone (expired, revoked): back to the login page, nothing to pause."""
        log.warning("session ended by the server: %s", message)
        self._stop_counter()
        self._back_to_login(text("session_expired", self.login_vm.settings.language))

    def _back_to_login(self, message: str = "") -> None:
        if self.terminal is not None:
            self.window.stack.removeWidget(self.terminal)
            self.terminal.deleteLater()
            self.terminal = None
        if self.rating is not None:
            self.rating.close()
            self.rating.deleteLater()
            self.rating = None
        self.vm = None
        self.client.token = None
        self.login_view.reset()
        self.login_view.error.setText(message)
        self.window.stack.setCurrentWidget(self.login_view)

    def _stop_counter(self) -> None:
        if self.live is not None:
            self.live.stop()
            self.live = None
        if self.devices is not None:
            self.devices.stop()
            self.devices = None

    def shutdown(self) -> None:
        """Closing the window logs out (pausing the counter), waiting for the server's answer."""
        if self._down:
            return
        self._down = True
        self._stop_counter()
        if self.vm is not None:
            self.vm.stop()
        if self.vm is not None and self.client.token and not self.options.read_only:
            vm = self.vm
            self.worker.run(lambda: self.client.logout(vm.site, vm.counter_id), _ignore, _ignore)
        if self.rating is not None:
            self.rating.close()
        self.worker.shutdown()
        self.client.close()
        if self.heartbeat is not None:
            self.heartbeat.stop()
