"""The board's three list panels: every counter of the zone, the recent calls, and
the people waiting per field. Sized in units ``u`` like every panel (see ``panels``)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter
from PySide6.QtWidgets import QWidget

from display_board.views.paint import (
    FittedName,
    draw_digits,
    draw_fitted,
    draw_name,
    draw_text,
    fit_names,
    fitted_digits,
    panel,
)
from display_board.views.panels import Panel
from display_board.views.texts import T, counter_state_text
from display_board.views.theme import Theme, font
from server.contract.messages import CallInfo, CounterView, ServiceWaiting
from server.contract.vocab import CounterState

log = logging.getLogger(__name__)
Align = Qt.AlignmentFlag


class CountersPanel(Panel):
    """The current number at every counter of the area; closed and paused counters dimmed."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.counters: list[CounterView] = []
        self.highlight: str | None = None
        self.columns = 5
        self.number_font = font(10)

    def grid(self) -> tuple[int, int]:
        n = max(1, len(self.counters))
        cols = min(self.columns, n)
        return cols, -(-n // cols)

    def paint(self, p: QPainter) -> None:
        u = self.u
        r = self.box()
        title_h = 42 * u
        title = QRectF(r.x() + 6 * u, r.y(), r.width(), title_h)
        draw_fitted(
            p, title, T.counters_title, font(0, bold=True), self.c("muted"), 28 * u, Align.AlignLeft
        )
        if not self.counters:
            return
        cols, rows = self.grid()
        gap = 10 * u
        area = QRectF(r.x(), r.y() + title_h, r.width(), r.height() - title_h)
        cw = (area.width() - gap * (cols - 1)) / cols
        ch = (area.height() - gap * (rows - 1)) / rows
        label_h = min(38 * u, ch * 0.28)
        # One size for the whole grid, fitted to its widest ticket, so the grid reads evenly.
        probe = font(100, bold=True, condensed=True)
        metrics = QFontMetricsF(probe)
        tickets = [c.current_ticket for c in self.counters if c.current_ticket] + ["0000"]
        widest = max(tickets, key=lambda t: metrics.tightBoundingRect(t).width())
        self.number_font = fitted_digits(probe, widest, cw - 56 * u, (ch - label_h) * 0.72, 220 * u)
        for i, counter in enumerate(self.counters):
            row, col = divmod(i, cols)
            cell = QRectF(area.x() + col * (cw + gap), area.y() + row * (ch + gap), cw, ch)
            self._cell(p, cell, counter, label_h)

    def _cell(self, p: QPainter, cell: QRectF, counter: CounterView, label_h: float) -> None:
        u = self.u
        open_ = counter.state == CounterState.OPEN
        lit = open_ and counter.id == self.highlight
        # A closed or paused cell sinks into the background: dimmed, its text still 4.5:1.
        fill = self.c("accent") if lit else self.c("panel" if open_ else "background")
        panel(p, cell, fill, self.c("panel_edge"), 12 * u)
        label_color = self.c("accent_text") if lit else self.c("text" if open_ else "closed")
        label = QRectF(cell.x() + 12 * u, cell.y() + 4 * u, cell.width() - 24 * u, label_h)
        name = f"{T.counter} {counter.number}"
        label_font = font(min(30 * u, label_h * 0.8), bold=True)
        draw_text(p, label, name, label_font, label_color, Align.AlignLeft)
        # What the site adds to the name ("Quầy 1 - Ưu tiên" -> "Ưu tiên"), smaller, on the right.
        extra = counter.name.removeprefix(name).strip(" -–·")
        if extra:
            name_w = QFontMetricsF(label_font).horizontalAdvance(name) + 12 * u
            tag = label.adjusted(name_w, 0, 0, 0)
            tag_font = font(min(24 * u, label_h * 0.62))
            draw_text(p, tag, extra, tag_font, label_color, Align.AlignRight, elide=True)
        body = QRectF(
            cell.x() + 10 * u,
            label.bottom(),
            cell.width() - 20 * u,
            cell.bottom() - label.bottom() - 6 * u,
        )
        if open_ and counter.current_ticket:
            ink = self.c("accent_text") if lit else self.c("number")
            draw_digits(p, body, counter.current_ticket, self.number_font, ink)
        else:
            text = counter_state_text(counter.state)
            box = self.state_box(cell, body)
            draw_fitted(p, box, text, font(0, bold=True), self.c("closed"), self.state_px(body))

    def state_box(self, cell: QRectF, body: QRectF) -> QRectF:
        """Where "Quầy đóng" / "Tạm nghỉ" goes: clear of the cell's edges on both sides."""
        pad = max(14 * self.u, cell.width() * 0.08)
        return QRectF(cell.x() + pad, body.y(), cell.width() - 2 * pad, body.height())

    def state_px(self, body: QRectF) -> float:
        """A state word is smaller than a number: it says why the cell is empty, no more."""
        return min(body.height() * 0.4, 44 * self.u)


class RecentPanel(Panel):
    """A strip of the last calls before the one on the hero, newest first: "1047 → 2"."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.calls: list[CallInfo] = []
        self.items = 5
        self.number_font = font(10)

    def paint(self, p: QPainter) -> None:
        u = self.u
        r = self.box()
        panel(p, r, self.c("panel"), self.c("panel_edge"), 14 * u)
        inner = r.adjusted(18 * u, 6 * u, -18 * u, -6 * u)
        title_w = 190 * u
        vi = QRectF(inner.x(), inner.y(), title_w, inner.height() * 0.58)
        en = QRectF(inner.x(), vi.bottom(), title_w, inner.height() * 0.42)
        draw_fitted(
            p, vi, T.recent_title, font(0, bold=True), self.c("muted"), 30 * u, Align.AlignLeft
        )
        draw_fitted(p, en, T.recent_title_en, font(0), self.c("muted"), 22 * u, Align.AlignLeft)
        strip = inner.adjusted(title_w + 16 * u, 0, 0, 0)
        n = max(1, self.items)
        item_w = strip.width() / n
        number_w = item_w * 0.56
        probe = font(100, bold=True, condensed=True)
        metrics = QFontMetricsF(probe)
        tickets = [c.ticket_number for c in self.calls[:n]] + ["0000"]
        widest = max(tickets, key=lambda t: metrics.tightBoundingRect(t).width())
        self.number_font = fitted_digits(probe, widest, number_w, strip.height() * 0.6, 90 * u)
        counter_font = font(min(strip.height() * 0.42, 34 * u), bold=True)
        for i, call in enumerate(self.calls[:n]):
            x = strip.x() + i * item_w
            if i:
                p.setPen(self.c("panel_edge"))
                p.drawLine(QPointF(x - 6 * u, strip.top()), QPointF(x - 6 * u, strip.bottom()))
            number = QRectF(x, strip.y(), number_w, strip.height())
            gap = 10 * u
            counter = QRectF(
                number.right() + gap, strip.y(), item_w - number_w - gap, strip.height()
            )
            draw_digits(
                p, number, call.ticket_number, self.number_font, self.c("number"), Align.AlignLeft
            )
            label = f"→ {call.counter_number}"
            draw_text(p, counter, label, counter_font, self.c("text"), Align.AlignLeft)


class WaitingPanel(Panel):
    """How many people wait for each field of the area.

    A field's name is never cut while the panel has room: a long one ("Thu, cấp sổ bảo
    hiểm xã hội, thẻ bảo hiểm y tế") goes on two lines or in smaller type (condensed,
    down to ``MIN_NAME_PX`` units), and only past that is it elided.
    """

    MIN_NAME_PX = 17
    TITLE_H = 48

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.waiting: list[ServiceWaiting] = []
        self.columns = 1

    def rows(self) -> list[tuple[QRectF, QRectF, FittedName]]:
        """For each field: the box of its name, the box of its count, its fitted name."""
        u = self.u
        inner = self.box().adjusted(18 * u, 4 * u, -18 * u, -8 * u)
        if not self.waiting:
            return []
        cols = max(1, self.columns)
        per_col = -(-len(self.waiting) // cols)
        area = inner.adjusted(0, self.TITLE_H * u, 0, 0)
        col_gap = 32 * u
        col_w = (area.width() - col_gap * (cols - 1)) / cols
        row_h = min(area.height() / per_col, 64 * u)
        max_px = min(row_h * 0.56, 32 * u)
        count_w = 64 * u
        base = font(0, condensed=True)
        boxes = []
        for i in range(len(self.waiting)):
            col, row_i = divmod(i, per_col)
            row = QRectF(area.x() + col * (col_w + col_gap), area.y() + row_i * row_h, col_w, row_h)
            name = QRectF(row.x(), row.y(), row.width() - count_w - 8 * u, row.height())
            count = QRectF(row.right() - count_w, row.y(), count_w, row.height())
            boxes.append((name, count))
        names = [item.name_vi for item in self.waiting]
        width, height = boxes[0][0].width(), boxes[0][0].height()
        fits = fit_names(base, names, width, height, max_px, self.MIN_NAME_PX * u)
        return [(name, count, fit) for (name, count), fit in zip(boxes, fits, strict=True)]

    def paint(self, p: QPainter) -> None:
        u = self.u
        r = self.box()
        panel(p, r, self.c("panel"), self.c("panel_edge"), 18 * u)
        inner = r.adjusted(18 * u, 4 * u, -18 * u, -8 * u)
        title = QRectF(inner.x(), inner.y(), inner.width(), self.TITLE_H * u)
        draw_fitted(
            p, title, T.waiting_title, font(0, bold=True), self.c("muted"), 28 * u, Align.AlignLeft
        )
        rows = self.rows()
        if not rows:
            return
        row_h = rows[0][1].height()
        count_font = font(min(row_h * 0.72, 40 * u), bold=True)
        for item, (name, count, fit) in zip(self.waiting, rows, strict=True):
            draw_name(p, name, fit, self.c("text"))
            color = self.c("number") if item.waiting else self.c("closed")
            draw_text(p, count, str(item.waiting), count_font, color, Align.AlignRight)
