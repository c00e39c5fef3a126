"""The left half of the terminal: the current ticket and every action on it."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter.texts import duration, status_text, text
from counter.viewmodel import CounterViewModel

# (action, text key, shortcut shown on the button, object name)
TICKET_ACTIONS = (
    ("recall", "recall", "F2", ""),
    ("start", "start", "F3", ""),
    ("finish", "finish", "F4", ""),
    ("no-show", "no-show", "F5", "danger"),
    ("transfer", "transfer", "F6", ""),
    ("park", "park", "F7", ""),
    ("call", "call", "F8", ""),
)


def _button(label: str, name: str = "") -> QPushButton:
    button = QPushButton(label)
    if name:
        button.setObjectName(name)
    # A touch terminal: buttons never take keyboard focus, so Space stays "call next".
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return button


class TicketPanel(QFrame):
    """Shows ``vm.current`` and emits the action the clerk pressed."""

    pressed = Signal(str)

    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.vm = vm
        lang = vm.language
        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 16, 20, 16)
        layout.setSpacing(10)

        head = QHBoxLayout()
        self.heading = QLabel(text("current", lang))
        self.heading.setObjectName("section")
        self.status = QLabel()
        self.status.setObjectName("pill")
        head.addWidget(self.heading)
        head.addStretch(1)
        head.addWidget(self.status)
        layout.addLayout(head)

        number_row = QHBoxLayout()
        self.number = QLabel()
        self.number.setObjectName("number")
        self.number.setWordWrap(True)
        self.priority = QLabel()
        self.priority.setObjectName("priority")
        number_row.addWidget(self.number, 1)
        number_row.addWidget(self.priority, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(number_row)

        self.field = QLabel()
        self.field.setObjectName("field")
        self.field.setWordWrap(True)
        self.details = QLabel()
        self.details.setObjectName("detail")
        self.details.setWordWrap(True)
        layout.addWidget(self.field)
        layout.addWidget(self.details)
        layout.addStretch(1)

        self.call_next = _button(f"{text('call_next', lang)}   (F1)", "primary")
        self.call_next.clicked.connect(lambda: self.pressed.emit("call-next"))
        layout.addWidget(self.call_next)

        grid = QGridLayout()
        grid.setSpacing(8)
        self.buttons: dict[str, QPushButton] = {"call-next": self.call_next}
        for index, (action, key, shortcut, name) in enumerate(TICKET_ACTIONS):
            button = _button(f"{text(key, lang)} ({shortcut})", name)
            button.clicked.connect(lambda _=False, a=action: self.pressed.emit(a))
            grid.addWidget(button, index // 4, index % 4)
            self.buttons[action] = button
        layout.addLayout(grid)

        self.message = QLabel()
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

    def refresh(self) -> None:
        vm, lang = self.vm, self.vm.language
        ticket = vm.current
        if ticket is None:
            self.number.setText(text("no_current", lang))
            self.number.setProperty("empty", True)
            self.field.setText("")
            self.details.setText("")
            self.priority.hide()
            self.status.hide()
        else:
            self.number.setText(ticket.number)
            self.number.setProperty("empty", False)
            self.field.setText(vm.service_name(ticket.service))
            parts = [
                f"{text('waited', lang)}: {duration(vm.wait_now(ticket), lang)}",
                f"{text('times_called', lang)}: {ticket.call_count}",
            ]
            if ticket.transferred_from:
                parts.append("↪ " + (text("transfer", lang)))
            if ticket.note:
                parts.append(f"{text('note', lang)}: {ticket.note}")
            self.details.setText("   ·   ".join(parts))
            self.priority.setVisible(bool(ticket.priority))
            if ticket.priority:
                self.priority.setText(
                    f"★ {text('priority', lang)}: {vm.priority_name(ticket.priority)}"
                )
            self.status.setText(status_text(ticket.status, lang))
            self.status.setStyleSheet("background: #1f5fa8;")
            self.status.show()
        # A dynamic property only restyles after a polish.
        self.number.style().unpolish(self.number)
        self.number.style().polish(self.number)
        for action, button in self.buttons.items():
            button.setEnabled(vm.can(action))
        self.call_next.setText(
            text("sending", lang)
            if vm.busy("call-next")
            else f"{text('call_next', lang)}   (F1 / Space)"
        )
        self.message.setText(vm.message)
