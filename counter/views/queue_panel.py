"""The right half of the terminal: the queue at a glance and the clerk's day."""

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter.texts import average_rating, duration, text
from counter.viewmodel import CounterViewModel
from server.contract.messages import TicketBrief

NEXT_SHOWN = 5
PARKED_SHOWN = 4
# How often the waits on screen are brought up to date (they read in seconds at first).
TICK_MS = 1000


def _label(value: str = "", name: str = "") -> QLabel:
    label = QLabel(value)
    if name:
        label.setObjectName(name)
    return label


def _clear(layout: QVBoxLayout | QGridLayout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        widget = item.widget() if item is not None else None
        if widget is not None:
            # Hidden now, deleted when the event loop runs: never drawn under the new rows.
            widget.hide()
            widget.deleteLater()


def _show_all(layout: QVBoxLayout | QGridLayout) -> None:
    """Show new rows at once (a layout would only show them on the next event loop turn)."""
    parent = layout.parentWidget()
    if parent is None or not parent.isVisible():
        return
    for index in range(layout.count()):
        item = layout.itemAt(index)
        widget = item.widget() if item is not None else None
        if widget is not None:
            widget.show()


class QueuePanel(QFrame):
    """Waiting per field, longest wait, the next tickets and the parked ones."""

    resume_parked = Signal(str)

    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.vm = vm
        lang = vm.language
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 14, 18, 14)
        layout.setSpacing(4)
        layout.addWidget(_label(text("queue", lang), "section"))
        self.fields = QGridLayout()
        self.fields.setHorizontalSpacing(12)
        self.fields.setVerticalSpacing(2)
        layout.addLayout(self.fields)
        self.longest = _label("", "detail")
        layout.addWidget(self.longest)
        layout.addSpacing(6)
        layout.addWidget(_label(text("next_up", lang), "section"))
        self.next_box = QVBoxLayout()
        layout.addLayout(self.next_box)
        layout.addSpacing(6)
        layout.addWidget(_label(text("parked", lang), "section"))
        self.parked_box = QVBoxLayout()
        layout.addLayout(self.parked_box)
        layout.addStretch(1)
        self.parked_buttons: dict[str, QPushButton] = {}
        self._lines: list[tuple[QLabel, TicketBrief]] = []
        # Waits tick between snapshots: the server sends one only when the queue changes.
        self.timer = QTimer(self)
        self.timer.setInterval(TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.timer.start()

    def _ticket_line(self, ticket: TicketBrief) -> str:
        vm, lang = self.vm, self.vm.language
        star = "★ " if ticket.priority else ""
        kind = f"  ·  {vm.priority_name(ticket.priority)}" if ticket.priority else ""
        return (
            f"{star}{ticket.number}  ·  {vm.service_name(ticket.service)}{kind}"
            f"  ·  {duration(vm.wait_now(ticket), lang)}"
        )

    def _longest_text(self) -> str:
        vm, lang = self.vm, self.vm.language
        if any(field.waiting for field in vm.waiting):
            return f"{text('longest_wait', lang)}: {duration(vm.longest_wait_now_s, lang)}"
        return text("queue_empty", lang) if vm.waiting else ""

    def tick(self) -> None:
        """Bring every wait on screen up to now, without rebuilding the rows."""
        for label, ticket in self._lines:
            label.setText(self._ticket_line(ticket))
        self.longest.setText(self._longest_text())

    def refresh(self) -> None:
        vm, lang = self.vm, self.vm.language
        _clear(self.fields)
        if not vm.waiting:
            self.fields.addWidget(_label(text("queue_empty", lang), "detail"), 0, 0)
        for row, field in enumerate(vm.waiting):
            name = field.name_en if lang == "en" else field.name_vi
            name_label = _label(name, "qfield")
            name_label.setWordWrap(True)
            count = _label(str(field.waiting), "qcount")
            count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.fields.addWidget(name_label, row, 0)
            self.fields.addWidget(count, row, 1)
        self.fields.setColumnStretch(0, 1)
        self.longest.setText(self._longest_text())

        self._lines = []
        _clear(self.next_box)
        shown = vm.next_up[:NEXT_SHOWN]
        if not shown:
            self.next_box.addWidget(_label(text("none", lang), "detail"))
        for ticket in shown:
            line = _label(self._ticket_line(ticket), "qfield")
            line.setWordWrap(True)
            self.next_box.addWidget(line)
            self._lines.append((line, ticket))

        _clear(self.parked_box)
        self.parked_buttons = {}
        if not vm.parked:
            self.parked_box.addWidget(_label(text("none", lang), "detail"))
        for ticket in vm.parked[:PARKED_SHOWN]:
            holder = QWidget()
            row_layout = QHBoxLayout(holder)
            row_layout.setContentsMargins(0, 0, 0, 0)
            label = _label(self._ticket_line(ticket), "qfield")
            label.setWordWrap(True)
            self._lines.append((label, ticket))
            button = QPushButton(text("resume_parked", lang))
            button.setObjectName("small")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setEnabled(vm.can("resume-parked") and not vm.busy("call"))
            button.clicked.connect(lambda _=False, t=ticket.id: self.resume_parked.emit(t))
            row_layout.addWidget(label, 1)
            row_layout.addWidget(button)
            self.parked_box.addWidget(holder)
            self.parked_buttons[ticket.id] = button
        for box in (self.fields, self.next_box, self.parked_box):
            _show_all(box)


class DayPanel(QFrame):
    """The clerk's day: served, no-shows, average service time, average rating."""

    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("card")
        self.vm = vm
        lang = vm.language
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        layout.addWidget(_label(text("my_day", lang), "section"))
        grid = QGridLayout()
        grid.setHorizontalSpacing(18)
        self.values: dict[str, QLabel] = {}
        self.names: dict[str, QLabel] = {}
        for column, key in enumerate(("served", "no_shows", "avg_service", "avg_rating")):
            value = _label("—", "stat")
            name = _label(text(key, lang), "statname")
            grid.addWidget(value, 0, column)
            grid.addWidget(name, 1, column, Qt.AlignmentFlag.AlignTop)
            grid.setColumnStretch(column, 1)
            self.values[key] = value
            self.names[key] = name
        layout.addLayout(grid)

    def refresh(self) -> None:
        day, lang = self.vm.day, self.vm.language
        if day is None:
            for value in self.values.values():
                value.setText("—")
            return
        self.values["served"].setText(str(day.served))
        self.values["no_shows"].setText(str(day.no_shows))
        self.values["avg_service"].setText(duration(day.average_service_s, lang))
        self.values["avg_rating"].setText(average_rating(day.average_rating, lang))
        votes = text("ratings_count", lang)
        self.names["avg_rating"].setText(f"{text('avg_rating', lang)} ({day.ratings} {votes})")
