"""The choosing screens: welcome (departments), fields, search, priority.

Each screen builds its widgets once and ``render(vm)`` refreshes them from the
view-model; taps call view-model actions and nothing else.
"""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLineEdit, QVBoxLayout, QWidget

from kiosk.state import ServiceItem
from kiosk.viewmodel import KioskViewModel
from kiosk.views.style import Metrics
from kiosk.views.widgets import Tile, TileGrid, button, label, set_text

KEY_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def service_tiles(items: list[ServiceItem]) -> list[Tile]:
    return [
        Tile(
            key=i.code,
            title=i.name,
            detail=i.detail,
            enabled=i.open,
            detail_role="detail" if i.open else "closed",
        )
        for i in items
    ]


def _pages(vm: KioskViewModel) -> tuple[str, str]:
    return "◀ " + vm.t("page_previous"), vm.t("page_next") + " ▶"


class _Titled(QWidget):
    """A title, a prompt and a search button above the screen's content."""

    def __init__(self, vm: KioskViewModel, with_search: bool = True) -> None:
        super().__init__()
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(16)
        top = QHBoxLayout()
        self.texts = QVBoxLayout()
        self.texts.setSpacing(4)
        self.title = label("", 44, bold=True, role="title")
        self.prompt = label("", 30)
        self.texts.addWidget(self.title)
        self.texts.addWidget(self.prompt)
        top.addLayout(self.texts, 3)
        self.search = button("", 30, kind="primary", on_click=vm.open_search)
        top.addWidget(self.search, 1, Qt.AlignmentFlag.AlignVCenter)
        if not with_search:  # hide only: showing it before it has a parent opens a window
            self.search.hide()
        self.layout_.addLayout(top)


class WelcomeScreen(_Titled):
    """The site greets the citizen and offers its departments."""

    def __init__(self, vm: KioskViewModel, metrics: Metrics) -> None:
        super().__init__(vm)
        self.grid = TileGrid(
            vm.select_department,
            metrics.columns,
            metrics.rows,
            metrics.tile_height,
            metrics.content_width,
        )
        self.layout_.addWidget(self.grid, 1)
        self.hint = label("", 28, bold=True, role="title")
        # Under the prompt, beside the search button: a row of its own would cost the
        # height that keeps every department on one page when a printer banner is up.
        self.texts.addWidget(self.hint)

    def show_state(self, vm: KioskViewModel) -> None:
        self.title.setText(vm.t("welcome_title"))
        self.prompt.setText(vm.t("welcome_prompt"))
        self.hint.setText("▣ " + vm.t("scan_hint"))
        self.hint.setVisible(vm.scanner_attached and vm.greeting is None)
        set_text(self.search, vm.t("search_button"))
        tiles = [Tile(d.code, d.name, d.detail) for d in vm.departments()]
        self.grid.set_tiles(tiles, *_pages(vm))


class FieldsScreen(_Titled):
    """The fields of one department, each with its live count or its closed reason."""

    def __init__(self, vm: KioskViewModel, metrics: Metrics) -> None:
        super().__init__(vm)
        columns = 1 if metrics.columns <= 2 else 2  # whole names, read at a glance
        self.grid = TileGrid(
            vm.select_service, columns, metrics.rows, metrics.tile_height, metrics.content_width
        )
        self.layout_.addWidget(self.grid, 1)

    def show_state(self, vm: KioskViewModel) -> None:
        self.title.setText(vm.department_name)
        self.prompt.setText(vm.t("fields_prompt"))
        set_text(self.search, vm.t("search_button"))
        self.grid.set_tiles(service_tiles(vm.services()), *_pages(vm))


