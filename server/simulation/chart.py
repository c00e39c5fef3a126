"""Line charts by hour of the day, drawn with Pillow (no plotting library needed).

``qms simulate --plot`` draws the simulated days' waits and the estimators' errors;
docs/img/estimates-by-hour.png is one of these.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH, PANEL_H = 1100, 360
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 90, 250, 50, 45
# Colour-blind-safe (Okabe-Ito), dark enough on white.
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
GRID, INK, MUTED = "#d9dde3", "#13233a", "#4a5a70"

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont


@dataclass(frozen=True)
class Panel:
    """One chart: series of values by hour, and an optional reference line."""

    title: str
    unit: str
    series: Mapping[str, Mapping[int, float]]
    reference: tuple[str, float] | None = None


def _fonts() -> tuple[Font, Font]:
    try:
        from hardware.printer.fonts import FontError, find_fonts

        try:
            pair = find_fonts()
            return ImageFont.truetype(str(pair.regular), 15), ImageFont.truetype(str(pair.bold), 18)
        except FontError:
            pass
    except ImportError:
        pass
    return ImageFont.load_default(15), ImageFont.load_default(18)


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 15, 20, 30, 60, 120):
        if value <= step * 5:
            return float(step * 5)
    return value


def _runs(hours: Sequence[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for h in hours:
        if runs and runs[-1][-1] == h - 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    return runs


def draw(path: Path, title: str, panels: Sequence[Panel]) -> None:
    """Write a PNG with the panels one above the other, sharing the hours on x."""
    height = 50 + PANEL_H * len(panels)
    image = Image.new("RGB", (WIDTH, height), "white")
    pen = ImageDraw.Draw(image)
    font, bold = _fonts()
    pen.text((20, 14), title, font=bold, fill=INK)
    hours = sorted({h for p in panels for s in p.series.values() for h in s}) or [8]
    lo, hi = min(hours), max(hours) + 1
    for n, panel in enumerate(panels):
        top = 50 + n * PANEL_H
        left, right = MARGIN_L, WIDTH - MARGIN_R
        y0, y1 = top + MARGIN_T, top + PANEL_H - MARGIN_B
        values = [v for s in panel.series.values() for v in s.values()]
        if panel.reference:
            values.append(panel.reference[1])
        ymax = _nice_max(max(values, default=1.0) or 1.0)

        def x_of(hour: float, left: int = left, right: int = right) -> float:
            return left + (hour - lo) / (hi - lo) * (right - left)

        def y_of(value: float, y0: int = y0, y1: int = y1, ymax: float = ymax) -> float:
            return y1 - value / ymax * (y1 - y0)

        pen.text((left, top + 14), panel.title, font=bold, fill=INK)
        for i in range(6):
            v = ymax * i / 5
            pen.line([(left, y_of(v)), (right, y_of(v))], fill=GRID)
            pen.text((left - 10, y_of(v)), f"{v:g}", font=font, fill=MUTED, anchor="rm")
        pen.text((left - 10, y0 - 22), panel.unit, font=font, fill=MUTED, anchor="rm")
        for h in range(lo, hi + 1):
            pen.line([(x_of(h), y1), (x_of(h), y1 + 5)], fill=MUTED)
            pen.text((x_of(h), y1 + 8), f"{h}:00", font=font, fill=MUTED, anchor="mt")
        pen.line([(left, y1), (right, y1)], fill=INK)
        if panel.reference:
            label, value = panel.reference
            pen.line([(left, y_of(value)), (right, y_of(value))], fill="#b00020", width=2)
            pen.text((right + 10, y_of(value)), label, font=font, fill="#b00020", anchor="lm")
        for k, (name, series) in enumerate(panel.series.items()):
            colour = COLOURS[k % len(COLOURS)]
            points = [(x_of(h + 0.5), y_of(v)) for h, v in sorted(series.items())]
            for run in _runs(sorted(series)):  # no line across an hour without data (lunch)
                if len(run) > 1:
                    pen.line([(x_of(h + 0.5), y_of(series[h])) for h in run], fill=colour, width=3)
            for x, y in points:
                pen.ellipse([x - 4, y - 4, x + 4, y + 4], fill=colour)
            legend_y = y0 + 24 * k
            pen.line([(right + 10, legend_y), (right + 34, legend_y)], fill=colour, width=3)
            pen.text((right + 40, legend_y), name, font=font, fill=INK, anchor="lm")
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path)
