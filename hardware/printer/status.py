"""ESC/POS real-time status (``DLE EOT n``) decoding. Pure: bytes in, ``PrinterStatus`` out.

Each answer is one byte whose bits 0 and 7 are 0 and bits 1 and 4 are 1; anything else
is not a status byte. ``None`` means the printer did not answer at all, which we report
as OFFLINE: python-escpos's ``paper_status()`` cannot tell "no reply" from "no paper".
"""

from __future__ import annotations

from hardware.ports import PrinterStatus

DLE_EOT = b"\x10\x04"
QUERY_PRINTER = DLE_EOT + b"\x01"  # n=1: printer status (bit 3: offline)
QUERY_OFFLINE_CAUSE = DLE_EOT + b"\x02"  # n=2: cover open, paper end stop, error
QUERY_ERROR_CAUSE = DLE_EOT + b"\x03"  # n=3: cutter, unrecoverable, auto-recoverable
QUERY_PAPER = DLE_EOT + b"\x04"  # n=4: roll paper near-end and end sensors

QUERIES = (QUERY_PRINTER, QUERY_OFFLINE_CAUSE, QUERY_ERROR_CAUSE, QUERY_PAPER)

_FIXED_MASK = 0b1001_0011
_FIXED_BITS = 0b0001_0010

# n=1
_OFFLINE = 0x08
# n=2
_COVER_OPEN = 0x04
_PAPER_END_STOP = 0x20
_ERROR = 0x40
# n=3
_CUTTER_ERROR = 0x08
_UNRECOVERABLE = 0x20
# n=4
_NEAR_END = 0x0C
_PAPER_END = 0x60


def is_status_byte(value: int) -> bool:
    """Whether ``value`` has the fixed bits every DLE EOT answer carries."""
    return 0 <= value <= 255 and value & _FIXED_MASK == _FIXED_BITS


def first_status_byte(reply: bytes | None) -> int | None:
    """The first byte of a reply that looks like a status byte (printers may echo noise)."""
    if not reply:
        return None
    for value in reply:
        if is_status_byte(value):
            return value
    return None


def decode_status(
    printer: int | None,
    offline_cause: int | None = None,
    error_cause: int | None = None,
    paper: int | None = None,
) -> PrinterStatus:
    """Combine the four answers (``None`` = no answer) into the one status a kiosk needs.

    Worst first: no answer to the basic query is OFFLINE; then cover open, paper out,
    errors (OFFLINE), paper low. A printer that answers n=1 but not the others is OK
    unless n=1 says offline: some cheap printers implement only n=1.
    """
    if printer is None or not is_status_byte(printer):
        return PrinterStatus.OFFLINE
    cause = offline_cause if offline_cause is not None and is_status_byte(offline_cause) else 0
    error = error_cause if error_cause is not None and is_status_byte(error_cause) else 0
    roll = paper if paper is not None and is_status_byte(paper) else 0
    if cause & _COVER_OPEN:
        return PrinterStatus.COVER_OPEN
    if cause & _PAPER_END_STOP or roll & _PAPER_END:
        return PrinterStatus.PAPER_OUT
    if error & (_CUTTER_ERROR | _UNRECOVERABLE) or cause & _ERROR or printer & _OFFLINE:
        return PrinterStatus.OFFLINE
    if roll & _NEAR_END:
        return PrinterStatus.PAPER_LOW
    return PrinterStatus.OK


def encode_status(status: PrinterStatus) -> tuple[int, int, int, int]:
    """The four answers a healthy or faulty printer gives: used by simulators and tests."""
    printer, cause, error, roll = _FIXED_BITS, _FIXED_BITS, _FIXED_BITS, _FIXED_BITS
    if status is PrinterStatus.COVER_OPEN:
        printer |= _OFFLINE
        cause |= _COVER_OPEN
    elif status is PrinterStatus.PAPER_OUT:
        printer |= _OFFLINE
        cause |= _PAPER_END_STOP
        roll |= _PAPER_END | _NEAR_END
    elif status is PrinterStatus.OFFLINE:
        printer |= _OFFLINE
        cause |= _ERROR
        error |= _UNRECOVERABLE
    elif status is PrinterStatus.PAPER_LOW:
        roll |= _NEAR_END
    return printer, cause, error, roll