class SearchScreen(_Titled):
    """Fields by name: an on-screen keyboard (no marks needed) and the matches."""

    def __init__(self, vm: KioskViewModel, metrics: Metrics) -> None:
        super().__init__(vm, with_search=False)
        self.vm = vm
        self.field = QLineEdit()
        self.field.setMinimumHeight(96)
        self.field.setFont(self.prompt.font())
        self.field.textEdited.connect(vm.set_query)
        self.layout_.addWidget(self.field)
        rows = 3 if metrics.columns <= 2 else 2
        columns = 1 if metrics.columns <= 2 else 3
        self.grid = TileGrid(
            vm.select_service, columns, rows, metrics.tile_height - 20, metrics.content_width
        )
        self.layout_.addWidget(self.grid, 1)
        self.empty = label("", 30, bold=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.layout_.addWidget(self.empty)
        self.keys = QGridLayout()
        self.keys.setSpacing(6)  # ten 96 px keys fit the 1024 px of a portrait screen
        for r, row in enumerate(KEY_ROWS):
            for c, key in enumerate(row):
                key_button = button(key.upper(), 34, on_click=partial(self._type, key))
                key_button.setMinimumSize(metrics.key_px, metrics.key_px)
                self.keys.addWidget(key_button, r, c + r)
        self.space = button("", 30, on_click=lambda: self._type(" "))
        self.erase = button("⌫", 34, on_click=self._erase)
        self.clear = button("", 30, on_click=lambda: self._set(""))
        self.keys.addWidget(self.clear, 3, 0, 1, 3)
        self.keys.addWidget(self.space, 3, 3, 1, 5)
        self.keys.addWidget(self.erase, 3, 8, 1, 2)
        self.layout_.addLayout(self.keys)

    def _type(self, key: str) -> None:
        self._set(self.vm.query + key)

    def _erase(self) -> None:
        self._set(self.vm.query[:-1])

    def _set(self, value: str) -> None:
        self.vm.set_query(value)

    def show_state(self, vm: KioskViewModel) -> None:
        self.title.setText(vm.t("search_button"))
        self.prompt.setText(vm.t("search_prompt"))
        self.field.setPlaceholderText(vm.t("search_placeholder"))
        if self.field.text() != vm.query:
            self.field.setText(vm.query)
        self.space.setText(vm.t("search_space"))
        self.clear.setText(vm.t("search_clear"))
        results = vm.search_results() if vm.query.strip() else []
        self.grid.set_tiles(service_tiles(results), *_pages(vm))
        self.empty.setText(vm.t("search_empty") if vm.query.strip() and not results else "")
        self.empty.setVisible(bool(self.empty.text()))


class PriorityScreen(QWidget):
    """Regular number, or one of the site's priority categories."""

    def __init__(self, vm: KioskViewModel, metrics: Metrics) -> None:
        super().__init__()
        self.vm = vm
        self.metrics = metrics
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(20)
        self.service = label("", 40, bold=True, role="title")
        self.title = label("", 36, bold=True)
        self.hint = label("", 28)
        layout.addWidget(self.service)
        layout.addWidget(self.title)
        layout.addWidget(self.hint)
        self.regular = button("", 36, kind="primary", on_click=lambda: vm.choose_priority(None))
        self.regular.setMinimumHeight(metrics.tile_height)
        layout.addWidget(self.regular)
        self.grid = TileGrid(
            vm.choose_priority,
            1 if metrics.columns <= 2 else 2,
            6 if metrics.columns <= 2 else 3,
            metrics.tile_height - 30,
            metrics.content_width,
        )
        layout.addWidget(self.grid, 1)

    def show_state(self, vm: KioskViewModel) -> None:
        self.service.setText(vm.service_name)
        self.title.setText(vm.t("priority_title"))
        self.hint.setText(vm.t("priority_hint"))
        self.regular.setText(vm.t("priority_none"))
        tiles = [
            Tile(c.code, c.name_en if vm.language == "en" else c.name_vi, "")
            for c in vm.priority_categories()
        ]
        self.grid.set_tiles(tiles, *_pages(vm))
        enabled = not vm.busy
        self.regular.setEnabled(enabled)
        self.grid.setEnabled(enabled)
