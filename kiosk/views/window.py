"""The kiosk's full-screen window: header, banners, the current screen, the nav bar.

The header (site, date, time, language) and the footer ("Quay lại", "Làm lại từ
đầu") are on every screen, so a citizen who is lost always sees the way back.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStackedWidget, QVBoxLayout, QWidget

from kiosk.i18n import format_date, format_time
from kiosk.state import Screen
from kiosk.viewmodel import KioskViewModel
from kiosk.views.checkin_screen import CheckInScreen
from kiosk.views.screens import FieldsScreen, PriorityScreen, SearchScreen, WelcomeScreen
from kiosk.views.style import METRICS, STYLE_SHEET, Orientation
from kiosk.views.ticket import TicketScreen, UnavailableScreen
from kiosk.views.widgets import button, label


class KioskWindow(QWidget):
    """Renders the view-model; every tap goes back to it."""

    def __init__(self, vm: KioskViewModel, orientation: Orientation = Orientation.PORTRAIT) -> None:
        super().__init__()
        self.vm = vm
        self.orientation = orientation
        self.metrics = METRICS[orientation]
        self.setObjectName("kiosk")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(STYLE_SHEET)
        self.setFixedSize(*self.metrics.size)
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._header())
        body = QWidget()
        content = QVBoxLayout(body)
        content.setContentsMargins(28, 20, 28, 20)
        content.setSpacing(16)
        self.greeting = self._banner(28, "greeting")
        self.forget = button("", 28, on_click=self.vm.forget_citizen)
        self.forget.setVisible(False)
        greeting_row = QHBoxLayout()
        greeting_row.setSpacing(16)
        greeting_row.addWidget(self.greeting, 1)
        greeting_row.addWidget(self.forget)
        content.addLayout(greeting_row)
        self.notice = self._banner(28, "notice")
        self.message = self._banner(30, "message")
        self.busy = self._banner(32, "notice")
        for banner in (self.notice, self.message, self.busy):
            content.addWidget(banner)
        self.stack = QStackedWidget()
        self.welcome = WelcomeScreen(vm, self.metrics)
        self.fields = FieldsScreen(vm, self.metrics)
        self.search = SearchScreen(vm, self.metrics)
        self.priority = PriorityScreen(vm, self.metrics)
        self.ticket = TicketScreen(vm, self.metrics, orientation)
        self.unavailable = UnavailableScreen()
        self.checkin = CheckInScreen(vm, self.metrics)
        self.screens: dict[Screen, tuple[QWidget, Callable[[KioskViewModel], None]]] = {
            Screen.WELCOME: (self.welcome, self.welcome.show_state),
            Screen.FIELDS: (self.fields, self.fields.show_state),
            Screen.SEARCH: (self.search, self.search.show_state),
            Screen.PRIORITY: (self.priority, self.priority.show_state),
            Screen.TICKET: (self.ticket, self.ticket.show_state),
            Screen.UNAVAILABLE: (self.unavailable, self.unavailable.show_state),
            Screen.CHECKIN: (self.checkin, self.checkin.show_state),
        }
        for screen, _ in self.screens.values():
            self.stack.addWidget(screen)
        content.addWidget(self.stack, 1)
        root.addWidget(body, 1)
        root.addWidget(self._footer())
        # Staff with a maintenance keyboard: print the last ticket again.
        self.reprint_key = QShortcut(QKeySequence("Ctrl+Shift+P"), self)
        self.reprint_key.activated.connect(vm.reprint_last)
        vm.changed.connect(self.refresh)
        self.installEventFilter(self)
        self.refresh()

    def _banner(self, px: int, role: str) -> QLabel:
        banner = label("", px, bold=True, role=role)
        banner.setVisible(False)
        return banner

    def _header(self) -> QWidget:
        header = QWidget()
        header.setObjectName("header")
        header.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(header)
        row.setContentsMargins(28, 14, 28, 14)
        row.setSpacing(20)
        names = QVBoxLayout()
        self.site = label("", 30, bold=True, role="onbar")
        self.date = label("", 26, role="onbar")
        names.addWidget(self.site)
        names.addWidget(self.date)
        row.addLayout(names, 1)
        self.clock = label("", 52, bold=True, role="onbar", wrap=False)
        row.addWidget(self.clock)
        self.language = button("", 30, kind="bar", on_click=self.vm.toggle_language)
        self.language.setMinimumWidth(230)
        row.addWidget(self.language)
        return header

    def _footer(self) -> QWidget:
        footer = QWidget()
        footer.setObjectName("footer")
        footer.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        row = QHBoxLayout(footer)
        row.setContentsMargins(28, 14, 28, 14)
        row.setSpacing(24)
        self.back = button("", 34, kind="bar", on_click=self.vm.back)
        self.start_over = button("", 34, kind="bar", on_click=self.vm.start_over)
        # On the welcome screen, where there is nothing to go back to, the footer offers
        # those who booked their way in (docs/booking.md); a row of its own would cost the
        # height that keeps every department on one page. A booking's QR scans anywhere.
        self.booked = button("", 34, kind="bar", on_click=self.vm.open_checkin)
        row.addWidget(self.back, 1)
        row.addWidget(self.booked, 1)
        row.addWidget(self.start_over, 1)
        return footer

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Any press anywhere restarts the idle timer (no need for each button to say so)."""
        if event.type() in (QEvent.Type.MouseButtonPress, QEvent.Type.TouchBegin):
            self.vm.touch()
        return super().eventFilter(watched, event)

    def refresh(self) -> None:
        vm = self.vm
        now = vm.local_now()
        self.site.setText(vm.site_name)
        self.date.setText(format_date(now, vm.language))
        self.clock.setText(format_time(now))
        self.language.setText(vm.t("switch_language"))
        self.back.setText("◀ " + vm.t("back"))
        self.start_over.setText("⟲ " + vm.t("start_over"))
        self.booked.setText("▣ " + vm.t("checkin_button"))
        on_welcome = vm.screen is Screen.WELCOME
        self.booked.setVisible(on_welcome)
        self.back.setVisible(not on_welcome)
        self.forget.setText(vm.t("scan_forget"))
        self.forget.setVisible(vm.greeting is not None)
        self.back.setEnabled(vm.screen not in (Screen.WELCOME, Screen.UNAVAILABLE) and not vm.busy)
        self.start_over.setEnabled(not vm.busy)
        self._show(self.greeting, vm.greeting or "")
        notice = vm.printer_notice if vm.screen is not Screen.TICKET else None
        self._show(self.notice, notice or "")
        self.notice.setProperty("role", "blocking" if vm.printer_blocks else "notice")
        self._repolish(self.notice)
        self._show(self.message, vm.message or "")
        self._show(self.busy, vm.t("issuing") if vm.busy else "")
        screen, show_state = self.screens[vm.screen]
        self.stack.setCurrentWidget(screen)
        show_state(vm)

    @staticmethod
    def _show(banner: QLabel, value: str) -> None:
        banner.setText(value)
        banner.setVisible(bool(value))

    @staticmethod
    def _repolish(widget: QWidget) -> None:
        widget.style().unpolish(widget)
        widget.style().polish(widget)
