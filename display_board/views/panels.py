"""The board's panels, each a painted widget sized by the board in units ``u``.

``u`` is the short side of the screen divided by 1080, so a 1920×1080 and a
1080×1920 board have ``u = 1`` and a 3840×2160 board ``u = 2``: every size below
is in those units and the picture scales without re-layout.

A panel that fails to paint logs the error and leaves its area blank; an
exception escaping a paint event would leave Qt's painter open and can crash the
process, and the board must run for days.
"""

from __future__ import annotations

import logging
from datetime import datetime

from PySide6.QtCore import QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QFontMetricsF, QPainter, QPaintEvent, QPixmap
from PySide6.QtWidgets import QWidget

from display_board.views.paint import (
    draw_digits,
    draw_fitted,
    draw_lines_fitted,
    draw_text,
    fitted_digits,
    panel,
)
from display_board.views.texts import T, date_vi
from display_board.views.theme import Theme, font
from server.contract.messages import CallInfo

log = logging.getLogger(__name__)
Align = Qt.AlignmentFlag


class Panel(QWidget):
    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.u = 1.0
        self.paint_errors = 0

    def c(self, name: str) -> QColor:
        return self.theme.color(name)

    def box(self) -> QRectF:
        return QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)

    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
            self.paint(p)
        except Exception:
            self.paint_errors += 1
            if self.paint_errors in (1, 10, 100) or self.paint_errors % 1000 == 0:
                log.exception(
                    "%s could not paint (%d times)", type(self).__name__, self.paint_errors
                )
        finally:
            p.end()

    def paint(self, p: QPainter) -> None:
        """Draw the panel; subclasses override."""


