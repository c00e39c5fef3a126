"""A site's look (colours, logo) and the fonts the board draws with.

A site gives its colours and logo in a small JSON file (``qms display --theme``);
unknown keys and bad colours are refused with a clear message at start.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from PySide6.QtGui import QColor, QFont, QFontDatabase

log = logging.getLogger(__name__)

FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "DejaVuSansCondensed.ttf",
    "DejaVuSansCondensed-Bold.ttf",
)
FAMILY = "DejaVu Sans"
CONDENSED = "DejaVu Sans Condensed"


# WCAG 2 level AA for normal text: every text of the board reaches it, dimmed ones too.
MIN_CONTRAST = 4.5

# Every (text colour, colour under it) the panels draw, by theme field: the header's names
# and clock, the hero (plain and blinking), the counter grid (open, lit, closed and paused
# cells, which are filled with the background), the recent strip, the waiting counts (an
# empty field's count is dimmed), the notice line and the red status mark.
TEXT_ON: tuple[tuple[str, str], ...] = (
    ("text", "header"),
    ("accent", "header"),
    ("text", "panel"),
    ("muted", "panel"),
    ("number", "panel"),
    ("accent_text", "accent"),
    ("closed", "panel"),
    ("closed", "background"),
    ("muted", "background"),
    ("text", "alert"),
)


def _luminance(color: QColor) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(color.redF())
        + 0.7152 * channel(color.greenF())
        + 0.0722 * channel(color.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours, 1 to 21."""
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


class Theme(BaseModel):
    """Colours as ``#RRGGBB``; ``logo`` is a PNG/SVG shown left of the site name."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    background: str = "#0A2A52"
    panel: str = "#10386B"
    panel_edge: str = "#1E4F8C"
    text: str = "#FFFFFF"
    muted: str = "#A8C3E6"
    accent: str = "#FFD23F"
    accent_text: str = "#0A2A52"
    number: str = "#FFD23F"
    closed: str = "#94A7C2"
    alert: str = "#D32F2F"
    header: str = "#B71C1C"
    logo: Path | None = None

    @field_validator(
        "background",
        "panel",
        "panel_edge",
        "text",
        "muted",
        "accent",
        "accent_text",
        "number",
        "closed",
        "alert",
        "header",
    )
    @classmethod
    def _colour(cls, value: str) -> str:
        if not QColor.isValidColorName(value):
            raise ValueError(f"not a colour: {value!r} (use #RRGGBB)")
        return value

    def color(self, name: str) -> QColor:
        return QColor(str(getattr(self, name)))

    def low_contrast(self) -> list[tuple[str, str, float]]:
        """The (text, ground, ratio) pairs the board draws below WCAG AA's 4.5:1."""
        out = []
        for ink, ground in TEXT_ON:
            ratio = contrast(self.color(ink), self.color(ground))
            if ratio < MIN_CONTRAST:
                out.append((ink, ground, round(ratio, 2)))
        return out

    @classmethod
    def load(cls, path: Path) -> Theme:
        """Read a theme file; a relative logo path is taken relative to that file."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            theme = cls.model_validate(data)
        except (OSError, json.JSONDecodeError, ValidationError) as exc:
            raise ValueError(f"bad theme file {path}: {exc}") from exc
        if theme.logo is not None and not theme.logo.is_absolute():
            theme = theme.model_copy(update={"logo": path.parent / theme.logo})
        if theme.logo is not None and not theme.logo.is_file():
            raise ValueError(f"bad theme file {path}: logo {theme.logo} not found")
        for ink, ground, ratio in theme.low_contrast():
            log.warning(
                "theme %s: %s text on %s has a contrast of %.2f:1, under %.1f:1 (WCAG AA)",
                path,
                ink,
                ground,
                ratio,
                MIN_CONTRAST,
            )
        return theme


_fonts_loaded = False


def load_fonts() -> None:
    """Register DejaVu (every Vietnamese diacritic) with Qt, once; offscreen Qt needs it."""
    global _fonts_loaded  # noqa: PLW0603 - a process-wide registration, done once
    if _fonts_loaded:
        return
    _fonts_loaded = True
    for folder in FONT_DIRS:
        for name in FONT_FILES:
            path = folder / name
            if path.is_file() and QFontDatabase.addApplicationFont(str(path)) < 0:
                log.warning("Qt could not load font %s", path)
    if FAMILY not in QFontDatabase.families():
        log.warning("DejaVu Sans is not installed: Vietnamese diacritics may be missing")


def font(px: float, *, bold: bool = False, condensed: bool = False) -> QFont:
    f = QFont(CONDENSED if condensed else FAMILY)
    f.setPixelSize(max(1, round(px)))
    f.setBold(bold)
    f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
    return f
