"""Small forms the clerk fills in: a transfer and a call of a specific number.

They open window-modal without blocking (``open()``), so the event loop, MQTT
updates and tests keep running while one is shown.
"""

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter.texts import counter_title, text
from counter.viewmodel import CounterViewModel

NOTE_MAX = 200


def _buttons(dialog: QDialog, language: str) -> QDialogButtonBox:
    box = QDialogButtonBox()
    ok = box.addButton(text("ok", language), QDialogButtonBox.ButtonRole.AcceptRole)
    ok.setObjectName("ok")
    box.addButton(text("cancel", language), QDialogButtonBox.ButtonRole.RejectRole)
    box.rejected.connect(dialog.reject)
    return box


class TransferDialog(QDialog):
    """Transfer the current ticket to another field or to a named counter, with a note,
    keeping the citizen's original place in line or putting them at the front."""

    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lang = vm.language
        self.vm = vm
        self.setWindowTitle(text("transfer_title", lang))
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        self.by_field = QRadioButton(text("to_field", lang))
        self.by_counter = QRadioButton(text("to_counter", lang))
        group = QButtonGroup(self)
        group.addButton(self.by_field)
        group.addButton(self.by_counter)
        self.by_field.setChecked(True)
        self.field = QComboBox()
        current_service = vm.current.service if vm.current else None
        for code in sorted(vm.services, key=vm.service_name):
            if code != current_service:
                self.field.addItem(f"{vm.service_name(code)} ({code})", code)
        self.counter = QComboBox()
        for item in vm.counters:
            if item.counter.id != vm.counter_id:
                name = counter_title(item.counter.number, item.counter.name, lang)
                self.counter.addItem(name, item.counter.id)
        self.note = QLineEdit()
        self.note.setMaxLength(NOTE_MAX)
        # Where the citizen waits next: preselected as the site's own rule, so the clerk
        # changes it only for an exception (the choice is always sent).
        self.keep_place = QRadioButton(text("keep_place", lang))
        self.to_front = QRadioButton(text("to_front", lang))
        place = QButtonGroup(self)
        place.addButton(self.keep_place)
        place.addButton(self.to_front)
        keep = vm.transfer_keeps_place
        (self.keep_place if keep else self.to_front).setChecked(True)
        places = QHBoxLayout()
        places.addWidget(self.keep_place)
        places.addWidget(self.to_front)
        places.addStretch(1)
        form = QFormLayout()
        form.addRow(self.by_field, self.field)
        form.addRow(self.by_counter, self.counter)
        form.addRow(text("place_in_line", lang), places)
        form.addRow(text("note", lang), self.note)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("message")
        layout.addWidget(self.error)
        box = _buttons(self, lang)
        box.accepted.connect(self._accept)
        layout.addWidget(box)
        self.field.activated.connect(lambda _: self.by_field.setChecked(True))
        self.counter.activated.connect(lambda _: self.by_counter.setChecked(True))

    def choose_field(self, code: str) -> None:
        self.by_field.setChecked(True)
        self.field.setCurrentIndex(self.field.findData(code))

    def _accept(self) -> None:
        combo = self.field if self.by_field.isChecked() else self.counter
        target = combo.currentData()
        if not target:
            self.error.setText(text("need_target", self.vm.language))
            return
        note = self.note.text()
        keep = self.keep_place.isChecked()
        if self.by_field.isChecked():
            self.vm.transfer(to_service=str(target), note=note, keep_place=keep)
        else:
            self.vm.transfer(to_counter=str(target), note=note, keep_place=keep)
        self.accept()


class CallNumberDialog(QDialog):
    """Call a specific waiting or parked number; the reason is required and logged."""

    def __init__(self, vm: CounterViewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        lang = vm.language
        self.vm = vm
        self.setWindowTitle(text("call_title", lang))
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.number = QLineEdit()
        self.number.setMaxLength(64)
        self.reason = QLineEdit()
        self.reason.setMaxLength(NOTE_MAX)
        form.addRow(text("ticket_number", lang), self.number)
        form.addRow(text("reason", lang), self.reason)
        layout.addLayout(form)
        self.error = QLabel()
        self.error.setObjectName("message")
        layout.addWidget(self.error)
        box = _buttons(self, lang)
        box.accepted.connect(self._accept)
        layout.addWidget(box)

    def _accept(self) -> None:
        lang = self.vm.language
        if not self.number.text().strip():
            self.error.setText(text("need_number", lang))
            return
        if not self.reason.text().strip():
            self.error.setText(text("need_reason", lang))
            return
        self.vm.call_number(self.number.text(), self.reason.text())
        self.accept()
