"""The framed serial protocol of LED displays, keypads and rating pads. Pure codec.

One frame on the wire (RS-485 bus or a plain serial line)::

    STX   ADDR  CMD   LEN   PAYLOAD (LEN bytes)   CRC
    0x02  1 B   1 B   1 B   0..64 B               CRC-8 (poly 0x07, init 0) of ADDR..PAYLOAD

ADDR is the device's bus address (1..254; 0xFF = every display). The decoder is a
streaming one: bytes arrive in any chunks; garbage before a frame is skipped; a frame
whose CRC fails, or that is cut off (``idle()`` after a quiet gap), is dropped and the
decoder looks for the next STX, so one torn frame never costs the next good one.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from enum import IntEnum

from hardware.ports import KeypadAction, KeypadEvent, RatingEvent

STX = 0x02
BROADCAST = 0xFF
MAX_PAYLOAD = 64
HEADER = 4  # STX ADDR CMD LEN
LED_MAX_TEXT = 16


class Command(IntEnum):
    """The command byte. 0x1_: to LED displays; 0x2_: from keypads; 0x3_: from rating pads."""

    LED_SHOW = 0x10  # payload: ASCII text to show
    LED_BLINK = 0x11  # payload: 1 byte, how many times to blink the current text
    LED_CLEAR = 0x12  # no payload
    KEY = 0x20  # payload: 1 byte key code (KEY_CODES)
    RATE = 0x30  # payload: 1 byte rating code (RATING_CODES)


KEY_CODES: dict[KeypadAction, int] = {
    KeypadAction.CALL_NEXT: 1,
    KeypadAction.RECALL: 2,
    KeypadAction.NO_SHOW: 3,
    KeypadAction.TRANSFER: 4,
    KeypadAction.PAUSE: 5,
    KeypadAction.START: 6,
    KeypadAction.FINISH: 7,
}
KEY_ACTIONS = {code: action for action, code in KEY_CODES.items()}

# The values are server.contract.vocab.Rating's; kept as strings so this stays pure.
RATING_CODES: dict[str, int] = {
    "very_satisfied": 1,
    "satisfied": 2,
    "neutral": 3,
    "unsatisfied": 4,
}
RATINGS = {code: rating for rating, code in RATING_CODES.items()}


class FrameError(ValueError):
    """A frame that cannot be built (bad address, payload too long, non-ASCII text)."""


def crc8(data: bytes) -> int:
    """CRC-8, polynomial 0x07, initial 0 (the 'SMBus' CRC): catches every 1-2 bit error."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


@dataclass(frozen=True, slots=True)
class Frame:
    """One decoded or to-be-sent frame."""

    address: int
    command: int
    payload: bytes = b""

    def __post_init__(self) -> None:
        if not 0 <= self.address <= 0xFF:
            raise FrameError(f"address must be 0..255, got {self.address}")
        if not 0 <= self.command <= 0xFF:
            raise FrameError(f"command must be 0..255, got {self.command}")
        if len(self.payload) > MAX_PAYLOAD:
            raise FrameError(f"payload must be at most {MAX_PAYLOAD} bytes")

    def encode(self) -> bytes:
        body = bytes((self.address, self.command, len(self.payload))) + self.payload
        return bytes((STX,)) + body + bytes((crc8(body),))


@dataclass
class FrameDecoder:
    """Turns a byte stream into frames; counts what it had to throw away."""

    garbage_bytes: int = 0
    bad_frames: int = 0
    torn_frames: int = 0
    _buf: bytearray = field(default_factory=bytearray, repr=False)

    def feed(self, data: bytes) -> list[Frame]:
        self._buf += data
        frames: list[Frame] = []
        buf = self._buf
        while buf:
            start = buf.find(STX)
            if start < 0:
                self.garbage_bytes += len(buf)
                buf.clear()
                break
            if start:
                self.garbage_bytes += start
                del buf[:start]
            if len(buf) < HEADER:
                break
            length = buf[3]
            if length > MAX_PAYLOAD:
                self._resync()
                continue
            end = HEADER + length + 1
            if len(buf) < end:
                break
            body = bytes(buf[1 : end - 1])
            if crc8(body) != buf[end - 1]:
                self._resync()
                continue
            frames.append(Frame(body[0], body[1], body[3:]))
            del buf[:end]
        return frames

    def _resync(self) -> None:
        """Drop this STX and look for the next one (which may be inside the bad frame)."""
        self.bad_frames += 1
        del self._buf[:1]

    def idle(self) -> list[Frame]:
        """The line went quiet: a half frame still waiting will never complete.

        Drop its STX and decode whatever follows (a good frame may hide behind it).
        """
        frames: list[Frame] = []
        while self._buf:
            self.torn_frames += 1
            del self._buf[:1]
            frames += self.feed(b"")
        return frames

    @property
    def pending(self) -> int:
        return len(self._buf)


def led_text(text: str) -> bytes:
    """What an ASCII LED panel can show: accents removed (Đ -> D), upper case, <= 16 chars."""
    plain = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = "".join(ch for ch in plain if ord(ch) < 128 and ch.isprintable())
    ascii_text = ascii_text.upper().strip()
    if len(ascii_text) > LED_MAX_TEXT:
        raise FrameError(f"LED text must be at most {LED_MAX_TEXT} characters: {text!r}")
    return ascii_text.encode("ascii")


def _check_bus_address(address: int, *, broadcast: bool) -> None:
    if not (1 <= address <= 254 or (broadcast and address == BROADCAST)):
        raise FrameError(f"bus address must be 1..254, got {address}")


def led_show(address: int, text: str) -> Frame:
    _check_bus_address(address, broadcast=True)
    return Frame(address, Command.LED_SHOW, led_text(text))


def led_blink(address: int, times: int = 3) -> Frame:
    _check_bus_address(address, broadcast=True)
    if not 1 <= times <= 255:
        raise FrameError(f"blink count must be 1..255, got {times}")
    return Frame(address, Command.LED_BLINK, bytes((times,)))


def led_clear(address: int) -> Frame:
    _check_bus_address(address, broadcast=True)
    return Frame(address, Command.LED_CLEAR)


def key_frame(address: int, action: KeypadAction | str) -> Frame:
    _check_bus_address(address, broadcast=False)
    return Frame(address, Command.KEY, bytes((KEY_CODES[KeypadAction(action)],)))


def rating_frame(address: int, rating: str) -> Frame:
    _check_bus_address(address, broadcast=False)
    if rating not in RATING_CODES:
        raise FrameError(f"rating must be one of {sorted(RATING_CODES)}, got {rating!r}")
    return Frame(address, Command.RATE, bytes((RATING_CODES[rating],)))


def to_event(frame: Frame) -> KeypadEvent | RatingEvent | None:
    """A keypad or rating frame as an event; ``None`` for anything else or unknown codes."""
    if len(frame.payload) != 1:
        return None
    code = frame.payload[0]
    if frame.command == Command.KEY and code in KEY_ACTIONS:
        return KeypadEvent(frame.address, KEY_ACTIONS[code])
    if frame.command == Command.RATE and code in RATINGS:
        return RatingEvent(frame.address, RATINGS[code])
    return None
