"""Turn a rendered ticket into the ESC/POS byte stream: init, raster image, feed, cut.

The bytes are produced once through python-escpos's ``Dummy`` printer and then sent
as one write to whatever transport is configured, so a virtual printer saves exactly
what a real one would receive.
"""

from __future__ import annotations

from typing import Any

from PIL import Image

# Raster bands: many printers have small receive buffers; 256-line bands print
# smoothly on cheap 80 mm kiosk printers and cost nothing on good ones.
FRAGMENT_HEIGHT = 256


def _profile(width: int) -> Any:
    """A printer profile that knows the paper width and can cut (escpos's default cannot)."""
    from escpos.capabilities import Profile

    profile = Profile()
    data = dict(profile.profile_data)
    data["media"] = {"width": {"pixels": width, "mm": round(width / 8)}, "dpi": 203}
    profile.profile_data = data
    profile.features = {"paperFullCut": True, "paperPartCut": True}
    return profile


def ticket_bytes(image: Image.Image, *, cut: str | None = "PART") -> bytes:
    """ESC @, the image as ``GS v 0`` raster bands, a feed and a cut (``FULL``/``PART``/None)."""
    from escpos.printer import Dummy

    if image.mode != "1":
        image = image.convert("1", dither=Image.Dither.NONE)
    printer = Dummy(profile=_profile(image.width))
    printer.hw("INIT")
    printer.image(image, impl="bitImageRaster", fragment_height=FRAGMENT_HEIGHT, center=False)
    if cut:
        printer.cut(mode=cut)
    return printer.output
