"""The check-in screen: the booking code on a big digit pad, and the invitation to scan.

A citizen who booked an appointment comes here from the welcome screen's button; a scan
of the booking's QR code works on any screen, a scan of the ID card that booked works
here. The screen only renders ``vm.checkin`` and calls it back.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QVBoxLayout, QWidget

from kiosk.viewmodel import KioskViewModel
from kiosk.views.style import Metrics
from kiosk.views.widgets import button, label, set_text

PAD = ("123", "456", "789")


class CheckInScreen(QWidget):
    """Scan, or type the eight digits and tap "Nhận số"."""

    def __init__(self, vm: KioskViewModel, metrics: Metrics) -> None:
        super().__init__()
        self.vm = vm
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(18)
        self.title = label("", 44, bold=True, role="title")
        self.prompt = label("", 30)
        layout.addWidget(self.title)
        layout.addWidget(self.prompt)
        self.code = label("", 72, bold=True, role="title", wrap=False)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.code.setAccessibleName("booking code")
        layout.addWidget(self.code)
        pad = QGridLayout()
        pad.setSpacing(12)
        wide = metrics.size[0] > metrics.size[1]  # landscape: less height for the pad
        key_px = metrics.key_px if wide else metrics.key_px + 24
        for r, row in enumerate(PAD):
            for c, digit in enumerate(row):
                key = button(digit, 44, on_click=partial(vm.checkin.type, digit))
                key.setMinimumSize(key_px * 2, key_px)
                pad.addWidget(key, r, c)
        self.clear = button("", 30, on_click=vm.checkin.clear)
        zero = button("0", 44, on_click=partial(vm.checkin.type, "0"))
        self.erase = button("⌫", 44, on_click=vm.checkin.erase)
        for c, key in enumerate((self.clear, zero, self.erase)):
            key.setMinimumSize(key_px * 2, key_px)
            pad.addWidget(key, 3, c)
        holder = QWidget()
        holder.setLayout(pad)
        layout.addWidget(holder, 0, Qt.AlignmentFlag.AlignHCenter)
        self.submit = button("", 40, kind="primary", on_click=vm.checkin.submit_code)
        self.submit.setMinimumHeight(metrics.key_px + 10 if wide else metrics.tile_height - 40)
        layout.addWidget(self.submit)
        layout.addStretch(1)

    def show_state(self, vm: KioskViewModel) -> None:
        part = vm.checkin
        self.title.setText(vm.t("checkin_title"))
        self.prompt.setText(vm.t("checkin_busy") if part.busy else vm.t("checkin_prompt"))
        self.code.setText(part.shown_code)
        set_text(self.clear, vm.t("checkin_clear"))
        set_text(self.submit, vm.t("checkin_submit"))
        self.submit.setEnabled(part.complete and not part.busy)
