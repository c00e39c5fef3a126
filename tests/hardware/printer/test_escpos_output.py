"""The ESC/POS byte stream: exact header and trailer, and the raster reads back as the image."""

import pytest
from PIL import Image, ImageChops

from hardware.printer.escpos_output import FRAGMENT_HEIGHT, ticket_bytes
from hardware.printer.layout import render_ticket
from hardware.sim.escpos_printer import EscposPrinterSim


def test_small_image_gives_exact_bytes():
    image = Image.new("1", (16, 2), 1)
    image.putpixel((0, 0), 0)  # one black dot, top left
    data = ticket_bytes(image, cut="PART")
    assert data == (
        b"\x1b@"  # ESC @: initialise
        + b"\x1dv0\x00"
        + b"\x02\x00"
        + b"\x02\x00"  # GS v 0, 2 bytes wide, 2 rows
        + b"\x80\x00"
        + b"\x00\x00"
        + b"\x1bd\x06"  # feed 6 lines
        + b"\x1dV\x01"  # partial cut
    )


@pytest.mark.parametrize(("mode", "tail"), [("FULL", b"\x1dV\x00"), (None, b"\x00\x00")])
def test_cut_modes(mode, tail):
    assert ticket_bytes(Image.new("1", (8, 1), 1), cut=mode).endswith(tail)


def test_ticket_is_sent_in_bands_and_reads_back_identical(ticket):
    image = render_ticket(ticket)
    data = ticket_bytes(image)
    assert data.count(b"\x1dv0") == -(-image.height // FRAGMENT_HEIGHT)
    sim = EscposPrinterSim()
    sim.feed(data)
    [paper] = sim.finished
    assert paper.image().size == image.size
    assert ImageChops.difference(paper.image().convert("L"), image.convert("L")).getbbox() is None


def test_greyscale_input_is_thresholded():
    grey = Image.new("L", (8, 1), 100)
    assert ticket_bytes(grey, cut=None)[10:11] == b"\xff"  # dark grey prints black