class HeaderPanel(Panel):
    """Logo, site and area names on the left; clock and date on the right."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.site_name = ""
        self.area_name = ""
        self.now: datetime | None = None
        self._logo = QPixmap(str(theme.logo)) if theme.logo else QPixmap()

    def paint(self, p: QPainter) -> None:
        u = self.u
        r = QRectF(self.rect())
        p.fillRect(r, self.c("header"))
        x = 28 * u
        if not self._logo.isNull():
            size = round(r.height() - 20 * u)
            logo = self._logo.scaled(
                size,
                size,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.SmoothTransformation,
            )
            p.drawPixmap(round(x), round((r.height() - logo.height()) / 2), logo)
            x += logo.width() + 20 * u
        clock_w = 330 * u
        text_w = r.width() - x - clock_w - 30 * u
        name_h = r.height() * 0.62
        top = QRectF(x, 6 * u, text_w, name_h - 6 * u)
        bottom = QRectF(x, name_h, text_w, r.height() - name_h - 4 * u)
        name_font = font(0, bold=True)
        draw_lines_fitted(
            p, top, self.site_name.upper(), name_font, self.c("text"), 40 * u, min_px=30 * u
        )
        area_font = font(min(34 * u, bottom.height() * 0.8), bold=True)
        draw_text(
            p, bottom, self.area_name, area_font, self.c("accent"), Align.AlignLeft, elide=True
        )
        if self.now is not None:
            right = QRectF(r.width() - clock_w - 24 * u, 2 * u, clock_w, r.height() * 0.64)
            clock_font = font(min(60 * u, right.height() * 0.8), bold=True)
            draw_text(p, right, f"{self.now:%H:%M}", clock_font, self.c("text"), Align.AlignRight)
            below = QRectF(right.x(), right.bottom(), clock_w, r.height() - right.bottom() - 4 * u)
            draw_text(p, below, date_vi(self.now), font(24 * u), self.c("text"), Align.AlignRight)


class HeroPanel(Panel):
    """The newest call, very large: number → counter; blinks for a few seconds when live."""

    TICK_MS = 500

    def __init__(self, theme: Theme, parent: QWidget | None = None, blink_s: float = 6.0) -> None:
        super().__init__(theme, parent)
        self.call: CallInfo | None = None
        self.placeholder = T.waiting_for_data
        self.blink_ticks = max(2, round(blink_s * 1000 / self.TICK_MS))
        self._ticks_left = 0
        self.inverted = False
        self.timer = QTimer(self)
        self.timer.setInterval(self.TICK_MS)
        self.timer.timeout.connect(self.tick)
        self.number_font = font(10)

    @property
    def blinking(self) -> bool:
        return self._ticks_left > 0

    def flash(self, call: CallInfo) -> None:
        """Show a live call and blink it (restarts the blink for a newer call)."""
        self.call = call
        self._ticks_left = self.blink_ticks
        self.inverted = True
        self.timer.start()
        self.update()

    def tick(self) -> None:
        self._ticks_left -= 1
        if self._ticks_left <= 0:
            self._ticks_left = 0
            self.inverted = False
            self.timer.stop()
        else:
            self.inverted = not self.inverted
        self.update()

    def paint(self, p: QPainter) -> None:
        u = self.u
        r = self.box()
        fill = self.c("accent") if self.inverted else self.c("panel")
        ink = self.c("accent_text") if self.inverted else self.c("number")
        label = self.c("accent_text") if self.inverted else self.c("text")
        panel(p, r, fill, self.c("panel_edge"), 18 * u)
        if self.call is None:
            box = r.adjusted(40 * u, 0, -40 * u, 0)
            draw_fitted(p, box, self.placeholder, font(0), self.c("muted"), 44 * u)
            return
        pad = 24 * u
        label_h = 80 * u
        inner = r.adjusted(pad, pad * 0.5, -pad, -pad * 0.5)
        left = QRectF(inner.x(), inner.y(), inner.width() * 0.63, inner.height())
        arrow_w = inner.width() * 0.09
        right = QRectF(
            left.right() + arrow_w,
            inner.y(),
            inner.right() - left.right() - arrow_w,
            inner.height(),
        )
        head, head_en = (
            (T.recall, T.recall_en) if self.call.recall else (T.now_calling, T.now_calling_en)
        )
        for box, vi, en, align in (
            (left, head, head_en, Align.AlignLeft),
            (right, T.to_counter, T.to_counter_en, Align.AlignHCenter),
        ):
            vi_box = QRectF(box.x(), box.y(), box.width(), label_h * 0.58)
            en_box = QRectF(box.x(), vi_box.bottom(), box.width(), label_h * 0.42)
            draw_fitted(p, vi_box, vi, font(0, bold=True), label, 44 * u, align)
            draw_fitted(p, en_box, en, font(0), label, 28 * u, align)
        top = inner.y() + label_h
        body_h = inner.bottom() - top
        number_box = QRectF(left.x(), top + body_h * 0.1, left.width() - 36 * u, body_h * 0.8)
        number = self.call.ticket_number
        self.number_font = fitted_digits(
            font(0, bold=True), number, number_box.width(), number_box.height(), 600 * u
        )
        draw_digits(p, number_box, number, self.number_font, ink, Align.AlignLeft)
        arrow = QRectF(left.right(), number_box.y(), arrow_w, number_box.height())
        draw_fitted(p, arrow, "→", font(0, bold=True), label, 150 * u)
        # Clear of the arrow: a two-digit counter fills its box and would touch it.
        gap = 16 * u
        counter_box = QRectF(
            right.x() + gap, number_box.y(), right.width() - 2 * gap, number_box.height()
        )
        counter = str(self.call.counter_number)
        counter_font = fitted_digits(
            font(0, bold=True), counter, counter_box.width(), counter_box.height(), 600 * u
        )
        if counter_font.pixelSize() > self.number_font.pixelSize():
            counter_font = self.number_font  # the same size as the ticket reads as one line
        draw_digits(p, counter_box, counter, counter_font, ink)


class TickerPanel(Panel):
    """The supervisor's notice, scrolling right to left when it is longer than the screen."""

    STEP_MS = 33

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.text = ""
        self.offset = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(self.STEP_MS)
        self.timer.timeout.connect(self.step)

    def set_text(self, text: str) -> None:
        if text != self.text:
            self.text = text
            self.offset = 0.0
            self.update()

    def start(self) -> None:
        self.timer.start()

    def step(self) -> None:
        if self.text:
            self.offset += 3 * self.u
            self.update()

    def paint(self, p: QPainter) -> None:
        u = self.u
        r = QRectF(self.rect())
        p.fillRect(r, self.c("accent"))
        if not self.text:
            return
        f = font(r.height() * 0.46, bold=True)
        width = QFontMetricsF(f).horizontalAdvance(self.text)
        if width <= r.width() - 60 * u:
            draw_text(p, r, self.text, f, self.c("accent_text"))
            return
        span = width + 160 * u
        x = 40 * u - (self.offset % span)
        while x < r.width():
            box = QRectF(x, 0, width + 4, r.height())
            draw_text(p, box, self.text, f, self.c("accent_text"), Align.AlignLeft)
            x += span


class StatusMark(Panel):
    """A small red mark: "Mất kết nối · 09:12" when the broker (or the server) is lost."""

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(theme, parent)
        self.text = ""

    def paint(self, p: QPainter) -> None:
        if not self.text:
            return
        u = self.u
        r = self.box()
        panel(p, r, self.c("alert"), self.c("text"), 10 * u)
        box = r.adjusted(12 * u, 2 * u, -12 * u, -2 * u)
        draw_fitted(p, box, self.text, font(0, bold=True), self.c("text"), 30 * u)
