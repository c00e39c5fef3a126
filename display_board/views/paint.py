"""Drawing helpers: text fitted to a box, never clipped, Vietnamese marks included."""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPainterPath

# Stacked Vietnamese marks (Ầ, Ể, Ỗ) rise above a font's ascent line in some fonts;
# a box is given this share of extra room above the text.
MARK_ROOM = 0.12
# A name split in two breaks after a comma when its wider line is at most this much
# wider than the narrowest split's.
COMMA_SLACK = 1.4


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


@dataclass(frozen=True)
class FittedName:
    """A name laid out for its box: one or two lines at one size, elided only as a last
    resort (a name too long even for two lines at the smallest size)."""

    lines: tuple[str, ...]
    font: QFont
    elided: bool = False


def _best_split(words: list[str], metrics: QFontMetricsF) -> tuple[str, str]:
    """Two lines whose wider one is narrowest, but a break after a comma ("Thương mại, /
    xúc tiến thương mại") when it costs little: it never splits a two-syllable word."""

    def widest(i: int) -> float:
        first, second = " ".join(words[:i]), " ".join(words[i:])
        return max(metrics.horizontalAdvance(first), metrics.horizontalAdvance(second))

    splits = range(1, len(words))
    best = min(splits, key=widest)
    at_comma = [i for i in splits if words[i - 1].endswith(",")]
    if at_comma:
        comma = min(at_comma, key=widest)
        if widest(comma) <= widest(best) * COMMA_SLACK:
            best = comma
    return " ".join(words[:best]), " ".join(words[best:])


def _top(max_px: float) -> int:
    """The largest whole size :func:`fitted` returns for a text that fits at ``max_px``."""
    return max(4, math.ceil(max_px) - 1)


def fit_name(  # noqa: PLR0917 - the box and its three sizes read best in order
    base: QFont, text: str, width: float, height: float, max_px: float, min_px: float
) -> FittedName:
    """Fit a field's name: one line at ``max_px`` if it fits; else whichever of one smaller
    line or two lines is larger, never below ``min_px``; two elided lines only when even
    ``min_px`` cannot hold it."""
    one = fitted(base, text, width, height, max_px)
    words = text.split()
    if one.pixelSize() >= _top(max_px) or len(words) < 2:
        return FittedName((text,), one, elided=one.pixelSize() < min_px)
    probe = QFont(base)
    probe.setPixelSize(round(max_px))
    lines = _best_split(words, QFontMetricsF(probe))
    widest = max(lines, key=QFontMetricsF(probe).horizontalAdvance)
    # Two lines share the box's height; the marks of the second may use the first's
    # descender room, so no extra mark room is asked between them.
    two = fitted(base, widest, width, height / 2 * (1 + MARK_ROOM), max_px)
    if one.pixelSize() >= two.pixelSize() and one.pixelSize() >= min_px:
        return FittedName((text,), one)
    if two.pixelSize() >= min_px:
        return FittedName(lines, two)
    small = QFont(base)
    small.setPixelSize(max(4, round(min_px)))
    metrics = QFontMetricsF(small)
    elided = tuple(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width) for line in lines)
    return FittedName(elided, small, elided=True)


def fit_names(  # noqa: PLR0917 - the box and its three sizes read best in order
    base: QFont, texts: list[str], width: float, height: float, max_px: float, min_px: float
) -> list[FittedName]:
    """Fit names shown as one list in at most two sizes, so the list reads evenly: those
    that fit on one line at ``max_px`` keep it; the others share the smallest size any of
    them needs, each on one line if it fits at that size, else on two."""
    fits = [fit_name(base, t, width, height, max_px, min_px) for t in texts]
    top = _top(max_px)
    shrunk = [f.font.pixelSize() for f in fits if f.font.pixelSize() < top]
    if not shrunk:
        return fits
    px = min(shrunk)
    return [
        f if f.font.pixelSize() >= top else fit_name(base, t, width, height, px, min_px)
        for t, f in zip(texts, fits, strict=True)
    ]


def draw_name(painter: QPainter, rect: QRectF, name: FittedName, color: QColor) -> None:
    """Draw a :func:`fit_name` result left-aligned, its lines centred as a block."""
    if len(name.lines) == 1:
        draw_text(painter, rect, name.lines[0], name.font, color, Qt.AlignmentFlag.AlignLeft)
        return
    line_h = QFontMetricsF(name.font).height()
    top = rect.center().y() - line_h * len(name.lines) / 2
    for i, line in enumerate(name.lines):
        box = QRectF(rect.x(), top + i * line_h, rect.width(), line_h)
        draw_text(painter, box, line, name.font, color, Qt.AlignmentFlag.AlignLeft)


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
