"""``qms hw ...``: tools an installer runs on site to check each device.

Only argparse is imported here; every handler loads what it needs, so ``qms kiosk``
does not pay for the hardware layer's imports.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

EXIT_OK = 0
EXIT_DEVICE = 1  # the device answered badly or not at all
EXIT_USAGE = 2  # the URL or an argument is wrong


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``hw`` and its sub-commands to the ``qms`` parser."""
    hw = sub.add_parser("hw", help="check and drive hardware devices")
    tools = hw.add_subparsers(dest="hw_command", metavar="TOOL")
    tools.required = True

    p = tools.add_parser(
        "print-test", help="print the demo centre's sample ticket (Vietnamese, with QR code)"
    )
    p.add_argument("url", help="printer URL, e.g. tcp://192.168.1.50:9100 or virtual:///tmp/t")
    p.add_argument("--width", type=int, default=576, help="dots: 576 (80 mm) or 384 (58 mm)")
    p.set_defaults(func=print_test)

    s = tools.add_parser("listen-scanner", help="print each scan (name, masked ID) until stopped")
    s.add_argument(
        "port", help="serial port, e.g. /dev/ttyACM0, serial:///dev/ttyUSB0?baudrate=9600"
    )
    s.add_argument("--count", type=int, default=0, help="stop after this many scans (0: never)")
    s.set_defaults(func=listen_scanner)

    led = tools.add_parser("led", help="show TEXT on the LED display at bus address ADDR")
    led.add_argument("port", help="serial port of the RS-485 bus")
    led.add_argument("addr", type=int, help="bus address 1..254 (255: every display)")
    led.add_argument("text", help="what to show (made ASCII, up to 16 characters)")
    led.add_argument("--blink", type=int, default=0, help="then blink this many times")
    led.add_argument("--wait", type=float, default=5.0, help="seconds to wait for the port")
    led.set_defaults(func=led_command)

    b = tools.add_parser("led-bridge", help="drive an area's LED displays from MQTT state")
    b.add_argument("--site", required=True, help="site id, e.g. hcm-ttphcc")
    b.add_argument("--port", required=True, help="serial port of the RS-485 bus")
    b.add_argument(
        "--mqtt", default="mqtt://127.0.0.1:1883", help="mqtt[s]://[user:pass@]host:port"
    )
    b.add_argument(
        "--server-key", help="the server's MQTT key, from `qms device add` (env QMS_SERVER_KEY)"
    )
    b.add_argument("--server-key-file", help="where the key is pinned (default: the data dir)")
    b.add_argument("--mqtt-ca", help="a private CA for mqtts:// (env QMS_MQTT_CA)")
    b.add_argument(
        "--server", help="the queue server's http(s) URL, for the bridge's heartbeat (QMS_SERVER)"
    )
    b.add_argument("--area", help="only counters of this area")
    b.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="COUNTER=ADDR",
        help="bus address of a counter (default: its number); repeatable",
    )
    b.set_defaults(func=led_bridge_command)

    sim = tools.add_parser(
        "simulate", help="run one device simulator on a pty, driven by typed lines"
    )
    sim.add_argument("kind", choices=("scanner", "keypad", "rating", "led"))
    sim.add_argument("--address", type=int, default=1, help="bus address of a keypad or pad")
    sim.set_defaults(func=simulate_command)


def _say(text: str) -> None:
    print(text, flush=True)


def _fail(text: str, code: int) -> int:
    print(text, file=sys.stderr, flush=True)
    return code


def print_test(args: argparse.Namespace) -> int:
    """Print the sample ticket; the exit code says whether it came out."""
    from hardware.ports import HardwareError, PrintError, status_text
    from hardware.printer.backends import open_printer
    from hardware.printer.sample import demo_layout, demo_ticket
    from hardware.printer.virtual import VirtualPrinter

    try:
        printer = open_printer(args.url, demo_layout(args.width))
    except HardwareError as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    status = printer.status()
    _say(f"{printer.url}: {status.value} ({status_text(status)} / {status_text(status, 'en')})")
    try:
        printer.print_ticket(demo_ticket())
    except PrintError as exc:
        return _fail(f"not printed: {exc.message_vi} / {exc}", EXIT_DEVICE)
    finally:
        printer.close()
    if isinstance(printer, VirtualPrinter) and printer.printed:
        png = printer.printed[-1]
        _say(f"printed: {png} and {png.with_suffix('.bin')}")
    else:
        _say("printed: Đã in phiếu mẫu / sample ticket sent")
    return EXIT_OK


def _scan_line(result: Any) -> str:
    from hardware.ports import ScanRejected

    if isinstance(result, ScanRejected):
        return f"REJECTED  {result.message_vi} / {result.message_en}"
    return f"OK  {result.full_name}  {result.masked_id}"  # no more personal data than that


