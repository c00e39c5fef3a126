"""Render the documentation screenshots of the board from the demo centre's zone A.

QT_QPA_PLATFORM=offscreen python -m tests.display_board.screenshots [docs/img]
"""

import sys
from datetime import timedelta
from pathlib import Path

from PySide6.QtWidgets import QApplication

from appkit.mqtt_state import ConnectionState
from display_board.viewmodel import BoardViewModel
from display_board.views.board import BoardView
from tests.display_board.samples import AREA, SITE, T0, area_snapshot, demo_snapshot

SHOTS = (
    ("display-landscape.png", "landscape", (1920, 1080), False, AREA),
    ("display-portrait.png", "portrait", (1080, 1920), False, AREA),
    ("display-landscape-4k.png", "landscape", (3840, 2160), False, AREA),
    ("display-connection-lost.png", "landscape", (1920, 1080), True, AREA),
    # Zone B2: the longest field names of the demo centre, and closed and paused counters.
    ("display-landscape-b2.png", "landscape", (1920, 1080), False, "B2"),
)


def main(argv: list[str]) -> int:
    out = Path(argv[0] if argv else "docs/img")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    views = []
    for name, layout, size, lost, area in SHOTS:
        vm = BoardViewModel(SITE, area)
        vm.set_connection(ConnectionState(True, T0))
        vm.apply_snapshot(demo_snapshot() if area == AREA else area_snapshot(area))
        if lost:
            vm.set_connection(ConnectionState(False, T0 + timedelta(minutes=2)))
        view = BoardView(vm, layout=layout, clock=lambda: T0 + timedelta(minutes=3), animate=False)  # type: ignore[arg-type]
        view.resize(*size)
        if not view.grab().save(str(out / name)):
            print(f"could not write {out / name}", file=sys.stderr)
            return 1
        print(out / name)
        views.append(view)
    for view in views:
        view.deleteLater()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
