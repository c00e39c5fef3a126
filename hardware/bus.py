"""Devices on the framed RS-485 bus (see ``hardware.framing``): keypads, rating pads, LEDs.

One port, many devices: each event carries the address it came from, and the LED
driver addresses each display by number. An ``address`` filter lets a counter
terminal listen only to its own keypad on a shared bus.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection

from hardware import framing
from hardware.ports import KeypadEvent, RatingEvent
from hardware.serial_link import SerialLink

log = logging.getLogger(__name__)


class _FrameLink(SerialLink[framing.Frame]):
    """A serial link that yields decoded frames and counts what it had to skip."""

    def __init__(self, port: str, *, baudrate: int | None, name: str) -> None:
        super().__init__(port, baudrate=baudrate, name=name)
        self.decoder = framing.FrameDecoder()

    def reset(self) -> None:
        self.decoder = framing.FrameDecoder()

    def parse(self, data: bytes) -> list[framing.Frame]:
        before = (self.decoder.garbage_bytes, self.decoder.bad_frames)
        frames = self.decoder.feed(data)
        if (self.decoder.garbage_bytes, self.decoder.bad_frames) != before:
            log.info("%s: skipped garbage on %s (%s)", self.name, self.port, self.decoder)
        return frames

    def idle(self) -> list[framing.Frame]:
        if not self.decoder.pending:
            return []
        log.info("%s: dropped a torn frame on %s", self.name, self.port)
        return self.decoder.idle()


class _EventReader(_FrameLink):
    """Frames -> keypad/rating events of one kind, optionally for some addresses only."""

    kind: type[KeypadEvent] | type[RatingEvent]

    def __init__(
        self,
        port: str,
        on_event: Callable[..., None] | None,
        *,
        addresses: Collection[int] | None,
        baudrate: int | None,
        name: str,
    ) -> None:
        super().__init__(port, baudrate=baudrate, name=name)
        self.addresses = frozenset(addresses) if addresses is not None else None
        self.on_event: Callable[..., None] = on_event or (lambda event: None)
        self.on_item = self._deliver

    def _deliver(self, frame: framing.Frame) -> None:
        event = framing.to_event(frame)
        if not isinstance(event, self.kind):
            log.debug("%s: ignoring frame %s", self.name, frame)
            return
        if self.addresses is not None and event.address not in self.addresses:
            return
        self.on_event(event)


class KeypadReader(_EventReader):
    """Implements ``hardware.ports.Keypad``: ``on_event(KeypadEvent)`` per key press."""

    kind = KeypadEvent

    def __init__(
        self,
        port: str,
        on_event: Callable[[KeypadEvent], None] | None = None,
        *,
        addresses: Collection[int] | None = None,
        baudrate: int | None = None,
    ) -> None:
        super().__init__(port, on_event, addresses=addresses, baudrate=baudrate, name="keypad")


class RatingPadReader(_EventReader):
    """Implements ``hardware.ports.RatingPad``: ``on_event(RatingEvent)`` per press."""

    kind = RatingEvent

    def __init__(
        self,
        port: str,
        on_event: Callable[[RatingEvent], None] | None = None,
        *,
        addresses: Collection[int] | None = None,
        baudrate: int | None = None,
    ) -> None:
        super().__init__(port, on_event, addresses=addresses, baudrate=baudrate, name="rating")


class LedBus(_FrameLink):
    """Implements ``hardware.ports.LedDisplay`` for every display on one bus.

    It remembers what each address shows and sends it all again whenever the port
    (re)connects, so a display that was power-cycled or a cable that was re-plugged
    comes back with the right number without waiting for the next call.
    """

    def __init__(self, port: str, *, baudrate: int | None = None, blink_times: int = 3) -> None:
        super().__init__(port, baudrate=baudrate, name="led")
        self.blink_times = blink_times
        self.shown: dict[int, str] = {}
        self.on_connect = self._resend
        self.on_item = self._ignore
        # One warning per outage: at start-up, or with a cable out, every call would
        # otherwise log one per display.
        self.unsent = 0

    def _ignore(self, frame: framing.Frame) -> None:
        """Half-duplex RS-485 adapters echo what we send: not an error."""

    def show(self, address: int, text: str, *, blink: bool = False) -> None:
        """Show ``text`` (made ASCII) at ``address``; sent now if connected, else on connect."""
        frame = framing.led_show(address, text)
        self.shown[address] = text
        data = frame.encode()
        if blink:
            data += framing.led_blink(address, self.blink_times).encode()
        self._send(data)

    def clear(self, address: int) -> None:
        self.shown.pop(address, None)
        self._send(framing.led_clear(address).encode())

    def _send(self, data: bytes) -> None:
        from hardware.serial_link import NotConnectedError

        try:
            self.write(data)
        except NotConnectedError as exc:
            if self.unsent == 0:
                log.warning("led: %s; what the displays should show is sent when it connects", exc)
            self.unsent += 1

    def _resend(self) -> None:
        if self.unsent:
            log.info("led: connected; sending what %d displays show", len(self.shown))
        self.unsent = 0
        for address, text in sorted(self.shown.items()):
            self._send(framing.led_show(address, text).encode())

    def close(self) -> None:
        self.stop()
