"""The counter's serial devices wired to the terminal: keypad, rating pad, LED display.

The drivers come from ``hardware.registry`` (a port path, a pyserial URL or
``sim://KIND``) and call back on their reader threads; each event is re-emitted as a
Qt signal so it reaches the view-model on the GUI thread. The LED display follows
the counter's retained snapshot through the hardware layer's ``LedBridge`` (the
same decisions as the hall's headless LED bridge: number, blink on each call,
"TAM NGHI" when paused, dark when closed).
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from counter.viewmodel import CounterViewModel
from hardware.led_bridge import LedBridge
from hardware.ports import (
    Keypad,
    KeypadAction,
    KeypadEvent,
    LedDisplay,
    RatingEvent,
    RatingPad,
)
from server.contract.messages import CounterSnapshot
from server.contract.vocab import Rating

log = logging.getLogger(__name__)

# Keypad keys -> the terminal's press names (the same as its buttons and shortcuts).
KEY_TO_PRESS: dict[KeypadAction, str] = {
    KeypadAction.CALL_NEXT: "call-next",
    KeypadAction.RECALL: "recall",
    KeypadAction.NO_SHOW: "no-show",
    KeypadAction.TRANSFER: "transfer",
    KeypadAction.PAUSE: "pause-toggle",
    KeypadAction.START: "start",
    KeypadAction.FINISH: "finish",
}


@dataclass(frozen=True, slots=True)
class DevicePorts:
    """The device URLs given on the command line (``None`` = not connected)."""

    keypad: str | None = None
    rating_pad: str | None = None
    led: str | None = None
    address: int | None = None

    def any(self) -> bool:
        return bool(self.keypad or self.rating_pad or self.led)

    def check(self) -> None:
        """Refuse a nonsense bus address before anything opens."""
        if self.address is not None and not 1 <= self.address <= 254:
            raise ValueError(f"bus address must be 1..254, not {self.address}")


@dataclass(frozen=True, slots=True)
class OpenedDevices:
    """The devices opened from ``DevicePorts``; any of them may be absent."""

    keypad: Keypad | None = None
    rating_pad: RatingPad | None = None
    led: LedDisplay | None = None


class CounterDevices(QObject):
    """Owns the opened devices and routes their events to the terminal."""

    keypad_event = Signal(object)
    rating_event = Signal(object)

    def __init__(
        self,
        ports: DevicePorts,
        vm: CounterViewModel,
        press: Callable[[str], None],
        opener: Callable[[DevicePorts], OpenedDevices] | None = None,
    ) -> None:
        super().__init__()
        self.ports = ports
        self.vm = vm
        self.press = press
        self.opened = (opener or open_devices)(ports)
        self.address = ports.address
        self.led: LedBridge | None = None
        self.keypad_event.connect(self._on_keypad)
        self.rating_event.connect(self._on_rating)

    def bus_address(self) -> int:
        """This counter's bus address: the configured one, else the counter's number."""
        if self.address is not None:
            return self.address
        counter = self.vm.counter
        if counter is not None:
            return counter.number
        try:
            return int(self.vm.counter_id)
        except ValueError:
            return 0

    def start(self) -> None:
        opened = self.opened
        if opened.keypad is not None:
            opened.keypad.on_event = self.keypad_event.emit
            opened.keypad.start()
        if opened.rating_pad is not None:
            opened.rating_pad.on_event = self.rating_event.emit
            opened.rating_pad.start()
        if opened.led is not None:
            # A bus driver opens its port in a reader thread; other displays need nothing.
            start = getattr(opened.led, "start", None)
            if callable(start):
                start()
            addresses = {self.vm.counter_id: self.address} if self.address is not None else {}
            self.led = LedBridge(self.vm.site, opened.led, addresses=addresses)
            self.vm.snapshot_applied.connect(self._follow)

    def stop(self) -> None:
        opened = self.opened
        if self.led is not None:
            self.vm.snapshot_applied.disconnect(self._follow)
        for source in (opened.keypad, opened.rating_pad):
            if source is not None:
                source.stop()
        if opened.led is not None:
            opened.led.close()

    @Slot(object)
    def _follow(self, snapshot: CounterSnapshot) -> None:
        if self.led is None:
            return
        shown = self.led.states.get(snapshot.counter.id)
        if shown is not None and snapshot.seq < shown.seq:
            # The subscriber let an older seq through: the server restarted its sequence.
            # Start over (shown again, no blink for a call the display may have seen).
            self.led.states.pop(snapshot.counter.id, None)
        try:
            self.led.apply(snapshot)
        except Exception:
            # The LED is a convenience: a broken one is logged, never stops the clerk.
            log.exception("LED display did not follow counter %s", snapshot.counter.id)

    @Slot(object)
    def _on_keypad(self, event: KeypadEvent) -> None:
        if event.address != self.bus_address():
            log.debug("keypad event for address %d ignored", event.address)
            return
        press = KEY_TO_PRESS.get(event.action)
        if press is None:
            log.warning("unknown keypad action %r", event.action)
            return
        self.press(press)

    @Slot(object)
    def _on_rating(self, event: RatingEvent) -> None:
        if event.address != self.bus_address():
            log.debug("rating for address %d ignored", event.address)
            return
        try:
            rating = Rating(event.rating)
        except ValueError:
            log.warning("rating pad sent an unknown rating %r", event.rating)
            return
        self.vm.rate(rating)


def open_devices(ports: DevicePorts) -> OpenedDevices:
    """Make the hardware layer's drivers for the ports given (opened by ``start``).

    The keypad and pad readers take every address; ``CounterDevices`` filters, because
    the counter's number (the default address) is known only once the counter loads.
    """
    from hardware.registry import open_keypad, open_led, open_rating_pad

    return OpenedDevices(
        keypad=open_keypad(ports.keypad) if ports.keypad else None,
        rating_pad=open_rating_pad(ports.rating_pad) if ports.rating_pad else None,
        led=open_led(ports.led) if ports.led else None,
    )
