"""``qms demo``: the whole hall on embedded defaults, from one command.

SQLite and the demo data in ``--data-dir``, the embedded MQTT broker, the queue server,
and, when there is a screen, a kiosk (virtual printer), a counter terminal (logged in
as a demo clerk) and a display board, each its own process as in a real hall.
Only argparse at import time, like every other ``cli`` module.
"""

import argparse
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import subprocess

    from qms.placement import Place
    from server.runtime import Runtime

SITE = "hcm-main"
AREA = "A"
KIOSK = "kiosk-1"
COUNTER = "2"  # zone A, Hộ tịch: counter 1 is the zone's priority counter
DISPLAY = f"display-{AREA}"
LED_BRIDGE = f"led-bridge-{AREA}"  # enrolled at each start, as an LED bridge


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    parser = sub.add_parser(
        "demo",
        help="the whole hall on embedded defaults (server, broker, kiosk, counter, display)",
        description=(
            "Run the demo centre: SQLite and the demo data in --data-dir, the embedded MQTT "
            "broker, the queue server and simulated devices; with a screen, also a kiosk, a "
            "counter terminal and a display board. Ctrl+C stops everything."
        ),
    )
    parser.add_argument("--headless", action="store_true", help="no windows; print the URLs")
    parser.add_argument(
        "--data-dir", type=Path, default=Path("var"), help="database, tickets, settings (./var)"
    )
    parser.add_argument("--http", default="127.0.0.1:8080", help="HOST:PORT of the HTTP API")
    parser.add_argument(
        "--mqtt-port",
        type=int,
        default=None,
        help="embedded broker port (default 1883; 0 picks a free one)",
    )
    parser.add_argument(
        "--real-hours",
        action="store_true",
        help="keep the centre's opening hours (default: open around the clock for a demo)",
    )
    parser.add_argument("--no-sound", action="store_true", help="a silent display board")
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class DemoLinks:
    """What a person needs to reach the running demo."""

    http: str
    mqtt: str
    data_dir: Path
    server_key: str = ""  # the server's MQTT key, which every app pins

    def with_device(self, device: str, credentials: dict[str, Any]) -> str:
        """The broker URL with a device's id and token (the broker refuses strangers)."""
        token = credentials["devices"][device]
        return self.mqtt.replace("mqtt://", f"mqtt://{device}:{token}@", 1)

    def key_options(self, app: str) -> list[str]:
        """Each app pins the key in the demo's data dir, not in the home directory."""
        if not self.server_key:
            return []
        pin = self.data_dir.resolve() / "pins" / f"{app}.pin"
        return ["--server-key", self.server_key, "--server-key-file", str(pin)]

    def lines(self) -> list[str]:
        tickets = self.data_dir / "tickets"
        return [
            "Demo hall is running (Ctrl+C stops it).",
            f"  health:          {self.http}/api/v1/health",
            f"  API (OpenAPI):   {self.http}/openapi.json",
            f"  kiosk menu:      {self.http}/api/v1/sites/{SITE}/services",
            f"  MQTT broker:     {self.mqtt}  (topics qms/v1/{SITE}/...)",
            f"  printed tickets: {tickets.resolve()}",
            f"  accounts/tokens: {(self.data_dir / 'demo-credentials.json').resolve()}",
            f"  server MQTT key: {self.server_key}",
            f"  try: mosquitto_sub -h 127.0.0.1 -p {self.mqtt.rsplit(':', 1)[-1]} "
            f"-u {DISPLAY} -P <its token in demo-credentials.json> "
            f"-t 'qms/v1/{SITE}/display/#' -v",
        ]


