"""Building blocks of the kiosk screens: tiles, a paged grid, the QR picture.

Tiles are real buttons (press and release, no hover state that matters) with two
word-wrapped lines: the name and the live detail. Long lists page with big
"previous / next" buttons rather than a thin scroll bar an elderly hand misses.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import qrcode
import qrcode.constants
from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.views.style import MIN_TILE_PX, MIN_TOUCH_PX, font


def label(value: str, px: int, bold: bool = False, role: str = "", wrap: bool = True) -> QLabel:
    widget = QLabel(value)
    widget.setFont(font(px, bold))
    widget.setWordWrap(wrap)
    if role:
        widget.setProperty("role", role)
    return widget


def button(
    value: str, px: int, kind: str = "", on_click: Callable[[], None] | None = None
) -> QPushButton:
    widget = QPushButton(value)
    widget.setFont(font(px, bold=True))
    widget.setMinimumHeight(MIN_TOUCH_PX)
    widget.setMinimumWidth(MIN_TOUCH_PX)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    if kind:
        widget.setProperty("kind", kind)
    if on_click is not None:
        widget.clicked.connect(on_click)
    return widget


def set_text(widget: QPushButton, value: str) -> None:
    """Set a button's words and keep it wide enough for them in either language."""
    widget.setText(value)
    widget.setMinimumWidth(max(MIN_TOUCH_PX, widget.sizeHint().width()))


@dataclass(frozen=True, slots=True)
class Tile:
    key: str
    title: str
    detail: str
    enabled: bool = True  # False: shown greyed with the reason, still tappable for the reason
    detail_role: str = "detail"


class TileButton(QPushButton):
    """A large button with a bold title and a smaller second line."""

    def __init__(self, tile: Tile, height: int, width: int, title_px: int, detail_px: int) -> None:
        super().__init__()
        self.tile = tile
        self.setFixedHeight(max(height, MIN_TOUCH_PX))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        if not tile.enabled:
            self.setProperty("kind", "closed")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 10, 22, 10)
        layout.setSpacing(4)
        self.title = label(tile.title, fit_px(tile.title, title_px, width - 52, 2), bold=True)
        self.detail = label(tile.detail, detail_px, role=tile.detail_role)
        for part in (self.title, self.detail):
            part.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
            part.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            layout.addWidget(part)
        self.detail.setVisible(bool(tile.detail))

    def sizeHint(self) -> QSize:
        return QSize(MIN_TOUCH_PX * 3, self.minimumHeight())


def fit_px(value: str, px: int, width: int, lines: int, smallest: int = 22) -> int:
    """The largest size up to ``px`` at which ``value`` word-wraps into ``lines`` lines.

    Long names ("Department of Agriculture and Environment") shrink a little
    instead of spilling over the line below.
    """
    size = px
    while size > smallest:
        metrics = QFontMetrics(font(size, bold=True))
        box = metrics.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), value)
        if box.height() <= metrics.lineSpacing() * lines:
            break
        size -= 2
    return size


