"""The login page: username and password, then the counter (the remembered one first)."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter.session import LoginViewModel
from counter.texts import text
from server.contract.http import CounterOut, LoginOut


class LoginView(QWidget):
    """Renders ``LoginViewModel``; the terminal opens when it emits ``ready``."""

    def __init__(self, vm: LoginViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.vm = vm
        lang = vm.settings.language
        self.setObjectName("login")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        outer = QHBoxLayout(self)
        outer.addStretch(1)
        card = QFrame()
        card.setObjectName("card")
        card.setMinimumWidth(560)
        outer.addWidget(card, 0, Qt.AlignmentFlag.AlignVCenter)
        outer.addStretch(1)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(32, 28, 32, 28)
        layout.setSpacing(12)
        title = QLabel(text("login_title", lang))
        title.setObjectName("title")
        layout.addWidget(title)
        self.where = QLabel(f"{vm.settings.site} · {vm.settings.server}")
        self.where.setObjectName("detail")
        layout.addWidget(self.where)

        form = QFormLayout()
        form.setVerticalSpacing(10)
        self.username = QLineEdit(vm.settings.username)
        self.username.setMaxLength(64)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(256)
        form.addRow(text("username", lang), self.username)
        form.addRow(text("password", lang), self.password)
        layout.addLayout(form)
        self.login_button = QPushButton(text("login", lang))
        self.login_button.setObjectName("primary")
        layout.addWidget(self.login_button)

        layout.addWidget(self._picker())

        self.error = QLabel()
        self.error.setObjectName("message")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)

        self.login_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.start_button.clicked.connect(self._start)
        vm.failed.connect(self.error.setText)
        vm.busy_changed.connect(lambda busy: self.login_button.setEnabled(not busy))
        vm.logged_in.connect(self._logged_in)
        vm.counters_loaded.connect(self._counters)

    def _picker(self) -> QWidget:
        lang = self.vm.settings.language
        self.picker = QWidget()
        pick = QVBoxLayout(self.picker)
        pick.setContentsMargins(0, 8, 0, 0)
        self.hello = QLabel()
        self.hello.setObjectName("field")
        pick.addWidget(self.hello)
        pick_form = QFormLayout()
        self.counter = QComboBox()
        pick_form.addRow(text("pick_counter", lang), self.counter)
        pick.addLayout(pick_form)
        self.start_button = QPushButton(text("start_work", lang))
        self.start_button.setObjectName("primary")
        pick.addWidget(self.start_button)
        self.picker.hide()
        return self.picker

    def reset(self) -> None:
        """Back to an empty password after a logout."""
        self.password.clear()
        self.error.clear()
        self.picker.hide()
        self.login_button.setEnabled(True)

    def _submit(self) -> None:
        self.error.clear()
        self.vm.submit(self.username.text(), self.password.text())

    def _logged_in(self, login: LoginOut) -> None:
        self.password.clear()
        self.hello.setText(login.display_name)

    def _counters(self, counters: list[CounterOut]) -> None:
        self.counter.clear()
        for item in counters:
            clerk = f" — {item.clerk}" if item.clerk else ""
            label = f"{item.counter.name}{clerk}"
            self.counter.addItem(label, item.counter.id)
        chosen = self.vm.default_counter()
        if chosen is not None:
            self.counter.setCurrentIndex(self.counter.findData(chosen))
        self.picker.show()

    def _start(self) -> None:
        counter_id = self.counter.currentData()
        if counter_id:
            self.vm.choose(str(counter_id))
