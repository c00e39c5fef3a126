"""A top-to-bottom drawing surface for receipts: text that wraps, rules, banners, images.

Line heights come from each line's real ink box (``getbbox`` at the baseline) and the
font's ascent, whichever is taller, so stacked Vietnamese marks ("Ệ", "Ỗ", "Ở") always
get their headroom and are never clipped by the line above or the paper edge.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

Align = Literal["left", "center", "right"]

WHITE = 255
BLACK = 0


@lru_cache(maxsize=64)
def load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """Fonts are loaded once per (file, size): a kiosk prints all day."""
    return ImageFont.truetype(str(path), size)


def line_extent(font: ImageFont.FreeTypeFont, text: str, *, tight: bool = False) -> tuple[int, int]:
    """Pixels above and below the baseline this line needs.

    Normally the taller of the ink box and the font's ascent/descent (even line pitch);
    ``tight`` uses the ink box alone (the big number: no empty ascent above digits).
    """
    ascent, descent = (0, 0) if tight else font.getmetrics()
    if not text:
        return ascent, descent
    _, top, _, bottom = font.getbbox(text, anchor="ls")
    return max(ascent, -int(top)), max(descent, int(bottom))


def wrap(text: str, font: ImageFont.FreeTypeFont, max_width: int) -> list[str]:
    """Greedy word wrap; a word longer than the line is broken between letters."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}" if current else word
            if font.getlength(candidate) <= max_width:
                current = candidate
                continue
            if current:
                lines.append(current)
            current = ""
            for ch in word:
                if font.getlength(current + ch) > max_width and current:
                    lines.append(current)
                    current = ""
                current += ch
        lines.append(current)
    return lines


class Canvas:
    """Draws blocks one under the other on a tall white page, then crops to the content."""

    def __init__(self, width: int, margin: int, max_height: int = 4000) -> None:
        self.width = width
        self.margin = margin
        self.y = margin
        self.image = Image.new("L", (width, max_height), WHITE)
        self.draw = ImageDraw.Draw(self.image)
        self.regions: dict[str, tuple[int, int]] = {}

    @contextmanager
    def section(self, name: str) -> Iterator[None]:
        """Record the rows a block occupies, so tests can check the layout by name."""
        top = self.y
        yield
        self.regions[name] = (top, self.y)

    @property
    def inner_width(self) -> int:
        return self.width - 2 * self.margin

    def space(self, pixels: int) -> None:
        self.y += pixels

    def text(
        self,
        text: str,
        font: ImageFont.FreeTypeFont,
        *,
        align: Align = "center",
        spacing: int = 4,
        fill: int = BLACK,
        tight: bool = False,
    ) -> None:
        """Draw ``text`` wrapped to the inner width."""
        for line in wrap(text, font, self.inner_width):
            above, below = line_extent(font, line, tight=tight)
            baseline = self.y + above
            if align == "left":
                x, anchor = self.margin, "ls"
            elif align == "right":
                x, anchor = self.width - self.margin, "rs"
            else:
                x, anchor = self.width // 2, "ms"
            self.draw.text((x, baseline), line, font=font, fill=fill, anchor=anchor)
            self.y = baseline + below + spacing

    def row(
        self,
        label: str,
        value: str,
        label_font: ImageFont.FreeTypeFont,
        value_font: ImageFont.FreeTypeFont,
        spacing: int = 4,
    ) -> None:
        """A label on the left and its value on the right, on one baseline.

        When both do not fit side by side (a long area name, 58 mm paper), the label
        gets its own line and the value goes under it, wrapped.
        """
        value_w = int(value_font.getlength(value))
        label_w = int(label_font.getlength(label))
        if value_w + label_w + 12 > self.inner_width:
            self.text(label, label_font, align="left", spacing=spacing)
            self.text(value, value_font, align="left", spacing=spacing)
            return
        label_lines = wrap(label, label_font, max(40, self.inner_width - value_w - 12))
        first = True
        for line in label_lines:
            la, lb = line_extent(label_font, line)
            va, vb = line_extent(value_font, value) if first else (0, 0)
            baseline = self.y + max(la, va)
            self.draw.text((self.margin, baseline), line, font=label_font, fill=BLACK, anchor="ls")
            if first:
                right = self.width - self.margin
                self.draw.text((right, baseline), value, font=value_font, fill=BLACK, anchor="rs")
                first = False
            self.y = baseline + max(lb, vb) + spacing

    def rule(self, thickness: int = 2, dashed: bool = False) -> None:
        """A horizontal line across the inner width."""
        top = self.y
        left, right = self.margin, self.width - self.margin
        if dashed:
            for x in range(left, right, 12):
                self.draw.rectangle((x, top, min(x + 6, right), top + thickness - 1), fill=BLACK)
        else:
            self.draw.rectangle((left, top, right, top + thickness - 1), fill=BLACK)
        self.y += thickness

    def banner(self, text: str, font: ImageFont.FreeTypeFont, pad: int = 8) -> None:
        """White text on a black band: the priority mark, visible from afar."""
        lines = wrap(text, font, self.inner_width - 2 * pad)
        extents = [line_extent(font, line) for line in lines]
        height = sum(a + b for a, b in extents) + pad * (len(lines) + 1)
        top = self.y
        self.draw.rectangle((self.margin, top, self.width - self.margin, top + height), fill=BLACK)
        y = top + pad
        for line, (above, below) in zip(lines, extents, strict=True):
            self.draw.text((self.width // 2, y + above), line, font=font, fill=WHITE, anchor="ms")
            y += above + below + pad
        self.y = top + height + 1

    def paste(self, picture: Image.Image) -> None:
        """Centre a picture (logo, QR code) at the current position."""
        x = (self.width - picture.width) // 2
        self.image.paste(picture.convert("L"), (x, self.y))
        self.y += picture.height

    def beside(
        self,
        picture: Image.Image,
        lines: list[tuple[str, ImageFont.FreeTypeFont]],
        gap: int = 12,
        spacing: int = 4,
    ) -> None:
        """A picture at the left margin and text wrapped in the column to its right,
        centred on the picture's height (the QR code and its caption: less paper)."""
        x = self.margin + picture.width + gap
        column = self.width - self.margin - x
        laid: list[tuple[str, ImageFont.FreeTypeFont, int, int]] = []
        for text, font in lines:
            for line in wrap(text, font, column):
                above, below = line_extent(font, line)
                laid.append((line, font, above, below))
        text_h = sum(a + b + spacing for _, _, a, b in laid) - (spacing if laid else 0)
        top = self.y
        self.image.paste(
            picture.convert("L"), (self.margin, top + max(0, text_h - picture.height) // 2)
        )
        y = top + max(0, picture.height - text_h) // 2
        for line, font, above, below in laid:
            self.draw.text((x, y + above), line, font=font, fill=BLACK, anchor="ls")
            y += above + below + spacing
        self.y = top + max(picture.height, text_h)

    def finish(self) -> Image.Image:
        """Crop to the drawn height plus the bottom margin; 1-bit, as the printer sees it."""
        height = min(self.y + self.margin, self.image.height)
        page = self.image.crop((0, 0, self.width, height))
        return page.convert("1", dither=Image.Dither.NONE)
