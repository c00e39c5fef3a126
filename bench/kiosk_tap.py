"""A kiosk tap to a number on screen and to a printed ticket.

A real server (SQLite, the embedded broker) runs in its own process (``bench.serve``);
this process runs the kiosk's view-model exactly as the kiosk does, with the virtual
printer (which renders the ticket image and its ESC/POS bytes), and times, per tap:

- issue: from the citizen's last tap (``choose_priority``) to the ticket on screen
  (one HTTP round trip with its idempotency key, the server's locked transaction);
- print: from the ticket on screen to the virtual printer having saved PNG + .bin.

Only the Qt hop to the widgets is left out (a queued signal, well under 1 ms).

    python -m bench.kiosk_tap [--taps 50]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _figures(name: str, values: list[float]) -> str:
    ms = sorted(v * 1000 for v in values)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    return (
        f"{name:>6}: median {statistics.median(ms):6.1f} ms  p95 {p95:6.1f} ms  "
        f"max {ms[-1]:6.1f} ms  (n={len(ms)})"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--taps", type=int, default=50)
    args = parser.parse_args(argv)

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # A QApplication, not a bare QCoreApplication: ``make bench`` runs the display
    # board's widget benchmark next in this process, and Qt allows one application.
    from PySide6.QtWidgets import QApplication

    from appkit.offthread import InlineRunner
    from hardware.printer.virtual import VirtualPrinter
    from kiosk.client import KioskClient
    from kiosk.printing import PrinterGate
    from kiosk.state import KioskSettings, PrintState, Screen
    from kiosk.viewmodel import KioskViewModel
    from server.config import Settings
    from server.storage.seeding import CREDENTIALS_FILE, seed_demo

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "var"
        data.mkdir()
        seed_demo(Settings(data_dir=data).db_url, data, now=datetime.now(UTC), always_open=True)
        tokens = json.loads((data / CREDENTIALS_FILE).read_text(encoding="utf-8"))["devices"]
        server = subprocess.Popen(
            [sys.executable, "-m", "bench.serve", "--data-dir", str(data)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            port = json.loads(server.stdout.readline())["http_port"]
            client = KioskClient.connect(f"http://127.0.0.1:{port}", "hcm-main", tokens["kiosk-1"])
            printer = VirtualPrinter(Path(tmp) / "tickets")
            vm = KioskViewModel(
                client,
                KioskSettings(site="hcm-main", kiosk_id="kiosk-1"),
                PrinterGate(printer),
                runner=InlineRunner(),
            )
            vm.refresh()
            vm.poll_printer()
            issue: list[float] = []
            printed: list[float] = []
            marks: list[float] = []
            vm.ticketIssued.connect(lambda _t: marks.append(time.perf_counter()))
            for tap in range(args.taps + 3):
                marks.clear()
                vm.select_department("tu-phap")
                vm.select_service("tp-hotich")
                start = time.perf_counter()
                vm.choose_priority(None)
                done = time.perf_counter()
                assert vm.screen is Screen.TICKET and vm.print_state is PrintState.PRINTED
                if tap >= 3:  # the first taps warm up connections and fonts
                    issue.append(marks[0] - start)
                    printed.append(done - marks[0])
                vm.finish()
            client.close()
            print(f"kiosk tap -> ticket, {args.taps} taps, SQLite, virtual printer")
            print(_figures("issue", issue))
            print(_figures("print", printed))
        finally:
            if server.stdin is not None:
                server.stdin.close()
            server.wait(timeout=30)
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
