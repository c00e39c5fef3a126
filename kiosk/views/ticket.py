"""The ticket screen (the number, big, with its QR code) and the unavailable screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.i18n import format_time
from kiosk.state import PrintState
from kiosk.viewmodel import KioskViewModel
from kiosk.views.style import Metrics, Orientation
from kiosk.views.widgets import button, label, qr_pixmap
from server.contract.places import counter_list
from server.contract.waits import wait_text


class TicketScreen(QWidget):
    """What the citizen reads (and photographs if the paper did not come out)."""

    def __init__(self, vm: KioskViewModel, metrics: Metrics, orientation: Orientation) -> None:
        super().__init__()
        self.metrics = metrics
        self._qr_for = ""
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(18)
        card = QWidget()
        card.setObjectName("ticketCard")
        direction = (
            QBoxLayout.Direction.TopToBottom
            if orientation is Orientation.PORTRAIT
            else QBoxLayout.Direction.LeftToRight
        )
        body = QBoxLayout(direction, card)
        body.setContentsMargins(36, 28, 36, 28)
        body.setSpacing(28)
        body.addLayout(self._facts(metrics), 3)
        qr_box = self._qr_column(metrics)
        body.addLayout(qr_box, 2)
        outer.addWidget(card, 1)
        self.status = label("", 30, bold=True, role="notice")
        self.reprint = button("", 32, on_click=vm.reprint_last)
        self.done = button("", 36, kind="primary", on_click=vm.finish)
        if orientation is Orientation.PORTRAIT:
            outer.addWidget(self.status)
            actions = QHBoxLayout()
            actions.addWidget(self.reprint, 1)
            actions.addWidget(self.done, 2)
            outer.addLayout(actions)
        else:  # landscape: under the QR code, so the number keeps its height
            qr_box.addWidget(self.status)
            actions = QHBoxLayout()
            actions.setSpacing(16)
            actions.addWidget(self.reprint, 1)
            actions.addWidget(self.done, 1)
            qr_box.addLayout(actions)

    def _facts(self, metrics: Metrics) -> QVBoxLayout:
        """The number, big, and what the citizen needs to know about it."""
        facts = QVBoxLayout()
        facts.setSpacing(10)
        self.heading = label("", 36, bold=True)
        self.heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number = label("", metrics.number_px, bold=True, role="number", wrap=False)
        self.number.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.number.setMinimumHeight(int(metrics.number_px * 1.45))
        facts.addWidget(self.heading)
        facts.addWidget(self.number)
        facts.addSpacing(12)
        self.service = label("", 38, bold=True)
        self.department = label("", 28)
        self.priority = label("", 30, bold=True, role="closed")
        self.ahead = label("", 32)
        self.wait = label("", 32)
        self.counters = label("", 32)
        self.call = label("", 28, bold=True)
        self.issued = label("", 26)
        for part in (
            self.service,
            self.department,
            self.priority,
            self.ahead,
            self.wait,
            self.counters,
            self.call,
            self.issued,
        ):
            facts.addWidget(part)
        facts.addStretch(1)
        return facts

    def _qr_column(self, metrics: Metrics) -> QVBoxLayout:
        """The QR code at a fixed size (a squeezed one loses its quiet zone under the
        caption and no phone reads it), its caption under it, then the rest."""
        column = QVBoxLayout()
        column.setSpacing(14)
        self.qr = label("", 20, wrap=False)
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr.setFixedSize(metrics.qr_px, metrics.qr_px)
        self.qr_caption = label("", 26)
        self.qr_caption.setAlignment(Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.qr, 0, Qt.AlignmentFlag.AlignCenter)
        column.addWidget(self.qr_caption)
        column.addStretch(1)
        return column

    def show_state(self, vm: KioskViewModel) -> None:
        ticket = vm.ticket
        if ticket is None:
            return
        en = vm.language == "en"
        self.heading.setText(vm.t("ticket_title"))
        self.number.setText(ticket.number)
        self.service.setText(ticket.service_name_en if en else ticket.service_name_vi)
        self.department.setText(ticket.department_name_en if en else ticket.department_name_vi)
        category = vm.priority_name(ticket.priority)
        self.priority.setText(vm.t("ticket_priority", category=category) if category else "")
        self.priority.setVisible(category is not None)
        self.ahead.setText(vm.t("ticket_ahead", count=ticket.people_ahead))
        wait = wait_text(
            ticket.estimated_wait_s,
            low_s=ticket.estimated_wait_low_s,
            high_s=ticket.estimated_wait_high_s,
            counters_open=ticket.counters_open,
            first_call_after=ticket.first_call_after,
            language=vm.language,
            time_zone=vm.local_now().tzinfo or "Asia/Ho_Chi_Minh",
        )
        self.wait.setText(vm.t("ticket_wait", wait=wait))
        counters = counter_list(ticket.counters)
        if counters and ticket.area:
            where = vm.t("ticket_area", area=ticket.area, counters=counters)
        else:
            where = vm.t("ticket_counters", counters=counters) if counters else ""
        self.counters.setText(where)
        self.counters.setVisible(bool(where))
        self.call.setText(vm.t("ticket_call"))
        issued = ticket.issued_at.astimezone(vm.local_now().tzinfo)
        self.issued.setText(f"{format_time(issued)} · {vm.site_name}")
        if self._qr_for != ticket.track_url:
            self._qr_for = ticket.track_url
            self.qr.setPixmap(qr_pixmap(ticket.track_url, self.metrics.qr_px))
        self.qr_caption.setText(vm.t("ticket_qr"))
        state = vm.print_state
        failure = vm.print_failure
        if failure:
            self.status.setText(failure)
            self.status.setProperty("role", "blocking")
        else:
            key = "ticket_printed" if state is PrintState.PRINTED else "ticket_printing"
            self.status.setText(vm.t(key))
            self.status.setProperty("role", "notice")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        self.reprint.setText(vm.t("reprint"))
        self.reprint.setVisible(state is PrintState.FAILED)
        self.done.setText(vm.t("done"))


class UnavailableScreen(QWidget):
    """ "Tạm thời gián đoạn": shown while the server does not answer; goes away by itself."""

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(40, 80, 40, 40)
        layout.setSpacing(36)
        self.title = label("", 64, bold=True, role="title")
        self.body = label("", 36)
        self.pending = label("", 32, bold=True, role="notice")
        self.retry = label("", 30)
        self.detail = label("", 22)
        for part in (self.title, self.body, self.pending, self.retry, self.detail):
            part.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(part)
        layout.addStretch(1)

    def show_state(self, vm: KioskViewModel) -> None:
        self.title.setText(vm.t("unavailable_title"))
        self.body.setText(vm.t("unavailable_body"))
        self.pending.setText(vm.t("unavailable_pending"))
        self.pending.setVisible(vm.has_pending)
        self.retry.setText(vm.t("unavailable_retrying", seconds=vm.retry_in_s()))
        self.detail.setText(vm.problem or "")
        self.detail.setVisible(vm.problem is not None)
