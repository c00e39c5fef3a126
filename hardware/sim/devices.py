"""Simulated serial devices on pseudo-terminals: scanner, keypad, rating pad, LED bus.

Each plays the device end of a ``PtyPort``; the app opens ``sim.port_path`` as if it
were ``/dev/ttyUSB0``. Every one can misbehave on purpose: send garbage, send half a
frame (torn), or be unplugged and plugged back in.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from hardware import framing
from hardware.ports import KeypadAction
from hardware.sim.pty_port import PtyPort

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE_MALE = ("Văn", "Hữu", "Minh", "Đức", "Quốc")
MIDDLE_FEMALE = ("Thị", "Ngọc", "Thu", "Mỹ", "Bảo")
GIVEN_MALE = ("An", "Bình", "Cường", "Dũng", "Hiếu", "Khôi", "Lộc", "Sơn", "Tuấn", "Vĩnh")
GIVEN_FEMALE = ("Anh", "Hạnh", "Linh", "Phương", "Quỳnh", "Thảo", "Trâm", "Yến", "Ánh", "Ngân")
STREETS = ("Nguyễn Văn Bá", "Võ Văn Ngân", "Lê Văn Việt", "Đặng Văn Bi", "Kha Vạn Cân")
WARDS = ("Phường Thủ Đức", "Phường Linh Xuân", "Phường Tăng Nhơn Phú", "Phường Hiệp Bình")


def fake_cccd(rng: random.Random | None = None, *, today: date | None = None) -> str:
    """A made-up but internally consistent CCCD QR text (no real person's data)."""
    rng = rng or random.Random()
    today = today or date(2026, 1, 1)
    born = date(1940, 1, 1) + timedelta(
        days=rng.randrange(0, (date(2007, 1, 1) - date(1940, 1, 1)).days)
    )
    female = rng.random() < 0.5
    code = (born.year - 1900) // 100 * 2 + (1 if female else 0)
    id_number = f"079{code}{born.year % 100:02d}{rng.randrange(10**6):06d}"
    old_id = f"{rng.randrange(10**9):09d}" if rng.random() < 0.6 else ""
    middle = MIDDLE_FEMALE if female else MIDDLE_MALE
    given = GIVEN_FEMALE if female else GIVEN_MALE
    name = f"{rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}"
    address = f"{rng.randrange(1, 300)} {rng.choice(STREETS)}, {rng.choice(WARDS)}, TP. Hồ Chí Minh"
    issued = max(born + timedelta(days=14 * 365), date(2021, 1, 1))
    issued = min(issued + timedelta(days=rng.randrange(0, 900)), today)
    return "|".join(
        (
            id_number,
            old_id,
            name,
            born.strftime("%d%m%Y"),
            "Nữ" if female else "Nam",
            address,
            issued.strftime("%d%m%Y"),
        )
    )


class SerialDeviceSim:
    """Common faults of every simulated serial device."""

    def __init__(self, name: str) -> None:
        self.port = PtyPort(name)
        self._rng = random.Random(0x51)

    @property
    def port_path(self) -> str:
        """What the app opens (stable across ``disconnect``/``reconnect``)."""
        return str(self.port.path)

    def send(self, data: bytes) -> None:
        self.port.write(data)

    def send_garbage(self, size: int = 16) -> None:
        """Line noise: random bytes (on a bus, often including a stray STX)."""
        self.send(bytes(self._rng.randrange(256) for _ in range(size)))

    def disconnect(self) -> None:
        self.port.disconnect()

    def reconnect(self) -> None:
        self.port.reconnect()

    def close(self) -> None:
        self.port.close()

    def __enter__(self) -> SerialDeviceSim:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ScannerSim(SerialDeviceSim):
    """A QR scanner that sends one line per scan, CR LF terminated by default."""

    def __init__(self) -> None:
        super().__init__("ttyQR")

    def scan(self, text: str, *, suffix: bytes = b"\r\n") -> None:
        self.send(text.encode("utf-8") + suffix)

    def scan_card(self, rng: random.Random | None = None) -> str:
        """Scan a freshly invented ID card; returns the text sent."""
        text = fake_cccd(rng or self._rng)
        self.scan(text)
        return text


class _FramedSim(SerialDeviceSim):
    def __init__(self, name: str, address: int) -> None:
        super().__init__(name)
        self.address = address

    def send_frame(self, frame: framing.Frame, *, torn: bool = False) -> None:
        """Send a frame; ``torn`` sends only its first half, as if the cable glitched."""
        data = frame.encode()
        self.send(data[: len(data) // 2] if torn else data)


class KeypadSim(_FramedSim):
    """A counter keypad at a bus address."""

    def __init__(self, address: int = 1) -> None:
        super().__init__("ttyKEY", address)

    def press(self, action: KeypadAction | str, *, torn: bool = False) -> None:
        self.send_frame(framing.key_frame(self.address, action), torn=torn)


class RatingPadSim(_FramedSim):
    """A four-button satisfaction pad at a bus address."""

    def __init__(self, address: int = 1) -> None:
        super().__init__("ttyRATE", address)

    def rate(self, rating: str, *, torn: bool = False) -> None:
        self.send_frame(framing.rating_frame(self.address, rating), torn=torn)


@dataclass
class LedPanel:
    """What one simulated LED display shows."""

    text: str = ""
    blinks: int = 0
    history: list[str] = field(default_factory=list)


class LedBusSim(SerialDeviceSim):
    """Every LED display of a bus: decodes the frames the app sends and shows them."""

    def __init__(self) -> None:
        super().__init__("ttyLED")
        self.decoder = framing.FrameDecoder()
        self.panels: dict[int, LedPanel] = {}
        self.frames: list[framing.Frame] = []
        self.on_change: Callable[[int, LedPanel], None] | None = None
        self._lock = threading.Lock()
        self.port.on_data(self._receive)

    def panel(self, address: int) -> LedPanel:
        with self._lock:
            return self.panels.setdefault(address, LedPanel())

    def _receive(self, data: bytes) -> None:
        with self._lock:
            frames = self.decoder.feed(data)
        for frame in frames:
            self._apply(frame)

    def _apply(self, frame: framing.Frame) -> None:
        with self._lock:
            self.frames.append(frame)
            targets = list(self.panels) if frame.address == framing.BROADCAST else [frame.address]
            for address in targets:
                panel = self.panels.setdefault(address, LedPanel())
                if frame.command == framing.Command.LED_SHOW:
                    panel.text = frame.payload.decode("ascii", errors="replace")
                    panel.history.append(panel.text)
                elif frame.command == framing.Command.LED_BLINK and frame.payload:
                    panel.blinks += frame.payload[0]
                elif frame.command == framing.Command.LED_CLEAR:
                    panel.text = ""
                    panel.history.append("")
        if self.on_change is not None:
            for address in targets:
                self.on_change(address, self.panels[address])
