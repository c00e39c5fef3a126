"""``qms hw simulate KIND``: one device simulator on a pty, driven from the keyboard.

It prints the port path for another process to open (``qms kiosk --scanner PATH``,
``qms counter --keypad PATH``...), then turns each line typed into what the device
would send: a scan, a key, a rating. The LED bus prints what every display shows.
"""

from __future__ import annotations

import random
import sys
import threading
from collections.abc import Callable, Iterable
from typing import TextIO

from hardware import framing
from hardware.ports import KeypadAction
from hardware.sim.devices import KeypadSim, LedBusSim, LedPanel, RatingPadSim, ScannerSim

KINDS = ("scanner", "keypad", "rating", "led")

FAULTS = "'garbage', 'unplug', 'plug'"
HELP = {
    "scanner": f"Enter: scan an invented ID card; other text: scan it; {FAULTS}",
    "keypad": f"a key ({', '.join(a.value for a in KeypadAction)}); 'torn KEY'; {FAULTS}",
    "rating": f"a rating ({', '.join(framing.RATING_CODES)}); {FAULTS}",
    "led": "prints every display change; 'unplug', 'plug'",
}


def _common(sim: ScannerSim | KeypadSim | RatingPadSim | LedBusSim, word: str) -> bool:
    """Faults every simulator understands; True if ``word`` was one."""
    if word == "unplug":
        sim.disconnect()
    elif word == "plug":
        sim.reconnect()
    elif word == "garbage":
        sim.send_garbage(24)
    else:
        return False
    return True


def _scanner(sim: ScannerSim, line: str, rng: random.Random) -> str:
    if not line:
        return f"scanned {sim.scan_card(rng).split('|')[2]}"
    sim.scan(line)
    return "scanned"


def _keypad(sim: KeypadSim, line: str) -> str:
    torn = line.startswith("torn")
    action = line.removeprefix("torn").strip() or KeypadAction.CALL_NEXT.value
    try:
        sim.press(action, torn=torn)
    except ValueError:
        return f"unknown key {action!r}"
    return f"pressed {action}{' (torn)' if torn else ''}"


def _rating(sim: RatingPadSim, line: str) -> str:
    try:
        sim.rate(line)
    except framing.FrameError:
        return f"unknown rating {line!r}"
    return f"rated {line}"


def _make(kind: str, address: int) -> ScannerSim | KeypadSim | RatingPadSim | LedBusSim:
    if kind == "scanner":
        return ScannerSim()
    if kind == "keypad":
        return KeypadSim(address)
    if kind == "rating":
        return RatingPadSim(address)
    return LedBusSim()


def run(
    kind: str,
    address: int,
    lines: Iterable[str],
    out: TextIO = sys.stdout,
    ready: Callable[[str], None] | None = None,
) -> int:
    """Run one simulator until ``lines`` ends (stdin: Ctrl+D) and return an exit code."""
    if kind not in KINDS:
        print(f"error: KIND must be one of {', '.join(KINDS)}", file=sys.stderr)
        return 2
    rng = random.Random()
    sim = _make(kind, address)
    lock = threading.Lock()

    def say(text: str) -> None:
        with lock:
            print(text, file=out, flush=True)

    if isinstance(sim, LedBusSim):

        def changed(addr: int, panel: LedPanel) -> None:
            blinked = f" (blinked {panel.blinks})" if panel.blinks else ""
            say(f"LED {addr}: {panel.text!r}{blinked}")

        sim.on_change = changed
    say(f"{kind} simulator on {sim.port_path}")
    say(HELP[kind])
    if ready is not None:
        ready(sim.port_path)
    try:
        for raw in lines:
            line = raw.strip()
            if _common(sim, line):
                say(line)
            elif isinstance(sim, ScannerSim):
                say(_scanner(sim, raw.rstrip("\r\n"), rng))
            elif isinstance(sim, KeypadSim):
                say(_keypad(sim, line))
            elif isinstance(sim, RatingPadSim):
                say(_rating(sim, line))
    finally:
        sim.close()
    return 0
