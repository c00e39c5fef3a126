"""The login page: a PIN at the known counter, or username and password; then the counter.

When the terminal knows its counter (remembered, or ``--counter``) it opens on the
PIN pad: a large masked digit field and on-screen digits big enough for a finger.
A button switches to username and password (and back).
"""

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter.session import LoginViewModel
from counter.texts import counter_title, text
from server.contract.http import CounterOut, LoginOut

PIN_MAX = 8


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
        layout.setContentsMargins(32, 24, 32, 24)
        layout.setSpacing(10)
        title = QLabel(text("login_title", lang))
        title.setObjectName("title")
        layout.addWidget(title)
        self.where = QLabel(f"{vm.settings.site} · {vm.settings.server}")
        self.where.setObjectName("detail")
        layout.addWidget(self.where)

        self.modes = QStackedWidget()
        self.pin_page = self._pin_page()
        self.password_page = self._password_page()
        self.modes.addWidget(self.pin_page)
        self.modes.addWidget(self.password_page)
        layout.addWidget(self.modes)

        layout.addWidget(self._picker())

        self.error = QLabel()
        self.error.setObjectName("message")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)

        self.login_button.clicked.connect(self._submit)
        self.password.returnPressed.connect(self._submit)
        self.username.returnPressed.connect(self.password.setFocus)
        self.pin_button.clicked.connect(self._submit_pin)
        self.pin.returnPressed.connect(self._submit_pin)
        self.to_password.clicked.connect(self.show_password)
        self.to_pin.clicked.connect(self.show_pin)
        self.start_button.clicked.connect(self._start)
        vm.failed.connect(self._failed)
        vm.busy_changed.connect(self._busy)
        vm.logged_in.connect(self._logged_in)
        vm.counters_loaded.connect(self._counters)
        if vm.pin_available:
            self.show_pin()
        else:
            self.show_password()

    # ---- the two ways in ----------------------------------------------------------

    def _pin_page(self) -> QWidget:
        lang = self.vm.settings.language
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        self.pin_label = QLabel()
        self.pin_label.setObjectName("field")
        box.addWidget(self.pin_label)
        self.pin = QLineEdit()
        self.pin.setObjectName("pin")
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setMaxLength(PIN_MAX)
        self.pin.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.pin.setValidator(
            QRegularExpressionValidator(QRegularExpression(f"[0-9]{{0,{PIN_MAX}}}"), self.pin)
        )
        self.pin.setInputMethodHints(
            Qt.InputMethodHint.ImhDigitsOnly | Qt.InputMethodHint.ImhSensitiveData
        )
        self.pin.setPlaceholderText(text("pin", lang))
        box.addWidget(self.pin)
        pad = QGridLayout()
        pad.setSpacing(6)
        self.digits: dict[str, QPushButton] = {}
        keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "erase", "0", "back"]
        for i, key in enumerate(keys):
            label = {"erase": text("erase", lang), "back": "⌫"}.get(key, key)
            button = QPushButton(label)
            button.setObjectName("digit")
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.clicked.connect(lambda _=False, k=key: self._key(k))
            self.digits[key] = button
            pad.addWidget(button, i // 3, i % 3)
        box.addLayout(pad)
        self.pin_button = QPushButton(text("login", lang))
        self.pin_button.setObjectName("primary")
        box.addWidget(self.pin_button)
        self.to_password = QPushButton(text("use_password", lang))
        self.to_password.setObjectName("small")
        box.addWidget(self.to_password)
        return page

    def _password_page(self) -> QWidget:
        lang = self.vm.settings.language
        page = QWidget()
        box = QVBoxLayout(page)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(10)
        form = QFormLayout()
        form.setVerticalSpacing(10)
        self.username = QLineEdit(self.vm.settings.username)
        self.username.setMaxLength(64)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setMaxLength(256)
        form.addRow(text("username", lang), self.username)
        form.addRow(text("password", lang), self.password)
        box.addLayout(form)
        self.login_button = QPushButton(text("login", lang))
        self.login_button.setObjectName("primary")
        box.addWidget(self.login_button)
        self.to_pin = QPushButton(text("use_pin", lang))
        self.to_pin.setObjectName("small")
        self.to_pin.setVisible(self.vm.pin_available)
        box.addWidget(self.to_pin)
        return page

    def show_pin(self) -> None:
        lang = self.vm.settings.language
        counter = f"{text('counter', lang)} {self.vm.settings.counter or ''}".strip()
        self.pin_label.setText(text("pin_at", lang).format(counter=counter))
        self.error.clear()
        self.modes.setCurrentWidget(self.pin_page)
        self.pin.setFocus()

    def show_password(self) -> None:
        self.error.clear()
        self.modes.setCurrentWidget(self.password_page)
        (self.password if self.username.text() else self.username).setFocus()

    @property
    def pin_mode(self) -> bool:
        return self.modes.currentWidget() is self.pin_page

    def _key(self, key: str) -> None:
        if key == "erase":
            self.pin.clear()
        elif key == "back":
            self.pin.backspace()
        elif len(self.pin.text()) < PIN_MAX:
            self.pin.insert(key)
        self.pin.setFocus()

    # ---- after the login ----------------------------------------------------------

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
        """Back to an empty password and PIN after a logout."""
        self.password.clear()
        self.pin.clear()
        self.error.clear()
        self.picker.hide()
        self.modes.show()
        self.login_button.setEnabled(True)
        self.pin_button.setEnabled(True)
        self.to_pin.setVisible(self.vm.pin_available)
        if self.vm.pin_available:
            self.show_pin()

    def _submit(self) -> None:
        self.error.clear()
        self.vm.submit(self.username.text(), self.password.text())

    def _submit_pin(self) -> None:
        self.error.clear()
        self.vm.submit_pin(self.pin.text())

    def _failed(self, message: str) -> None:
        self.error.setText(message)
        if self.pin_mode:
            self.pin.clear()
            self.pin.setFocus()

    def _busy(self, busy: bool) -> None:
        self.login_button.setEnabled(not busy)
        self.pin_button.setEnabled(not busy)

    def _logged_in(self, login: LoginOut) -> None:
        self.password.clear()
        self.pin.clear()
        if self.pin_mode:
            self.modes.hide()  # the pad makes room for the counter list
        self.hello.setText(login.display_name)

    def _counters(self, counters: list[CounterOut]) -> None:
        self.counter.clear()
        for item in counters:
            clerk = f" — {item.clerk}" if item.clerk else ""
            name = counter_title(item.counter.number, item.counter.name, self.vm.settings.language)
            label = f"{name}{clerk}"
            self.counter.addItem(label, item.counter.id)
        chosen = self.vm.default_counter()
        if chosen is not None:
            self.counter.setCurrentIndex(self.counter.findData(chosen))
        self.picker.show()

    def _start(self) -> None:
        counter_id = self.counter.currentData()
        if counter_id:
            self.vm.choose(str(counter_id))