class TileGrid(QWidget):
    """Tiles in pages of ``columns`` x up to ``rows``, with big paging buttons when needed.

    The rows fit the height the screen leaves (a printer banner takes some): tiles
    shrink down to ``MIN_TILE_PX`` before a second page appears, and never spill
    out of sight.
    """

    SPACING = 16

    def __init__(
        self,
        on_pick: Callable[[str], None],
        columns: int,
        rows: int,
        tile_height: int,
        width: int,
    ) -> None:
        super().__init__()
        self._on_pick = on_pick
        self.tile_width = (width - (columns - 1) * self.SPACING) // columns
        self.columns = columns
        self.max_rows = rows
        self.max_tile_height = tile_height
        self.rows = rows
        self.tile_height = tile_height
        self.page = 0
        self._tiles: list[Tile] = []
        self._shown: tuple[Tile, ...] | None = None
        self._labels = ("", "")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(self.SPACING)
        self._grid_host = QWidget()
        self._grid_host.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self._grid = QGridLayout(self._grid_host)
        self._grid.setContentsMargins(0, 0, 0, 0)
        self._grid.setSpacing(self.SPACING)
        self._grid.setAlignment(Qt.AlignmentFlag.AlignTop)
        outer.addWidget(self._grid_host, 1)
        pager = QHBoxLayout()
        pager.setContentsMargins(0, 0, 0, 0)
        self.previous = button("", 30, on_click=lambda: self._turn(-1))
        self.page_label = label("", 28, bold=True)
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next = button("", 30, on_click=lambda: self._turn(1))
        pager.addWidget(self.previous, 2)
        pager.addWidget(self.page_label, 1)
        pager.addWidget(self.next, 2)
        self._pager = QWidget()
        self._pager.setLayout(pager)
        outer.addWidget(self._pager)
        self.buttons: list[TileButton] = []

    def minimumSizeHint(self) -> QSize:
        return QSize(MIN_TOUCH_PX, MIN_TILE_PX)

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    def set_tiles(self, tiles: Sequence[Tile], previous_text: str, next_text: str) -> None:
        tiles = list(tiles)
        if tiles != self._tiles:
            if [t.key for t in tiles] != [t.key for t in self._tiles]:
                self.page = 0
            self._tiles = tiles
        self._labels = (previous_text, next_text)
        self._fit()
        self._render()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit():
            self._render()

    def _fit(self) -> bool:
        """Choose rows and tile height for the current height; True if they changed."""
        height = self.height()
        rows, tile_height = self.max_rows, self.max_tile_height
        if height > 0:
            count = max(1, len(self._tiles))
            needed = -(-count // self.columns)
            rows, tile_height = 1, MIN_TILE_PX
            for candidate in range(min(needed, self.max_rows), 0, -1):
                paged = candidate * self.columns < count
                room = height - (MIN_TOUCH_PX + self.SPACING if paged else 0)
                room -= (candidate - 1) * self.SPACING
                if room // candidate >= MIN_TILE_PX:
                    rows, tile_height = candidate, min(self.max_tile_height, room // candidate)
                    break
        changed = (rows, tile_height) != (self.rows, self.tile_height)
        self.rows, self.tile_height = rows, tile_height
        if changed:
            self._shown = None
        return changed

    def _turn(self, step: int) -> None:
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._render()

    @property
    def pages(self) -> int:
        return max(1, -(-len(self._tiles) // self.per_page))

    def _render(self) -> None:
        self.page = min(self.page, self.pages - 1)
        start = self.page * self.per_page
        shown = tuple(self._tiles[start : start + self.per_page])
        if shown != self._shown:
            self._shown = shown
            while self._grid.count():
                item = self._grid.takeAt(0)
                old = item.widget() if item is not None else None
                if old is not None:
                    # Hidden now: deleteLater() alone leaves the old tile painted under
                    # the new one until the event loop runs (a ghost in a screenshot).
                    old.hide()
                    old.deleteLater()
            self.buttons = []
            title_px, detail_px = (34, 26) if self.columns <= 2 else (30, 24)
            for index, tile in enumerate(shown):
                tile_button = TileButton(
                    tile, self.tile_height, self.tile_width, title_px, detail_px
                )
                tile_button.clicked.connect(lambda _=False, key=tile.key: self._on_pick(key))
                self._grid.addWidget(tile_button, index // self.columns, index % self.columns)
                self.buttons.append(tile_button)
            for column in range(self.columns):
                self._grid.setColumnStretch(column, 1)
        self._pager.setVisible(self.pages > 1)
        self.previous.setText(self._labels[0])
        self.next.setText(self._labels[1])
        self.previous.setEnabled(self.page > 0)
        self.next.setEnabled(self.page < self.pages - 1)
        self.page_label.setText(f"{self.page + 1} / {self.pages}")


def qr_pixmap(data: str, size: int) -> QPixmap:
    """The QR code of ``data`` drawn crisp (whole pixels per module) into ``size`` px."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    modules = len(matrix)
    cell = max(1, size // modules)
    side = cell * modules
    pixmap = QPixmap(side, side)
    pixmap.fill(QColor("white"))
    painter = QPainter(pixmap)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor("black"))
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark:
                painter.drawRect(QRectF(x * cell, y * cell, cell, cell))
    painter.end()
    return pixmap
