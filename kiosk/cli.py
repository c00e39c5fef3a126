"""``qms kiosk``: run a ticket kiosk (or take one screenshot of its first screen).

Only argparse at import time; Qt, httpx and the hardware drivers load in the handler.
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_PRINTER = "virtual:///./var/tickets"  # ./var/tickets under the working directory
TOKEN_ENV = "QMS_KIOSK_TOKEN"  # noqa: S105 - the name of a variable, not a secret
ID_KEY_ENV = "QMS_ID_KEY"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "kiosk",
        help="run a ticket kiosk (touchscreen, printer, optional ID scanner)",
        description="A full-screen touchscreen kiosk that issues queue tickets and prints them.",
    )
    parser.add_argument("--server", default="http://127.0.0.1:8080", help="queue server URL")
    parser.add_argument(
        "--mqtt", default=None, help="MQTT broker URL for live waiting counts (mqtt://host:port)"
    )
    parser.add_argument(
        "--server-key",
        default=None,
        help="the server's MQTT key from `qms device add` (default: $QMS_SERVER_KEY, else "
        "asked from the server with the token); pinned on first use",
    )
    parser.add_argument(
        "--server-key-file", type=Path, default=None, help="where the server's key is pinned"
    )
    parser.add_argument(
        "--mqtt-ca", default=None, help="a private CA for mqtts:// (default: $QMS_MQTT_CA)"
    )
    parser.add_argument("--site", default="hcm-main", help="site id (default: hcm-main)")
    parser.add_argument("--kiosk-id", default="kiosk-1", help="this kiosk's device id")
    parser.add_argument(
        "--token", default=None, help=f"the kiosk's device token (default: ${TOKEN_ENV})"
    )
    parser.add_argument(
        "--printer",
        default=DEFAULT_PRINTER,
        help="ticket printer URL: usb://, serial://, tcp://HOST:9100, cups://NAME, "
        "virtual:///DIR (saves PNGs) or 'none' for on-screen tickets only "
        f"(default: {DEFAULT_PRINTER}, i.e. ./var/tickets)",
    )
    parser.add_argument(
        "--paper",
        type=int,
        choices=(80, 58),
        default=80,
        help="width of the ticket roll in mm (default: 80)",
    )
    parser.add_argument(
        "--ticket-header",
        action="append",
        default=[],
        metavar="LINE",
        help="a line printed above the centre's name, e.g. 'UBND TP. HỒ CHÍ MINH' "
        "(repeat for more lines)",
    )
    parser.add_argument(
        "--ticket-logo",
        type=Path,
        default=None,
        metavar="FILE",
        help="a picture (PNG, JPEG) printed at the top of the ticket",
    )
    parser.add_argument(
        "--site-name",
        default="",
        help="the centre's name, shown until the server answers (default: a generic name)",
    )
    parser.add_argument(
        "--scanner", default=None, help="ID card QR scanner port (/dev/ttyACM0, sim://scanner)"
    )
    parser.add_argument(
        "--id-key",
        default=None,
        help=f"the site's secret for hashing scanned ID numbers (default: ${ID_KEY_ENV})",
    )
    parser.add_argument("--fullscreen", action="store_true", help="cover the whole screen")
    parser.add_argument(
        "--orientation",
        choices=("portrait", "landscape"),
        default="portrait",
        help="1080x1920 portrait or 1920x1080 landscape layout",
    )
    parser.add_argument(
        "--allow-screen-ticket",
        action="store_true",
        help="keep issuing when the printer cannot print, showing the number on screen only",
    )
    parser.add_argument(
        "--idle-timeout",
        type=float,
        default=60.0,
        help="seconds without a tap before going back to the welcome screen",
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        default=None,
        metavar="FILE",
        help="connect, render the first screen once with live data, save it as PNG and exit",
    )
    parser.set_defaults(func=handle)


def handle(args: argparse.Namespace) -> int:
    if args.screenshot is not None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.app import KioskConfig, run
    from kiosk.views.style import Orientation

    try:
        config = KioskConfig(
            server=args.server,
            site=args.site,
            kiosk_id=args.kiosk_id,
            token=args.token or os.environ.get(TOKEN_ENV),
            mqtt=args.mqtt,
            printer=args.printer,
            scanner=args.scanner,
            id_key=args.id_key or os.environ.get(ID_KEY_ENV),
            orientation=Orientation(args.orientation),
            fullscreen=args.fullscreen,
            allow_screen_ticket=args.allow_screen_ticket,
            idle_timeout_s=args.idle_timeout,
            server_key=args.server_key or os.environ.get("QMS_SERVER_KEY"),
            server_key_file=args.server_key_file,
            mqtt_ca=args.mqtt_ca or os.environ.get("QMS_MQTT_CA"),
            site_name=args.site_name,
            paper_mm=args.paper,
            ticket_header=tuple(args.ticket_header),
            ticket_logo=args.ticket_logo,
        )
    except ValueError as exc:
        log.error("qms kiosk: %s", exc)
        return 2
    if not config.token:
        log.warning("no device token (--token or $%s): the server will refuse tickets", TOKEN_ENV)
    return run(config, screenshot=args.screenshot)
