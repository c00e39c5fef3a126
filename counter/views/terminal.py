"""The terminal page: header, banners, the current ticket, the queue and the day."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter.texts import counter_state_text, counter_title, text
from counter.viewmodel import CounterViewModel
from counter.views.dialogs import CallNumberDialog, TransferDialog
from counter.views.queue_panel import DayPanel, QueuePanel
from counter.views.theme import AMBER, GREEN, GREY, RED
from counter.views.ticket_panel import TicketPanel
from server.contract.vocab import CounterState

# Keyboard shortcuts (also printed in the footer and in docs/counter.md).
SHORTCUTS: tuple[tuple[str, str], ...] = (
    ("F1", "call-next"),
    ("Space", "call-next"),
    ("F2", "recall"),
    ("F3", "start"),
    ("F4", "finish"),
    ("F5", "no-show"),
    ("F6", "transfer"),
    ("F7", "park"),
    ("F8", "call"),
    ("F9", "pause-toggle"),
)

_STATE_COLOUR = {CounterState.OPEN: GREEN, CounterState.PAUSED: AMBER, CounterState.CLOSED: GREY}


class TerminalView(QWidget):
    """Renders a ``CounterViewModel``; every press goes to the view-model's commands."""

    logout_requested = Signal()

    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        lang = vm.language
        self.setObjectName("terminal")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        root = QVBoxLayout(self)
        root.setContentsMargins(16, 12, 16, 10)
        root.setSpacing(10)

        root.addLayout(self._header())

        root.addLayout(self._banners())
        root.addLayout(self._body(), 1)

        footer = QLabel(text("shortcuts", lang))
        footer.setObjectName("footer")
        footer.setWordWrap(True)
        root.addWidget(footer)

        self.transfer_dialog: TransferDialog | None = None
        self.call_dialog: CallNumberDialog | None = None
        for key, action in SHORTCUTS:
            shortcut = QShortcut(QKeySequence(key), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(lambda a=action: self.press(a))
        vm.changed.connect(self.refresh)
        self.refresh()

    def _header(self) -> QHBoxLayout:
        vm, lang = self.vm, self.vm.language
        header = QHBoxLayout()
        self.title = QLabel()
        self.title.setObjectName("title")
        self.clerk = QLabel(vm.clerk)
        self.clerk.setObjectName("detail")
        self.state = QLabel()
        self.state.setObjectName("pill")
        self.pause_button = QPushButton()
        self.pause_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.pause_button.clicked.connect(vm.toggle_pause)
        self.logout_button = QPushButton(text("logout", lang))
        self.logout_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.logout_button.clicked.connect(self.logout_requested.emit)
        header.addWidget(self.title, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addSpacing(12)
        header.addWidget(self.state, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addStretch(1)
        header.addWidget(self.clerk, 0, Qt.AlignmentFlag.AlignVCenter)
        header.addSpacing(12)
        header.addWidget(self.pause_button)
        header.addWidget(self.logout_button)
        return header

    def _banners(self) -> QHBoxLayout:
        vm, lang = self.vm, self.vm.language
        banners = QHBoxLayout()
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.retry_button = QPushButton(text("retry", lang))
        self.retry_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.retry_button.clicked.connect(vm.retry)
        self.dismiss_button = QPushButton(text("dismiss", lang))
        self.dismiss_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.dismiss_button.clicked.connect(vm.dismiss_pending)
        banners.addWidget(self.banner, 1)
        banners.addWidget(self.retry_button)
        banners.addWidget(self.dismiss_button)
        return banners

    def _body(self) -> QHBoxLayout:
        vm = self.vm
        body = QHBoxLayout()
        body.setSpacing(12)
        self.ticket = TicketPanel(vm)
        self.ticket.pressed.connect(self.press)
        right = QVBoxLayout()
        right.setSpacing(12)
        self.queue = QueuePanel(vm)
        self.queue.resume_parked.connect(vm.resume_parked)
        self.day = DayPanel(vm)
        right.addWidget(self.queue, 1)
        right.addWidget(self.day)
        body.addWidget(self.ticket, 3)
        body.addLayout(right, 2)
        return body

    def press(self, action: str) -> None:
        """One press from a button, a shortcut or the keypad."""
        vm = self.vm
        if action == "pause-toggle":
            if vm.can("resume") or vm.can("pause"):
                vm.toggle_pause()
        elif not vm.can(action):
            return
        elif action == "transfer":
            self.open_transfer()
        elif action == "call":
            self.open_call()
        else:
            vm.act(action)

    def open_transfer(self) -> TransferDialog:
        dialog = TransferDialog(self.vm, self)
        self.transfer_dialog = dialog
        dialog.finished.connect(self._back_to_keys)
        dialog.open()
        return dialog

    def open_call(self) -> CallNumberDialog:
        dialog = CallNumberDialog(self.vm, self)
        self.call_dialog = dialog
        dialog.finished.connect(self._back_to_keys)
        dialog.open()
        return dialog

    def _back_to_keys(self) -> None:
        """After a form closes, the terminal's window takes the keyboard back (F1, Space)."""
        self.window().activateWindow()

    def refresh(self) -> None:
        vm, lang = self.vm, self.vm.language
        counter = vm.counter
        # The site names its counters in full ("Quầy 1 - Ưu tiên").
        self.title.setText(
            counter_title(counter.number, counter.name, lang)
            if counter
            else f"{text('counter', lang)} {vm.counter_id}"
        )
        if counter is not None:
            self.state.setText(counter_state_text(counter.state, lang))
            self.state.setStyleSheet(f"background: {_STATE_COLOUR[counter.state]};")
            self.state.show()
        else:
            self.state.hide()
        self.pause_button.setText(text("resume" if vm.paused else "pause", lang) + " (F9)")
        self.pause_button.setEnabled(vm.can("resume") or vm.can("pause"))
        banner, colour = "", ""
        pending = vm.pending()
        if not vm.server_ok:
            banner, colour = text("unreachable", lang), RED
        elif pending is not None:
            action = text(pending.action if pending.action != "call-next" else "call_next", lang)
            banner, colour = text("pending", lang).format(action=action), AMBER
        elif vm.paused:
            closed = vm.counter is not None and vm.counter.state == CounterState.CLOSED
            banner = text("closed_banner" if closed else "paused_banner", lang)
            colour = GREY if closed else AMBER
        elif not vm.live_ok:
            banner = text("live_lost" if vm.live_seen else "live_connecting", lang)
            colour = GREY
        self.banner.setText(banner)
        self.banner.setStyleSheet(f"background: {colour};" if colour else "")
        self.banner.setVisible(bool(banner))
        self.retry_button.setVisible(not vm.server_ok or pending is not None)
        self.dismiss_button.setVisible(pending is not None)
        self.ticket.refresh()
        self.queue.refresh()
        self.day.refresh()