def has_screen() -> bool:
    """Windows need an X or Wayland display, unless Qt was told to draw off screen."""
    if os.environ.get("QT_QPA_PLATFORM", "").startswith(("offscreen", "minimal")):
        return False
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def start_hall(args: argparse.Namespace) -> tuple["Runtime", dict[str, Any]]:
    """Seed the demo (idempotent), then start server and embedded broker."""
    from datetime import UTC, datetime

    from server.config import load_settings
    from server.runtime import Runtime, freeze_start_up_objects
    from server.storage.seeding import seed_demo

    settings = load_settings(
        environ={}, overrides={"data_dir": str(args.data_dir), "http": args.http}
    )
    settings = replace(settings, embedded_mqtt_port=args.mqtt_port)
    seed_demo(
        settings.db_url, settings.data_dir, now=datetime.now(UTC), always_open=not args.real_hours
    )
    credentials = _credentials(settings.data_dir)
    runtime = Runtime(settings)
    runtime.start()
    from server.contract.vocab import DeviceKind

    # The LED bridge reads the broker as a device of its own (a new token each start).
    credentials["devices"][LED_BRIDGE] = runtime.service.devices.add(
        LED_BRIDGE, DeviceKind.LED, SITE, f"Đèn LED số quầy khu {AREA}"
    )
    freeze_start_up_objects()
    return runtime, credentials


def _credentials(data_dir: Path) -> dict[str, Any]:
    import json

    from server.storage.seeding import CREDENTIALS_FILE

    data: dict[str, Any] = json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    return data


def _password(credentials: dict[str, Any], counter: str) -> tuple[str, str]:
    for user in credentials.get("users", []):
        if user.get("counter") == counter and user.get("role") == "clerk":
            return str(user["username"]), str(user["password"])
    raise LookupError(f"no demo clerk for counter {counter}")


def user_of(credentials: dict[str, Any]) -> str:
    return _password(credentials, COUNTER)[0]


def app_commands(
    links: DemoLinks,
    credentials: dict[str, Any],
    *,
    no_sound: bool,
    places: "dict[str, Place] | None" = None,
) -> list[tuple[str, list[str], dict[str, str], str | None]]:
    """(name, argv, extra environment, stdin) of each window the demo opens; with
    ``places`` (``qms.placement.hall_places``) each window opens at its place, scaled
    to it."""
    qms = [sys.executable, "-m", "qms"]
    data_dir = links.data_dir.resolve()
    user, password = _password(credentials, COUNTER)
    kiosk = [
        *qms,
        "kiosk",
        "--server",
        links.http,
        "--mqtt",
        links.mqtt,
        *links.key_options("kiosk"),
        "--site",
        SITE,
        "--kiosk-id",
        KIOSK,
        "--printer",
        f"virtual://{data_dir / 'tickets'}",
        "--allow-screen-ticket",
    ]
    counter = [
        *qms,
        "counter",
        "--server",
        links.http,
        "--mqtt",
        links.mqtt,
        *links.key_options("counter"),
        "--site",
        SITE,
        "--counter",
        COUNTER,
        "--user",
        user,
        "--password-stdin",
        "--data-dir",
        str(data_dir / "counter"),
    ]
    display = [*qms, "display", "--mqtt", links.with_device(DISPLAY, credentials)]
    display += ["--site", SITE, "--area", AREA, *links.key_options("display")]
    board = places["display"] if places else None
    # A hall screen's 16:9, small enough to sit beside the others.
    display += ["--size", f"{board.width}x{board.height}" if board else "960x540"]
    display += ["--server", links.http]  # its heartbeat
    if no_sound:
        display.append("--no-sound")
    token = str(credentials["devices"][KIOSK])
    # The counter PC's own token: after a logout its login page offers the PIN pad.
    pc_token = str(credentials["devices"][f"counter-pc-{COUNTER}"])
    commands = [
        # The kiosk is drawn for a 1080x1920 touchscreen; at half scale (or the scale of
        # its place) it fits a laptop's screen with everything in proportion.
        ("kiosk", kiosk, {"QMS_KIOSK_TOKEN": token, "QT_SCALE_FACTOR": "0.5"}, None),
        ("counter", counter, {"QMS_COUNTER_TOKEN": pc_token}, password + "\n"),
        ("display", display, {}, None),
    ]
    if places is None:
        return commands
    placed = []
    for name, argv, env, stdin in commands:
        place = places[name]
        at = [sys.executable, "-m", "qms.placement", place.corner, *argv[len(qms) :]]
        scaled = {**env, "QT_SCALE_FACTOR": str(place.scale)} if place.scale != 1.0 else env
        placed.append((name, at, scaled, stdin))
    return placed


