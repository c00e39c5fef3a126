"""Build any device from its configuration URL: the one place that knows every scheme.

Printers: ``usb://``, ``serial://``, ``tcp://``, ``cups://``, ``file://``, ``virtual://``
(see ``hardware.printer.backends``). Serial devices: a device path, ``serial://PATH?
baudrate=N``, any pyserial URL (``loop://``, ``socket://127.0.0.1:7000``), or
``sim://KIND[?address=N]``, which starts the matching simulator on a pseudo-terminal and
opens the driver on it; the simulator is then ``driver.simulator`` and closes with it.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from hardware.ports import DeviceConfigError, KeypadEvent, RatingEvent

if TYPE_CHECKING:
    from hardware.bus import KeypadReader, LedBus, RatingPadReader
    from hardware.printer.backends import EscposPrinter
    from hardware.printer.layout import TicketLayout
    from hardware.printer.virtual import VirtualPrinter
    from hardware.scanner import ScanResult, SerialScanner

SIM_KINDS = ("scanner", "keypad", "rating", "led")


def is_sim(url: str) -> bool:
    return url.startswith("sim://")


def _sim_for(url: str, kind: str) -> Any:
    """Start the simulator a ``sim://`` URL asks for, checking it is the right kind."""
    from hardware.sim.devices import KeypadSim, LedBusSim, RatingPadSim, ScannerSim

    parts = urlsplit(url)
    asked = parts.netloc or parts.path.strip("/")
    if asked != kind:
        raise DeviceConfigError(f"{url!r} is not a {kind} (use sim://{kind})")
    raw = parse_qs(parts.query).get("address", ["1"])[-1]
    if not raw.isdigit() or not 1 <= int(raw) <= 254:
        raise DeviceConfigError(f"address must be 1..254 in {url}")
    address = int(raw)
    if kind == "scanner":
        return ScannerSim()
    if kind == "keypad":
        return KeypadSim(address)
    if kind == "rating":
        return RatingPadSim(address)
    return LedBusSim()


def _port(url: str, kind: str) -> tuple[str, Any]:
    if is_sim(url):
        sim = _sim_for(url, kind)
        return sim.port_path, sim
    return url, None


def open_printer(url: str, layout: TicketLayout | None = None) -> EscposPrinter | VirtualPrinter:
    """A ``TicketPrinter`` (``EscposPrinter`` or ``VirtualPrinter``) from its URL."""
    from hardware.printer.backends import open_printer as open_from_url

    return open_from_url(url, layout)


def open_scanner(url: str, on_scan: Callable[[ScanResult], None] | None = None) -> SerialScanner:
    """A ``SerialScanner`` (not started): ``on_scan`` gets ``CccdScan | ScanRejected``."""
    from hardware.scanner import SerialScanner

    port, sim = _port(url, "scanner")
    scanner = SerialScanner(port, on_scan)
    scanner.simulator = sim
    return scanner


def open_keypad(
    url: str,
    on_event: Callable[[KeypadEvent], None] | None = None,
    addresses: Collection[int] | None = None,
) -> KeypadReader:
    """A ``KeypadReader`` (not started)."""
    from hardware.bus import KeypadReader

    port, sim = _port(url, "keypad")
    keypad = KeypadReader(port, on_event, addresses=addresses)
    keypad.simulator = sim
    return keypad


def open_rating_pad(
    url: str,
    on_event: Callable[[RatingEvent], None] | None = None,
    addresses: Collection[int] | None = None,
) -> RatingPadReader:
    """A ``RatingPadReader`` (not started)."""
    from hardware.bus import RatingPadReader

    port, sim = _port(url, "rating")
    pad = RatingPadReader(port, on_event, addresses=addresses)
    pad.simulator = sim
    return pad


def open_led(url: str) -> LedBus:
    """A ``LedBus`` (not started) driving every LED display on that port."""
    from hardware.bus import LedBus

    port, sim = _port(url, "led")
    bus = LedBus(port)
    bus.simulator = sim
    return bus
