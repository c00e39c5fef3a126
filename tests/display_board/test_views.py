"""The real widgets, offscreen: layouts render from a snapshot, the blink ends, marks show."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PySide6.QtGui import QImage

from appkit.mqtt_state import ConnectionState
from display_board.viewmodel import BoardViewModel
from display_board.views.board import BoardView
from display_board.views.paint import digit_height
from display_board.views.theme import Theme
from tests.display_board.samples import AREA, SITE, T0, call, demo_snapshot, event, snapshot

pytestmark = pytest.mark.gui

# A 55-inch 16:9 panel is 68.5 cm tall: 0.634 mm per pixel at 1080 lines (docs/display.md).
MM_PER_PX_55_1080 = 684.9 / 1080
# USSC: ~1 inch of letter per 25-29 ft => 15 m needs 4.3-5.0 cm; the hero must reach it.
HERO_MIN_MM_AT_15M = 50


def make_board(qtbot, layout="landscape", size=None, **kw) -> tuple[BoardView, BoardViewModel]:
    vm = BoardViewModel(SITE, AREA)
    vm.set_connection(ConnectionState(True, T0))
    view = BoardView(vm, layout=layout, clock=lambda: T0, animate=False, **kw)
    qtbot.addWidget(view)
    if size:
        view.resize(*size)
    return view, vm


def render(view: BoardView) -> QImage:
    image = view.grab().toImage()
    assert not image.isNull()
    return image


def painted_without_errors(view: BoardView) -> bool:
    panels = (view.header, view.hero, view.counters, view.recent, view.waiting, view.ticker)
    return all(p.paint_errors == 0 for p in panels)


@pytest.mark.parametrize(
    ("layout", "size"),
    [("landscape", (1920, 1080)), ("portrait", (1080, 1920)), ("landscape", (3840, 2160))],
)
def test_layouts_render_from_a_snapshot(qtbot, layout, size):
    view, vm = make_board(qtbot, layout, size)
    vm.apply_snapshot(demo_snapshot())
    image = render(view)
    assert (image.width(), image.height()) == size
    assert painted_without_errors(view)
    assert view.hero.call is not None and view.hero.call.ticket_number == "1023"
    assert [c.number for c in view.counters.counters] == list(range(1, 16))
    assert view.recent.calls[0].ticket_number == "1047"  # the hero's call is not repeated
    assert view.header.site_name.startswith("Trung tâm Phục vụ")
    # Every panel sits inside the screen and none overlaps another.
    rects = [
        w.geometry()
        for w in (view.header, view.hero, view.counters, view.recent, view.waiting, view.ticker)
    ]
    for i, r in enumerate(rects):
        assert view.rect().contains(r)
        for other in rects[i + 1 :]:
            assert not r.intersects(other)


def test_the_called_number_is_readable_from_15_metres(qtbot):
    view, vm = make_board(qtbot, "landscape", (1920, 1080))
    vm.apply_snapshot(demo_snapshot())
    render(view)
    hero_mm = digit_height(view.hero.number_font) * MM_PER_PX_55_1080
    counter_mm = digit_height(view.counters.number_font) * MM_PER_PX_55_1080
    assert hero_mm >= HERO_MIN_MM_AT_15M * 2  # ~30 m
    assert counter_mm >= 42  # ~14-15 m (docs/display.md lists every element)


def test_a_4k_board_is_the_same_picture_twice_as_sharp(qtbot):
    small, vm1 = make_board(qtbot, "landscape", (1920, 1080))
    big, vm2 = make_board(qtbot, "landscape", (3840, 2160))
    for vm in (vm1, vm2):
        vm.apply_snapshot(demo_snapshot())
    render(small)
    render(big)
    ratio = digit_height(big.hero.number_font) / digit_height(small.hero.number_font)
    assert 1.9 < ratio < 2.1


def test_a_live_call_blinks_and_the_blink_ends(qtbot):
    view, vm = make_board(qtbot, blink_s=1.0)
    vm.apply_snapshot(demo_snapshot())
    live = call(1030, 4, at=T0 + timedelta(seconds=30))
    vm.apply_call(event(live, seq=121))
    assert view.hero.blinking and view.hero.inverted
    assert view.hero.call == live
    assert view.counters.highlight == "q4"
    qtbot.waitUntil(lambda: not view.hero.blinking, timeout=5000)
    assert not view.hero.inverted
    render(view)
    assert painted_without_errors(view)


def test_blink_counts_down_tick_by_tick(qtbot):
    view, vm = make_board(qtbot, blink_s=2.0)
    vm.apply_call(event(call(7, 2), seq=1))
    states = []
    while view.hero.blinking:
        states.append(view.hero.inverted)
        view.hero.tick()
    assert states == [True, False, True, False]
    assert not view.hero.timer.isActive()


def test_a_retained_snapshot_does_not_blink(qtbot):
    view, vm = make_board(qtbot)
    vm.apply_snapshot(demo_snapshot())
    assert not view.hero.blinking


def test_connection_lost_mark_shows_with_its_local_time(qtbot):
    view, vm = make_board(qtbot)
    vm.apply_snapshot(demo_snapshot())
    assert view.mark.isHidden()
    vm.set_connection(ConnectionState(False, datetime(2026, 11, 23, 2, 12, tzinfo=UTC)))
    assert not view.mark.isHidden()
    assert view.mark.text == "⚠ Mất kết nối · 09:12"  # Asia/Ho_Chi_Minh
    assert view.hero.call is not None  # the last picture stays
    render(view)
    vm.set_connection(ConnectionState(True, datetime(2026, 11, 23, 2, 13, tzinfo=UTC)))
    assert view.mark.isHidden()


def test_an_empty_board_waits_for_data(qtbot):
    view, vm = make_board(qtbot, "portrait")
    image = render(view)
    assert view.hero.call is None
    assert view.hero.placeholder.startswith("Đang chờ dữ liệu")
    assert image.width() == 1080
    assert painted_without_errors(view)
    vm.apply_snapshot(snapshot(3))  # the morning: data, but nobody called yet
    assert view.hero.call is None
    assert view.hero.placeholder.startswith("Chưa có số nào được gọi")


def test_the_header_shows_the_vietnamese_date_and_clock(qtbot):
    view, _ = make_board(qtbot)
    assert view.header.now is not None
    assert f"{view.header.now:%H:%M}" == "09:15"
    from display_board.views.texts import date_vi

    assert date_vi(view.header.now) == "Thứ Hai, 23/11/2026"


def test_the_ticker_scrolls_a_long_notice(qtbot):
    view, vm = make_board(qtbot)
    vm.apply_snapshot(demo_snapshot())
    assert view.ticker.text.startswith("Quý khách vui lòng")
    view.ticker.step()
    view.ticker.step()
    assert view.ticker.offset > 0
    render(view)


def test_a_site_theme_is_loaded_and_bad_ones_refused(tmp_path, qtbot):
    logo = tmp_path / "logo.png"
    img = QImage(64, 64, QImage.Format.Format_ARGB32)
    img.fill(0xFFCC0000)
    img.save(str(logo))
    good = tmp_path / "theme.json"
    good.write_text('{"background": "#000000", "accent": "#00AA00", "logo": "logo.png"}')
    theme = Theme.load(good)
    assert theme.logo == logo
    view, vm = make_board(qtbot, theme=theme)
    vm.apply_snapshot(demo_snapshot())
    render(view)
    assert painted_without_errors(view)
    bad = tmp_path / "bad.json"
    for text, message in (
        ('{"background": "blue-ish"}', "not a colour"),
        ('{"colour": "#000000"}', "colour"),
        ('{"logo": "missing.png"}', "not found"),
        ("{not json", "bad theme file"),
    ):
        bad.write_text(text)
        with pytest.raises(ValueError, match=message):
            Theme.load(bad)


def test_a_broken_panel_logs_and_the_board_keeps_running(qtbot, caplog):
    view, vm = make_board(qtbot)
    vm.apply_snapshot(demo_snapshot())
    view.waiting.waiting = [None]  # type: ignore[list-item]  # a bug in a panel
    render(view)
    assert view.waiting.paint_errors == 1
    assert "WaitingPanel could not paint" in caplog.text


def test_an_unknown_layout_is_refused(qtbot):
    with pytest.raises(ValueError, match="unknown layout"):
        BoardView(BoardViewModel(SITE, AREA), layout="diagonal")  # type: ignore[arg-type]


@settings(max_examples=60, deadline=None)
@given(
    text=st.text(alphabet="0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=7),
    width=st.floats(min_value=40, max_value=2000),
    height=st.floats(min_value=20, max_value=800),
)
def test_a_fitted_number_never_leaves_its_box(qapp, text, width, height):
    from PySide6.QtGui import QFontMetricsF

    from display_board.views.paint import fitted_digits
    from display_board.views.theme import font

    f = fitted_digits(font(0, bold=True, condensed=True), text, width, height, 600)
    m = QFontMetricsF(f)
    if f.pixelSize() > 4:  # 4 px is the floor for absurdly small boxes
        assert m.tightBoundingRect(text).width() <= width
        assert m.tightBoundingRect("8").height() <= height


def test_a_big_area_and_odd_tickets_render(qtbot):
    from server.contract.messages import CounterView
    from server.contract.vocab import CounterState

    counters = [
        CounterView(
            id=f"q{n}",
            number=n,
            name=f"Quầy {n} - Tiếp nhận hồ sơ đất đai và môi trường",
            area=AREA,
            state=CounterState.OPEN,
            services=["x"],
            current_ticket=("MW" + str(n).zfill(5)) if n % 2 else str(n),
        )
        for n in range(1, 31)
    ]
    long_name = "Trung tâm Phục vụ hành chính công phường Thủ Đức, Thành phố Hồ Chí Minh – cơ sở 2"
    snap = snapshot(5, counters=counters).model_copy(update={"site_name": long_name})
    for layout, size in (("landscape", (1920, 1080)), ("portrait", (1080, 1920))):
        view, vm = make_board(qtbot, layout, size)
        vm.apply_snapshot(snap)
        render(view)
        assert painted_without_errors(view)
