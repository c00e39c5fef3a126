"""Drawing helpers: text fitted to a box, never clipped, Vietnamese marks included."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath

# Stacked Vietnamese marks (Ầ, Ể, Ỗ) rise above a font's ascent line in some fonts;
# a box is given this share of extra room above the text.
MARK_ROOM = 0.12


def fitted(base: QFont, text: str, width: float, height: float, max_px: float) -> QFont:
    """The largest pixel size (<= max_px) at which ``text`` fits the box."""
    f = QFont(base)
    lo, hi = 4.0, max(4.0, max_px)
    for _ in range(14):
        mid = (lo + hi) / 2
        f.setPixelSize(round(mid))
        m = QFontMetricsF(f)
        if m.horizontalAdvance(text) <= width and m.height() * (1 + MARK_ROOM) <= height:
            lo = mid
        else:
            hi = mid
    f.setPixelSize(max(4, int(lo)))
    return f


def fitted_digits(base: QFont, text: str, width: float, height: float, max_px: float) -> QFont:
    """Like :func:`fitted` for ticket numbers (A-Z, 0-9: no marks, no descenders).

    Only the ink is measured, so a number fills its box; drawn with :func:`draw_digits`.
    The height is that of a digit (a "Q" may dip its tail a little below).
    """
    f = QFont(base)
    lo, hi = 4.0, max(4.0, max_px)
    for _ in range(14):
        mid = (lo + hi) / 2
        f.setPixelSize(round(mid))
        m = QFontMetricsF(f)
        if (
            m.tightBoundingRect(text).width() <= width
            and m.tightBoundingRect("8").height() <= height
        ):
            lo = mid
        else:
            hi = mid
    f.setPixelSize(max(4, int(lo)))
    return f


def draw_digits(  # noqa: PLR0917 - (painter, box, text, font, colour) reads best in order
    painter: QPainter,
    rect: QRectF,
    text: str,
    font: QFont,
    color: QColor,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter,
) -> None:
    """Draw a ticket number with its digits' ink centred vertically in ``rect``."""
    m = QFontMetricsF(font)
    ink = m.tightBoundingRect(text)
    if align & Qt.AlignmentFlag.AlignLeft:
        x = rect.left() - ink.left()
    elif align & Qt.AlignmentFlag.AlignRight:
        x = rect.right() - ink.right()
    else:
        x = rect.center().x() - ink.center().x()
    # Centre on a digit's ink, so a "Q" tail does not lift its ticket above the others.
    baseline = rect.center().y() - m.tightBoundingRect("8").center().y()
    painter.setFont(font)
    painter.setPen(color)
    painter.drawText(QPointF(x, baseline), text)


def draw_text(  # noqa: PLR0917 - (painter, box, text, font, colour) reads best in order
    painter: QPainter,
    rect: QRectF,
    text: str,
    font: QFont,
    color: QColor,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter,
    *,
    elide: bool = False,
) -> None:
    painter.setFont(font)
    painter.setPen(color)
    if elide:
        text = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, rect.width())
    painter.drawText(rect, int(align | Qt.AlignmentFlag.AlignVCenter), text)


def draw_fitted(  # noqa: PLR0917 - (painter, box, text, font, colour) reads best in order
    painter: QPainter,
    rect: QRectF,
    text: str,
    base: QFont,
    color: QColor,
    max_px: float,
    align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignCenter,
) -> QFont:
    f = fitted(base, text, rect.width(), rect.height(), max_px)
    draw_text(painter, rect, text, f, color, align)
    return f


def draw_lines_fitted(  # noqa: PLR0917 - (painter, box, text, font, colour) reads best in order
    painter: QPainter,
    rect: QRectF,
    text: str,
    base: QFont,
    color: QColor,
    max_px: float,
    *,
    min_px: float,
) -> QFont:
    """One left-aligned line if it fits at ``min_px`` or more, else two balanced lines."""
    one = fitted(base, text, rect.width(), rect.height(), max_px)
    words = text.split()
    if one.pixelSize() >= min_px or len(words) < 2:
        draw_text(painter, rect, text, one, color, Qt.AlignmentFlag.AlignLeft)
        return one
    best = min(
        range(1, len(words)),
        key=lambda i: abs(len(" ".join(words[:i])) - len(" ".join(words[i:]))),
    )
    lines = [" ".join(words[:best]), " ".join(words[best:])]
    half = rect.height() / 2
    widest = max(lines, key=lambda line: QFontMetricsF(base).horizontalAdvance(line))
    f = fitted(base, widest, rect.width(), half, max_px)
    for i, line in enumerate(lines):
        box = QRectF(rect.x(), rect.y() + i * half, rect.width(), half)
        draw_text(painter, box, line, f, color, Qt.AlignmentFlag.AlignLeft)
    return f


def panel(painter: QPainter, rect: QRectF, fill: QColor, edge: QColor, radius: float) -> None:
    path = QPainterPath()
    path.addRoundedRect(rect, radius, radius)
    painter.fillPath(path, fill)
    if edge.alpha():
        painter.setPen(edge)
        painter.drawPath(path)


def digit_height(font: QFont) -> float:
    """Height in pixels of a digit ("8") drawn in ``font``: what legibility rules measure."""
    return QFontMetricsF(font).tightBoundingRect("8").height()
