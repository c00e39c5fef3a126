"""The citizen-facing rating window: four large choices after a ticket is finished.

Used when a counter has no rating pad (or alongside it, on a small second screen).
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter.texts import RATINGS, rating_text, text
from counter.viewmodel import CounterViewModel
from server.contract.vocab import Rating

_COLOURS = {
    Rating.VERY_SATISFIED: "#1b7f3b",
    Rating.SATISFIED: "#4c9a2a",
    Rating.NEUTRAL: "#9a6700",
    Rating.UNSATISFIED: "#b3261e",
}


class RatingWindow(QWidget):
    """Shown on ``rating_requested``, hidden on ``rating_closed``."""

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
        title = QLabel(text("rating_title", lang))
        title.setObjectName("title")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        layout.addWidget(title)
        grid = QGridLayout()
        grid.setSpacing(14)
        self.buttons: dict[Rating, QPushButton] = {}
        for index, rating in enumerate(RATINGS):
            button = QPushButton(rating_text(rating, lang))
            button.setMinimumHeight(120)
            button.setStyleSheet(
                f"font-size: 24px; font-weight: bold; color: white; "
                f"background: {_COLOURS[rating]}; border: none; border-radius: 12px;"
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
        vm.rating_requested.connect(self._open)
        vm.rating_closed.connect(self.hide)
        vm.changed.connect(self._refresh)

    def _open(self, _ticket: str) -> None:
        self.thanks.setText("")
        self._refresh()
        self.show()

    def _refresh(self) -> None:
        enabled = self.vm.can("rate")
        for button in self.buttons.values():
            button.setEnabled(enabled)
