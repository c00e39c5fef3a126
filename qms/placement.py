"""Where the demo's windows go: side by side on one screen, each scaled to fit, so a
newcomer sees the kiosk, the hall board and the counter at once instead of three
windows stacked in a corner.

``hall_places`` is arithmetic over the screen's free area. ``python -m qms.placement
X,Y ARGS...`` runs ``qms ARGS...`` with its first window moved to X,Y (screen pixels);
the app's scale comes from ``QT_SCALE_FACTOR``, which Qt reads before the app starts.
``python -m qms.placement --probe`` prints the screen's free area for the demo, which
loads no Qt of its own.
"""

import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass

KIOSK_SIZE = (1080, 1920)  # the portrait kiosk as drawn
COUNTER_SIZE = (1280, 800)  # the counter window as drawn
FRAME_PX = 32  # a window manager's title bar, kept free above each window


@dataclass(frozen=True, slots=True)
class Place:
    """A window's top-left corner and size on the screen, and the scale it is drawn at."""

    x: int
    y: int
    width: int
    height: int
    scale: float = 1.0

    @property
    def corner(self) -> str:
        return f"{self.x},{self.y}"


def hall_places(area: tuple[int, int, int, int]) -> dict[str, Place]:
    """The kiosk on the left at the screen's full height; the board above the counter
    on the right, each about half the height: none covers another, all inside ``area``
    (x, y, width, height of the screen's free area). A place's corner is its frame's
    (title bar included), its size the window's inside."""
    left, top, width, height = area
    kiosk_w, kiosk_h = KIOSK_SIZE
    kiosk_scale = min((height - FRAME_PX) / kiosk_h, width * 0.3 / kiosk_w)
    kiosk = Place(
        left, top, round(kiosk_w * kiosk_scale), round(kiosk_h * kiosk_scale), round(kiosk_scale, 3)
    )
    right = left + kiosk.width
    room_w = width - kiosk.width
    board_h = min((height - 2 * FRAME_PX) // 2, room_w * 9 // 16)
    board = Place(right, top, board_h * 16 // 9, board_h)
    counter_w, counter_h = COUNTER_SIZE
    counter_top = top + FRAME_PX + board.height
    room_h = top + height - counter_top - FRAME_PX
    counter_scale = min(room_h / counter_h, room_w / counter_w, 1.0)
    counter = Place(
        right,
        counter_top,
        int(counter_w * counter_scale),
        int(counter_h * counter_scale),
        round(counter_scale, 3),
    )
    return {"kiosk": kiosk, "display": board, "counter": counter}


def probe_screen() -> tuple[int, int, int, int] | None:
    """The free area of the primary screen in pixels, asked of Qt in a child process;
    None when Qt cannot open the screen."""
    try:
        done = subprocess.run(
            [sys.executable, "-m", "qms.placement", "--probe"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
        x, y, w, h = (int(part) for part in done.stdout.split())
    except (OSError, ValueError, subprocess.TimeoutExpired):
        return None
    return (x, y, w, h) if done.returncode == 0 and w > 0 and h > 0 else None


def _probe() -> int:
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication(["qms-probe"])
    screen = app.primaryScreen()
    if screen is None:
        return 1
    free, ratio = screen.availableGeometry(), screen.devicePixelRatio()
    print(*(round(v * ratio) for v in (free.x(), free.y(), free.width(), free.height())))
    return 0


def place_first_window(x: int, y: int) -> object:
    """Move the first top-level window the app shows to ``x, y`` screen pixels.

    Moved when it is about to appear, before the window manager maps it; returns the
    filter, which the caller keeps alive until then.
    """
    from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QAbstractButton, QLabel, QWidget

    class FirstWindowAt(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if (
                event.type() == QEvent.Type.Show
                and isinstance(watched, QWidget)
                and watched.isWindow()
                # A button or label shown before it has a parent flashes as a window of
                # its own (the counter's login page does): not the app's window.
                and not isinstance(watched, QAbstractButton | QLabel)
            ):
                screen = QGuiApplication.primaryScreen()
                ratio = screen.devicePixelRatio() if screen is not None else 1.0
                watched.move(QPoint(round(x / ratio), round(y / ratio)))
                application = QCoreApplication.instance()
                if application is not None:
                    application.removeEventFilter(self)
            return False

    application = QCoreApplication.instance()
    assert application is not None, "create the QApplication first"
    placer = FirstWindowAt(application)
    application.installEventFilter(placer)
    return placer


def main(argv: Sequence[str]) -> int:
    if list(argv) == ["--probe"]:
        return _probe()
    corner, *rest = argv
    x, y = (int(part) for part in corner.split(","))
    from PySide6.QtWidgets import QApplication

    from qms.cli import main as qms_main

    app = QApplication(["qms"])  # the app's own ``QApplication.instance() or ...`` finds it
    placer = place_first_window(x, y)
    try:
        return qms_main(rest)
    finally:
        del placer, app


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