def listen_scanner(args: argparse.Namespace) -> int:
    """Print every scan as it is parsed, until Ctrl+C (or ``--count`` scans)."""
    import threading

    from hardware.ports import HardwareError
    from hardware.registry import open_scanner

    done = threading.Event()
    seen = 0

    def on_scan(result: Any) -> None:
        nonlocal seen
        _say(_scan_line(result))
        seen += 1
        if args.count and seen >= args.count:
            done.set()

    try:
        scanner = open_scanner(args.port, on_scan)
    except HardwareError as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    scanner.start()
    try:
        if not scanner.wait_connected(3):
            _say(f"waiting for {scanner.port} (will connect when it appears)...")
        _say("scan an ID card; Ctrl+C to stop / Quét thẻ CCCD; Ctrl+C để dừng")
        sim = scanner.simulator
        while not done.wait(3.0):
            if sim is not None:  # sim://scanner: show what a real card looks like
                sim.scan_card()
    finally:
        scanner.stop()
    return EXIT_OK


def led_command(args: argparse.Namespace) -> int:
    """Send one text (and optional blink) to one display; fail if the port will not open."""
    from hardware import framing
    from hardware.ports import HardwareError
    from hardware.registry import open_led
    from hardware.serial_link import NotConnectedError

    try:
        frames = framing.led_show(args.addr, args.text).encode()
        if args.blink:
            frames += framing.led_blink(args.addr, args.blink).encode()
        bus = open_led(args.port)
    except (framing.FrameError, HardwareError) as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    bus.start()
    try:
        if not bus.wait_connected(args.wait):
            return _fail(f"error: cannot open {bus.port}", EXIT_DEVICE)
        bus.write(frames)
    except NotConnectedError as exc:
        return _fail(f"error: {exc}", EXIT_DEVICE)
    finally:
        bus.stop()
    _say(f"sent to {args.addr}: {framing.led_text(args.text).decode()} ({frames.hex(' ')})")
    return EXIT_OK


def led_bridge_command(args: argparse.Namespace) -> int:
    """Run the LED bridge until Ctrl+C."""
    import os
    import threading
    from pathlib import Path
    from urllib.parse import unquote, urlsplit

    from appkit.heartbeat import Heartbeat, token_in
    from appkit.server_key import CA_ENV, KEY_ENV, default_pin_file, pinned_key
    from appkit.trust import Verifier
    from hardware.led_bridge import LedBridge, MqttLedBridge
    from hardware.ports import HardwareError
    from hardware.registry import open_led
    from server.contract.redaction import redact

    addresses: dict[str, int] = {}
    for item in args.map:
        counter, _, addr = item.partition("=")
        if not counter or not addr.isdigit():
            return _fail(f"error: --map wants COUNTER=ADDR, got {item!r}", EXIT_USAGE)
        addresses[counter] = int(addr)
    url = urlsplit(args.mqtt)
    if url.scheme not in ("mqtt", "mqtts") or not url.hostname:
        shown = redact(args.mqtt)
        return _fail(f"error: --mqtt must be mqtt[s]://host:port, got {shown!r}", EXIT_USAGE)
    try:
        key = pinned_key(
            Path(args.server_key_file) if args.server_key_file else default_pin_file(),
            given=args.server_key or os.environ.get(KEY_ENV),
        )
        bus = open_led(args.port)
        bridge = LedBridge(
            args.site, bus, addresses=addresses, area=args.area, verifier=Verifier(key)
        )
    except (HardwareError, ValueError) as exc:
        return _fail(f"error: {exc}", EXIT_USAGE)
    if key is None:
        print(
            "warning: no server key (--server-key): MQTT messages are NOT verified",
            file=sys.stderr,
        )
    simulator = getattr(bus, "simulator", None)
    if simulator is not None:  # sim://led: show what each simulated display shows
        simulator.on_change = _LedPrinter()
    mqtt = MqttLedBridge(
        bridge,
        url.hostname,
        url.port or (8883 if url.scheme == "mqtts" else 1883),
        username=unquote(url.username) if url.username else None,
        password=unquote(url.password) if url.password else None,
        tls=url.scheme == "mqtts",
        ca_file=args.mqtt_ca or os.environ.get(CA_ENV),
    )
    server = args.server or os.environ.get("QMS_SERVER")
    token = token_in(args.mqtt)
    heartbeat = (
        Heartbeat(server, token, detail=f"LED bridge {args.site}") if server and token else None
    )
    bus.start()
    mqtt.start()
    if heartbeat is not None:
        heartbeat.start()
    try:
        threading.Event().wait()
    finally:
        if heartbeat is not None:
            heartbeat.stop()
        mqtt.stop()
        bus.stop()
    return EXIT_OK


class _LedPrinter:
    """Prints a line when a simulated display changes: the demo's LEDs, in a terminal."""

    def __init__(self) -> None:
        self.seen: dict[int, tuple[str, int]] = {}

    def __call__(self, address: int, panel: Any) -> None:
        now = (panel.text, panel.blinks)
        before = self.seen.get(address)
        if now == before:
            return
        self.seen[address] = now
        blink = " (blinks)" if before is not None and panel.blinks > before[1] else ""
        print(f"LED {address:>3}: {panel.text or '(blank)'}{blink}", flush=True)


def simulate_command(args: argparse.Namespace) -> int:
    """Print the simulator's port path, then act on each line typed, until Ctrl+D/C."""
    from hardware.sim.console import run

    if not 1 <= args.address <= 254:
        return _fail("error: --address must be 1..254", EXIT_USAGE)
    return run(args.kind, args.address, sys.stdin)
