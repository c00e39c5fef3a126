"""The ESC/POS printer simulator: commands split anywhere, status answers, silent mode."""

from PIL import Image

from hardware.ports import PrinterStatus
from hardware.printer.escpos_output import ticket_bytes
from hardware.printer.status import QUERIES, decode_status, encode_status
from hardware.sim.escpos_printer import EscposPrinterSim


def test_commands_split_at_every_byte_still_parse():
    image = Image.new("1", (32, 10), 1)
    image.putpixel((3, 3), 0)
    data = b"".join(QUERIES) + ticket_bytes(image)
    sim = EscposPrinterSim(PrinterStatus.PAPER_LOW)
    replies = b"".join(sim.feed(data[i : i + 1]) for i in range(len(data)))
    assert decode_status(*replies) is PrinterStatus.PAPER_LOW
    [paper] = sim.finished
    assert paper.image().getpixel((3, 3)) == 0
    assert paper.image().getpixel((4, 3)) == 255


def test_status_bytes_inside_raster_data_are_not_answered():
    image = Image.new("1", (24, 1), 1)
    for x in (3, 13, 23):  # 0x10 0x04 0x01 as pixels: DLE EOT 1 inside the image data
        image.putpixel((x, 0), 0)
    sim = EscposPrinterSim()
    assert sim.feed(ticket_bytes(image, cut=None)) == b""
    assert sim.queries == []


def test_silent_printer_and_every_fault():
    sim = EscposPrinterSim(answers=False)
    assert sim.feed(QUERIES[0]) == b""
    for status in PrinterStatus:
        sim = EscposPrinterSim(status)
        assert tuple(sim.feed(b"".join(QUERIES))) == encode_status(status)
