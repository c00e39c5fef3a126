"""The citizen-facing rating window: four large choices after a ticket is finished.

Used when a counter has no rating pad (or alongside it, on a small second screen).
"""

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter.texts import RATINGS, rating_text, text
from counter.viewmodel import CounterViewModel
from server.contract.vocab import Rating

THANKS_MS = 2000  # how long "Cảm ơn quý khách!" stays before the window hides

_COLOURS = {
    Rating.VERY_SATISFIED: "#1b7f3b",
    Rating.SATISFIED: "#4c9a2a",
    Rating.NEUTRAL: "#9a6700",
    Rating.UNSATISFIED: "#b3261e",
}


class RatingWindow(QWidget):
    """Shown on ``rating_requested``; on ``rating_closed`` it thanks the citizen, then hides."""

    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.vm = vm
        lang = vm.language
        self.setObjectName("login")
        # The clerk's window keeps the keyboard (F1/Space) when this one pops up.
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating, True)
        self.setWindowTitle(text("rate", lang))
        self.resize(720, 420)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 20, 24, 20)
        self.title = QLabel(text("rating_title", lang))
        self.title.setStyleSheet("font-size: 28px; font-weight: bold;")
        self.title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.title)
        grid = QGridLayout()
        grid.setSpacing(14)
        self.buttons: dict[Rating, QPushButton] = {}
        for index, rating in enumerate(RATINGS):
            button = QPushButton(rating_text(rating, lang))
            button.setStyleSheet(
                f"QPushButton {{ font-size: 26px; font-weight: bold; color: white; "
                f"min-height: 130px; background: {_COLOURS[rating]}; border: none; "
                f"border-radius: 14px; }} QPushButton:disabled {{ background: #c9ced4; }}"
            )
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, r=rating: vm.rate(r))
            grid.addWidget(button, index // 2, index % 2)
            self.buttons[rating] = button
        layout.addLayout(grid)
        self.thanks = QLabel("")
        self.thanks.setObjectName("field")
        self.thanks.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(self.thanks)
        layout.addStretch(1)
        vm.rating_requested.connect(self._open)
        vm.rating_closed.connect(self._closed)
        self._thanks_timer = QTimer(self)
        self._thanks_timer.setSingleShot(True)
        self._thanks_timer.timeout.connect(self.hide)
        vm.changed.connect(self._refresh)

    def _closed(self, rated: bool) -> None:
        if rated and self.isVisible():
            self.thanks.setText(text("rating_thanks", self.vm.language))
            self._refresh()
            self._thanks_timer.start(THANKS_MS)
        else:
            self.hide()

    def _open(self, _ticket: str) -> None:
        self._thanks_timer.stop()
        lang = self.vm.language
        number = self.vm.rating_number
        title = text("rating_title", lang)
        self.title.setText(f"{title} — {text('ticket_number', lang)} {number}" if number else title)
        self.thanks.setText("")
        self._refresh()
        self.show()

    def _refresh(self) -> None:
        enabled = self.vm.can("rate")
        for button in self.buttons.values():
            button.setEnabled(enabled)
