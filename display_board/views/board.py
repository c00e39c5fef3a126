"""The whole board: panels placed for a landscape or portrait screen, fed by the view-model.

Placement is computed (not left to a layout manager) so each panel gets the share
of the screen its legibility needs; see docs/display.md for the sizes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from PySide6.QtCore import QRect, QTimer
from PySide6.QtGui import QPainter, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import QWidget

from display_board.viewmodel import BoardViewModel
from display_board.views.lists import CountersPanel, RecentPanel, WaitingPanel
from display_board.views.panels import HeaderPanel, HeroPanel, StatusMark, TickerPanel
from display_board.views.texts import T
from display_board.views.theme import Theme, load_fonts
from server.contract.messages import CallInfo

Layout = Literal["landscape", "portrait"]
SIZES: dict[str, tuple[int, int]] = {"landscape": (1920, 1080), "portrait": (1080, 1920)}
TIME_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def recent_strip(calling: CallInfo | None, recent: list[CallInfo]) -> list[CallInfo]:
    """The recent calls the strip shows: each ticket once, at its newest call, and never
    the ticket already on the big panel (a recall's earlier call included)."""
    seen = {calling.ticket_id} if calling is not None else set()
    out = []
    for call in recent:
        if call.ticket_id not in seen:
            seen.add(call.ticket_id)
            out.append(call)
    return out


class BoardView(QWidget):
    """Reads the view-model on every change; animates only the clock, the blink and the ticker."""

    def __init__(
        self,
        vm: BoardViewModel,
        theme: Theme | None = None,
        layout: Layout = "landscape",
        *,
        clock: Callable[[], datetime] = _utcnow,
        blink_s: float = 6.0,
        animate: bool = True,
    ) -> None:
        super().__init__()
        load_fonts()
        if layout not in SIZES:
            raise ValueError(f"unknown layout {layout!r}: use landscape or portrait")
        self.vm = vm
        self.theme = theme or Theme()
        self.layout_name: Layout = layout
        self.clock = clock
        self.setWindowTitle(T.window_title)
        self.header = HeaderPanel(self.theme, self)
        self.hero = HeroPanel(self.theme, self, blink_s=blink_s)
        self.counters = CountersPanel(self.theme, self)
        self.recent = RecentPanel(self.theme, self)
        self.waiting = WaitingPanel(self.theme, self)
        self.ticker = TickerPanel(self.theme, self)
        self.mark = StatusMark(self.theme, self)
        self.clock_timer = QTimer(self)
        self.clock_timer.setInterval(1000)
        self.clock_timer.timeout.connect(self.update_clock)
        if animate:
            self.clock_timer.start()
            self.ticker.start()
        vm.changed.append(self.refresh)
        vm.flashed.append(self.flash)
        self.resize(*SIZES[layout])
        self.refresh()

    # ---- the view-model's listeners ------------------------------------------------------

    def refresh(self) -> None:
        vm = self.vm
        self.header.site_name = vm.site_name
        self.header.area_name = vm.area_name
        calling = vm.calling
        self.hero.call = calling
        self.hero.placeholder = T.no_call_yet if vm.has_picture else T.waiting_for_data
        self.counters.counters = vm.counters
        self.counters.highlight = calling.counter_id if calling else None
        self.recent.calls = recent_strip(calling, vm.recent)
        self.waiting.waiting = vm.waiting
        self.ticker.set_text(vm.notice or (T.default_notice if vm.has_picture else ""))
        self._refresh_mark()
        self.update_clock()
        for w in (self.hero, self.counters, self.recent, self.waiting):
            w.update()

    def flash(self, call: CallInfo) -> None:
        self.hero.flash(call)
        self.counters.highlight = call.counter_id
        self.counters.update()

    def _refresh_mark(self) -> None:
        mark = self.vm.mark
        if mark is None:
            self.mark.text = ""
            self.mark.hide()
            return
        what = T.connection_lost if mark.kind == "connection" else T.server_offline
        since = f" · {mark.since.astimezone(TIME_ZONE):%H:%M}" if mark.since else ""
        self.mark.text = f"⚠ {what}{since}"
        self.mark.show()
        self.mark.raise_()
        self.mark.update()

    def update_clock(self) -> None:
        self.header.now = self.clock().astimezone(TIME_ZONE)
        self.header.update()

    # ---- placement ---------------------------------------------------------------------------

    @property
    def unit(self) -> float:
        return min(self.width(), self.height()) / 1080

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.place()

    def place(self) -> None:
        u = self.unit
        w, h = self.width(), self.height()
        for panel in (
            self.header,
            self.hero,
            self.counters,
            self.recent,
            self.waiting,
            self.ticker,
            self.mark,
        ):
            panel.u = u
        if self.layout_name == "landscape":
            self._place_landscape(w, h, u)
        else:
            self._place_portrait(w, h, u)
        # Over the notice line's right end: seen at once, hides nothing a visitor needs.
        mark_w, mark_h = round(420 * u), self.ticker.height() - round(16 * u)
        self.mark.setGeometry(
            QRect(w - mark_w - round(16 * u), self.ticker.y() + round(8 * u), mark_w, mark_h)
        )

    def _place_landscape(self, w: int, h: int, u: float) -> None:
        m = round(14 * u)
        header_h, ticker_h = round(100 * u), round(72 * u)
        self.header.setGeometry(0, 0, w, header_h)
        self.ticker.setGeometry(0, h - ticker_h, w, ticker_h)
        inner_w = w - 2 * m
        y = header_h + m
        top_h = round(310 * u)
        hero_w = round(w * 0.56)
        self.hero.setGeometry(m, y, hero_w, top_h)
        self.waiting.setGeometry(2 * m + hero_w, y, w - hero_w - 3 * m, top_h)
        self.waiting.columns = 2
        y += top_h + m
        recent_h = round(72 * u)
        self.recent.setGeometry(m, y, inner_w, recent_h)
        self.recent.items = 6
        y += recent_h + m
        self.counters.setGeometry(m, y, inner_w, h - ticker_h - m - y)
        self.counters.columns = 5

    def _place_portrait(self, w: int, h: int, u: float) -> None:
        m = round(18 * u)
        header_h, ticker_h = round(150 * u), round(84 * u)
        self.header.setGeometry(0, 0, w, header_h)
        self.ticker.setGeometry(0, h - ticker_h, w, ticker_h)
        inner_w = w - 2 * m
        y = header_h + m
        hero_h = round(400 * u)
        self.hero.setGeometry(m, y, inner_w, hero_h)
        y += hero_h + m
        recent_h = round(84 * u)
        self.recent.setGeometry(m, y, inner_w, recent_h)
        self.recent.items = 3
        y += recent_h + m
        waiting_h = round(300 * u)
        counters_h = h - ticker_h - m - waiting_h - m - y
        self.counters.setGeometry(m, y, inner_w, counters_h)
        self.counters.columns = 3
        y += counters_h + m
        self.waiting.setGeometry(m, y, inner_w, waiting_h)
        self.waiting.columns = 2

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.theme.color("background"))
