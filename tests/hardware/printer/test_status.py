"""DLE EOT status decoding, including 'no reply' versus 'no paper'."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.ports import PrinterStatus
from hardware.printer.status import decode_status, encode_status, first_status_byte, is_status_byte

OK = 0x12  # fixed bits only


@pytest.mark.parametrize("status", list(PrinterStatus))
def test_encode_then_decode_round_trips(status):
    assert decode_status(*encode_status(status)) is status


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ((None, None, None, None), PrinterStatus.OFFLINE),  # no reply at all: offline
        ((OK, OK, OK, OK), PrinterStatus.OK),
        ((OK, None, None, None), PrinterStatus.OK),  # a printer that only knows n=1
        ((OK | 0x08, None, None, None), PrinterStatus.OFFLINE),
        ((OK | 0x08, OK | 0x04, OK, OK), PrinterStatus.COVER_OPEN),
        ((OK | 0x08, OK | 0x20, OK, OK | 0x60), PrinterStatus.PAPER_OUT),
        ((OK, OK, OK, OK | 0x60), PrinterStatus.PAPER_OUT),  # sensor says end, still online
        ((OK, OK, OK, OK | 0x0C), PrinterStatus.PAPER_LOW),
        ((OK, OK, OK | 0x08, OK), PrinterStatus.OFFLINE),  # cutter jammed
        ((0x00, OK, OK, OK), PrinterStatus.OFFLINE),  # not a status byte: noise
        ((OK, 0xFF, 0xFF, 0xFF), PrinterStatus.OK),  # garbage in the optional answers ignored
    ],
)
def test_decode(answers, expected):
    assert decode_status(*answers) is expected


def test_first_status_byte_skips_noise():
    assert first_status_byte(None) is None
    assert first_status_byte(b"") is None
    assert first_status_byte(b"\x00\xff\x16") == 0x16
    assert first_status_byte(b"\x00\x01") is None


@given(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255), st.integers(0, 255))
def test_any_bytes_decode_to_a_status(a, b, c, d):
    assert decode_status(a, b, c, d) in PrinterStatus
    if not is_status_byte(a):
        assert decode_status(a, b, c, d) is PrinterStatus.OFFLINE
