"""The paged tile grid: every tile reachable, none out of sight, big paging buttons."""

import pytest
from PySide6.QtCore import Qt

from kiosk.views.style import MIN_TILE_PX, MIN_TOUCH_PX, load_fonts
from kiosk.views.widgets import Tile, TileButton, TileGrid, fit_px

pytestmark = pytest.mark.gui


def test_many_tiles_page_and_all_can_be_reached(qtbot):
    load_fonts()
    picked = []
    grid = TileGrid(picked.append, columns=2, rows=8, tile_height=150, width=1000)
    qtbot.addWidget(grid)
    grid.resize(1000, 700)
    grid.show()
    qtbot.waitExposed(grid)
    tiles = [Tile(f"s{i}", f"Lĩnh vực số {i}", "Đang chờ: 0") for i in range(30)]
    grid.set_tiles(tiles, "◀ Trang trước", "Trang sau ▶")
    qtbot.waitUntil(lambda: all(b.isVisible() for b in grid.buttons))
    assert grid.pages > 1
    assert grid.tile_height >= MIN_TILE_PX
    seen = []
    for page in range(grid.pages):
        qtbot.waitUntil(lambda: all(b.isVisible() for b in grid.buttons))
        for b in grid.buttons:
            assert b.visibleRegion().boundingRect().size() == b.size()
        seen += [b.tile.key for b in grid.buttons]
        if page < grid.pages - 1:
            assert grid.next.height() >= MIN_TOUCH_PX
            qtbot.mouseClick(grid.next, Qt.MouseButton.LeftButton)
    assert seen == [t.key for t in tiles]
    qtbot.mouseClick(grid.buttons[0], Qt.MouseButton.LeftButton)
    assert picked == [seen[-len(grid.buttons)]]


def test_few_tiles_need_no_pager(qtbot):
    grid = TileGrid(lambda _key: None, columns=4, rows=4, tile_height=150, width=1800)
    qtbot.addWidget(grid)
    grid.resize(1800, 700)
    grid.show()
    grid.set_tiles([Tile("a", "A", "")], "<", ">")
    assert grid.pages == 1
    assert not grid.next.isVisible()


def test_long_names_shrink_to_two_lines():
    load_fonts()
    name = "Ban Quản lý các khu chế xuất và công nghiệp thành phố Hồ Chí Minh"
    assert fit_px(name, 34, 400, 2) < 34
    assert fit_px("Hộ tịch", 34, 400, 2) == 34


def test_the_tiles_of_the_last_page_are_gone_at_once(qtbot):
    """A screenshot (or a paint) right after a change shows no tile of the old page
    behind the new ones: they hide at once, not when the event loop deletes them."""
    load_fonts()
    grid = TileGrid(lambda _key: None, columns=4, rows=4, tile_height=150, width=1800)
    qtbot.addWidget(grid)
    grid.resize(1800, 700)
    grid.show()
    qtbot.waitExposed(grid)
    grid.set_tiles([Tile(f"d{i}", f"Sở số {i}", "") for i in range(16)], "<", ">")
    qtbot.waitUntil(lambda: all(b.isVisible() for b in grid.buttons))
    grid.set_tiles([Tile("tp", "Sở Tư pháp", "Đang chờ: 4")], "<", ">")
    assert not [b for b in grid.findChildren(TileButton) if b.isVisible()]
    qtbot.waitUntil(lambda: all(b.isVisible() for b in grid.buttons))
    shown = [b for b in grid.findChildren(TileButton) if b.isVisible()]
    assert [b.tile.key for b in shown] == ["tp"]