def device_commands(
    links: DemoLinks, credentials: dict[str, Any]
) -> list[tuple[str, list[str], dict[str, str], str | None]]:
    """The simulated devices: the LED number displays above zone A's counters, on a
    simulated RS-485 bus, each change printed as ``LED   2: 1001``."""
    bridge = [sys.executable, "-m", "qms", "hw", "led-bridge", "--site", SITE]
    bridge += ["--port", "sim://led", "--mqtt", links.with_device(LED_BRIDGE, credentials)]
    bridge += ["--area", AREA, *links.key_options("led-bridge"), "--server", links.http]
    return [("LED bridge", bridge, {}, None)]


def open_windows(
    commands: list[tuple[str, list[str], dict[str, str], str | None]],
) -> list[tuple[str, "subprocess.Popen[bytes]"]]:
    """Start each command as its own process (the name says windows; devices too)."""
    import subprocess

    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    for name, argv, extra_env, stdin in commands:
        child = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            argv,
            env={**os.environ, **extra_env},
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        )
        if stdin is not None and child.stdin is not None:
            child.stdin.write(stdin.encode())
            child.stdin.close()
        children.append((name, child))
    return children


def run(args: argparse.Namespace) -> int:
    import logging
    import signal
    import threading

    log = logging.getLogger("qms.demo")
    try:
        runtime, credentials = start_hall(args)
    except (OSError, ValueError) as exc:
        print(f"qms demo: {exc}", file=sys.stderr)
        return 2
    host, mqtt_port = runtime.broker_address()
    links = DemoLinks(
        http=f"http://{runtime.settings.http_host}:{runtime.port}",
        mqtt=f"mqtt://{host}:{mqtt_port}",
        data_dir=runtime.settings.data_dir,
        server_key=runtime.signer.key.public.text if runtime.signer else "",
    )
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    children: list[tuple[str, subprocess.Popen[bytes]]] = []
    devices: list[tuple[str, subprocess.Popen[bytes]]] = []
    windows = not args.headless
    if windows and not has_screen():
        print("qms demo: no screen found (DISPLAY is not set); running headless.")
        windows = False
    try:
        print("\n".join(links.lines()), flush=True)
        devices = open_windows(device_commands(links, credentials))
        print(f"  devices: the LED displays of zone {AREA} on a simulated bus (lines 'LED ...')")
        if windows:
            from qms.placement import hall_places, probe_screen

            area = probe_screen()  # side by side on this screen, when Qt can tell its size
            places = hall_places(area) if area else None
            children = open_windows(
                app_commands(links, credentials, no_sound=args.no_sound, places=places)
            )
            print(
                f"  windows: kiosk (virtual printer), counter {COUNTER} ({user_of(credentials)}), "
                f"display board (zone {AREA})"
            )
        while not stop.wait(0.5):
            if children and all(child.poll() is not None for _, child in children):
                if any(child.returncode != 0 for _, child in children):
                    # Qt could not open the screen (missing xcb libraries, say): the hall
                    # is still worth running for a browser or mosquitto_sub.
                    print(
                        "qms demo: the windows could not start (see above; `make demo` "
                        "installs Qt's X11 libraries); the hall keeps running headless."
                    )
                    children = []
                    continue
                log.info("every window is closed; stopping the demo")
                break
    except KeyboardInterrupt:
        pass
    finally:
        children += devices
        for _, child in children:
            if child.poll() is None:
                child.terminate()
        for name, child in children:
            try:
                child.wait(timeout=10)
            except Exception:  # a window that does not close in time is killed
                log.warning("%s did not stop; killing it", name)
                child.kill()
        runtime.stop()
    return 0
