"""The demo's windows side by side: the arithmetic, and the move of the first window."""

import json
import sys

import pytest
from PySide6.QtWidgets import QPushButton, QWidget

from qms.cli import build_parser
from qms.demo import DemoLinks, app_commands
from qms.placement import FRAME_PX, Place, hall_places, place_first_window


def frame(place: Place) -> tuple[int, int, int, int]:
    """The screen rows and columns a window takes, title bar included."""
    return place.x, place.y, place.x + place.width, place.y + FRAME_PX + place.height


@pytest.mark.parametrize(
    "area", [(0, 0, 1920, 1080), (0, 0, 1366, 768), (0, 27, 2560, 1413), (0, 0, 3840, 2160)]
)
def test_the_three_windows_fit_the_screen_and_cover_none_of_each_other(area):
    places = hall_places(area)
    left, top, width, height = area
    boxes = {name: frame(place) for name, place in places.items()}
    for name, (x0, y0, x1, y1) in boxes.items():
        assert left <= x0 and top <= y0 and x1 <= left + width and y1 <= top + height, name
    names = sorted(boxes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            ax0, ay0, ax1, ay1 = boxes[a]
            bx0, by0, bx1, by1 = boxes[b]
            assert ax1 <= bx0 or bx1 <= ax0 or ay1 <= by0 or by1 <= ay0, (a, b)
    kiosk = places["kiosk"]
    assert kiosk.height >= (height - FRAME_PX) * 0.9  # the kiosk is drawn as big as it fits
    assert abs(kiosk.width / kiosk.height - 1080 / 1920) < 0.01
    board = places["display"]
    assert abs(board.width / board.height - 16 / 9) < 0.01


def test_the_first_real_window_is_moved_not_a_stray_button(qapp):
    placer = place_first_window(300, 200)
    stray = QPushButton("shown before it had a parent")
    stray.show()
    window = QWidget()
    window.resize(400, 300)
    window.show()
    ratio = qapp.primaryScreen().devicePixelRatio()
    try:
        assert (window.x(), window.y()) == (round(300 / ratio), round(200 / ratio))
        other = QWidget()
        other.show()  # only the first window is placed
        assert (other.x(), other.y()) != (window.x(), window.y())
        other.close()
    finally:
        stray.close()
        window.close()
        del placer


def test_each_demo_window_opens_at_its_place(tmp_path):
    credentials = {
        "devices": {"kiosk-1": "k", "counter-pc-2": "c", "display-A": "d"},
        "users": [{"username": "clerk02", "password": "p", "counter": "2", "role": "clerk"}],
    }
    (tmp_path / "demo-credentials.json").write_text(json.dumps(credentials))
    places = hall_places((0, 0, 1920, 1080))
    links = DemoLinks("http://127.0.0.1:8080", "mqtt://127.0.0.1:1883", tmp_path)
    commands = app_commands(links, credentials, no_sound=True, places=places)
    for name, argv, env, _stdin in commands:
        assert argv[:4] == [sys.executable, "-m", "qms.placement", places[name].corner]
        args = build_parser().parse_args(argv[4:])
        assert args.command == name
        if places[name].scale != 1.0:
            assert env["QT_SCALE_FACTOR"] == str(places[name].scale)
        if name == "display":
            assert (args.size[0], args.size[1]) == (places[name].width, places[name].height)


def test_the_screen_is_measured_in_a_child_process(monkeypatch):
    from qms.placement import probe_screen

    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    area = probe_screen()
    assert area is not None
    assert area[2] > 0 and area[3] > 0
