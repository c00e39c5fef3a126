"""Read QR codes back from what a citizen would point a phone at: a kiosk screen or a
printed ticket. zxing-cpp is a real decoder (the library behind many phone scanners),
so a code it cannot read is a code a phone may not read either."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QPixmap


def decode(image: Image.Image) -> list[str]:
    """The text of every QR code in the picture."""
    found = zxingcpp.read_barcodes(image.convert("L"), formats=zxingcpp.BarcodeFormat.QRCode)
    return [result.text for result in found]


def from_pixmap(pixmap: QPixmap) -> Image.Image:
    """A Qt grab as a PIL image (through PNG bytes: no numpy needed)."""
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    assert pixmap.save(buffer, "PNG")
    return Image.open(io.BytesIO(bytes(buffer.data())))
