"""Find a TrueType font that draws every Vietnamese letter.

Thermal printers have no reliable Vietnamese code page, so tickets are raster images
and the font decides whether "Ệ" or "ỗ" come out right. We look for a known family in
the usual font folders and prove coverage by rendering, rather than trusting a name.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from hardware.errors import DeviceConfigError

# Letters whose glyphs a font without Vietnamese support lacks (precomposed forms).
VIETNAMESE_PROBE = (
    "ĂăÂâĐđÊêÔôƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệ"
    "ỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ"
)

# (regular, bold) file names, best first. All of these cover Vietnamese.
FAMILIES: tuple[tuple[str, str], ...] = (
    ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"),
    ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
    ("LiberationSans-Regular.ttf", "LiberationSans-Bold.ttf"),
    ("Arial.ttf", "Arial Bold.ttf"),
    ("arial.ttf", "arialbd.ttf"),
)


class FontError(DeviceConfigError):
    """No usable font: the ticket cannot be rendered without one (found at start-up)."""


@dataclass(frozen=True, slots=True)
class FontPair:
    """The regular and bold faces a ticket is drawn with."""

    regular: Path
    bold: Path


def font_dirs() -> list[Path]:
    """The folders searched, system first; ``QMS_FONT_DIR`` (if set) comes before all."""
    dirs: list[Path] = []
    extra = os.environ.get("QMS_FONT_DIR")
    if extra:
        dirs.append(Path(extra))
    dirs += [
        Path("/usr/share/fonts"),
        Path("/usr/local/share/fonts"),
        Path.home() / ".local/share/fonts",
        Path.home() / ".fonts",
    ]
    if sys.platform == "darwin":
        dirs += [Path("/Library/Fonts"), Path("/System/Library/Fonts/Supplemental")]
    if sys.platform == "win32":
        dirs.append(Path(os.environ.get("WINDIR", "C:/Windows")) / "Fonts")
    return dirs


def missing_glyphs(path: Path, text: str | None = None) -> str:
    """The characters of ``text`` (default: all Vietnamese letters) the font lacks."""
    text = VIETNAMESE_PROBE if text is None else text
    font = ImageFont.truetype(str(path), 32)

    def ink(ch: str) -> bytes:
        page = Image.new("L", (64, 64), 0)
        ImageDraw.Draw(page).text((8, 48), ch, font=font, fill=255, anchor="ls")
        return page.tobytes()

    # U+10FFFD is a private-use code point no text font defines: it draws as .notdef.
    notdef = ink("\U0010fffd")
    return "".join(ch for ch in text if ink(ch) == notdef)


def _find_file(name: str, dirs: list[Path]) -> Path | None:
    for base in dirs:
        if not base.is_dir():
            continue
        direct = base / name
        if direct.is_file():
            return direct
        for found in base.rglob(name):
            if found.is_file():
                return found
    return None


@lru_cache(maxsize=8)
def find_fonts(regular: str | None = None, bold: str | None = None) -> FontPair:
    """Resolve the font pair: explicit paths if given, else the first family found.

    Raises ``FontError`` naming what was searched, or which letters are missing, so an
    installer knows to install e.g. ``fonts-dejavu-core``.
    """
    if regular or bold:
        pair = FontPair(Path(regular or bold or ""), Path(bold or regular or ""))
        for path in (pair.regular, pair.bold):
            if not path.is_file():
                raise FontError(f"font file not found: {path}")
            lacking = missing_glyphs(path)
            if lacking:
                raise FontError(f"font {path} lacks Vietnamese letters: {lacking[:20]}")
        return pair
    dirs = font_dirs()
    for reg_name, bold_name in FAMILIES:
        reg = _find_file(reg_name, dirs)
        bld = _find_file(bold_name, dirs)
        if reg and bld and not missing_glyphs(reg) and not missing_glyphs(bld):
            return FontPair(reg, bld)
    searched = ", ".join(str(d) for d in dirs)
    families = ", ".join(f for f, _ in FAMILIES)
    raise FontError(
        f"no font with Vietnamese coverage found (looked for {families} in {searched}); "
        "install fonts-dejavu-core or set QMS_FONT_DIR"
    )
