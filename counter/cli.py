"""``qms counter``: the clerk's terminal (see docs/counter.md).

Only argparse (and the name of the token's variable) here; Qt and the rest load
inside the handler.
"""

import argparse

from counter.settings import TOKEN_ENV

DEFAULT_SERVER = "http://127.0.0.1:8080"
DEFAULT_MQTT = "mqtt://127.0.0.1:1883"


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "counter",
        help="the clerk's counter terminal",
        description=(
            "Counter terminal: call, serve, transfer and finish tickets. Remembers the "
            "server, site and counter in the data directory."
        ),
    )
    parser.add_argument("--server", metavar="URL", help=f"queue server (default {DEFAULT_SERVER})")
    parser.add_argument("--mqtt", metavar="URL", help=f"MQTT broker (default {DEFAULT_MQTT})")
    parser.add_argument("--site", help="site id (default: the clerk's site, or hcm-main)")
    parser.add_argument("--counter", metavar="ID", help="counter id (default: the remembered one)")
    parser.add_argument("--user", metavar="NAME", help="log in as NAME without the login page")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input (with --user)",
    )
    parser.add_argument(
        "--device-token",
        metavar="TOKEN",
        help=f"this PC's device token from `qms device add NAME --kind counter` (default: "
        f"${TOKEN_ENV}); without it clerks log in by username and password only, not by PIN",
    )
    parser.add_argument(
        "--server-key",
        metavar="KEY",
        help="the server's MQTT key from `qms device add` (default: $QMS_SERVER_KEY, else "
        "asked from the server); pinned beside the settings",
    )
    parser.add_argument("--server-key-file", metavar="FILE", help="where the key is pinned")
    parser.add_argument(
        "--mqtt-ca", metavar="FILE", help="a private CA for mqtts:// ($QMS_MQTT_CA)"
    )
    parser.add_argument("--keypad", metavar="PORT", help="serial port of the counter keypad")
    parser.add_argument("--rating-pad", metavar="PORT", help="serial port of the rating pad")
    parser.add_argument("--led", metavar="PORT", help="serial port of the LED number display")
    parser.add_argument(
        "--bus-address",
        type=int,
        metavar="N",
        help="RS-485 address of this counter's keypad, pad and LED (default: the counter number)",
    )
    parser.add_argument(
        "--rating-window",
        action="store_true",
        help="also show the on-screen rating window when a rating pad is connected",
    )
    parser.add_argument("--language", choices=("vi", "en"), help="screen language (default vi)")
    parser.add_argument("--data-dir", metavar="DIR", help="where settings are kept")
    parser.add_argument(
        "--screenshot",
        metavar="FILE",
        help="log in (needs --user and --password-stdin), render the terminal once "
        "with live data, save it as PNG and exit",
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from counter.main import main

    return main(args)
