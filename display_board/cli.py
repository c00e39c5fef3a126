"""``qms display``: the hall display board (see docs/display.md).

Only argparse here; Qt, paho and the rest load inside the handler.
"""

import argparse
import re
from pathlib import Path

DEFAULT_MQTT = "mqtt://127.0.0.1:1883"
_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def _slug(value: str) -> str:
    if not _SLUG.match(value):
        raise argparse.ArgumentTypeError(f"not a valid id: {value!r} (letters, digits, . _ -)")
    return value


def _size(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{3,5})x(\d{3,5})", value)
    if not match:
        raise argparse.ArgumentTypeError(
            f"not a size: {value!r} (use WIDTHxHEIGHT, e.g. 3840x2160)"
        )
    return int(match[1]), int(match[2])


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}") from None
    if not 0 < seconds <= 600:
        raise argparse.ArgumentTypeError("seconds must be between 0 and 600")
    return seconds


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "display",
        help="the hall display board",
        description=(
            "Hall display board: the number being called, every counter's current number, "
            "recent calls and waiting counts, live over MQTT, with a chime and a spoken call."
        ),
    )
    parser.add_argument("--mqtt", metavar="URL", default=DEFAULT_MQTT, help="MQTT broker URL")
    parser.add_argument(
        "--server",
        metavar="URL",
        help="the queue server's http(s) URL, for the board's heartbeat (env QMS_SERVER)",
    )
    parser.add_argument(
        "--server-key",
        metavar="KEY",
        help="the server's MQTT key, from `qms device add` (env QMS_SERVER_KEY); pinned",
    )
    parser.add_argument(
        "--server-key-file", type=Path, metavar="FILE", help="where the key is pinned"
    )
    parser.add_argument(
        "--mqtt-ca", metavar="FILE", help="a private CA for mqtts:// (env QMS_MQTT_CA)"
    )
    parser.add_argument("--site", type=_slug, default="hcm-main", help="site id")
    parser.add_argument("--area", type=_slug, default="A", help="area (zone) this board shows")
    parser.add_argument("--fullscreen", action="store_true", help="fill the screen")
    parser.add_argument(
        "--layout", choices=("landscape", "portrait"), default="landscape", help="screen layout"
    )
    parser.add_argument(
        "--size", type=_size, metavar="WxH", help="window or screenshot size (e.g. 3840x2160)"
    )
    parser.add_argument(
        "--screenshot",
        type=Path,
        metavar="FILE",
        help="render the board once from the retained snapshot, save it as PNG and exit",
    )
    parser.add_argument(
        "--wait",
        type=_seconds,
        default=10.0,
        metavar="S",
        help="with --screenshot: how long to wait for the snapshot (default 10)",
    )
    parser.add_argument(
        "--voice-dir", type=Path, metavar="DIR", help="voice clips (default: the data dir)"
    )
    parser.add_argument("--no-sound", action="store_true", help="show calls without sound")
    parser.add_argument("--english", action="store_true", help="repeat each call in English")
    parser.add_argument(
        "--repeat",
        type=int,
        choices=(1, 2, 3),
        default=1,
        help="say the Vietnamese sentence this many times (default 1)",
    )
    parser.add_argument(
        "--dialect",
        choices=("north", "central", "south"),
        default=None,
        help="the region's voice and its numbers: north (nghìn, linh), central or south "
        "(ngàn, lẻ); default: the site's setting (`voice` in the site file)",
    )
    parser.add_argument("--theme", type=Path, metavar="FILE", help="site colours and logo (JSON)")
    parser.add_argument(
        "--blink", type=_seconds, default=6.0, metavar="S", help="how long a new call blinks"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import logging
    import os

    from appkit.server_key import CA_ENV, KEY_ENV, default_pin_file, pinned_key
    from display_board.app import DisplayConfig
    from display_board.app import run as run_board

    try:
        key = pinned_key(
            args.server_key_file or default_pin_file(),
            given=args.server_key or os.environ.get(KEY_ENV),
        )
        config = DisplayConfig(
            mqtt_url=args.mqtt,
            site=args.site,
            area=args.area,
            layout=args.layout,
            size=args.size,
            fullscreen=args.fullscreen,
            sound=not args.no_sound,
            voice_dir=args.voice_dir,
            english=args.english,
            repeat=args.repeat,
            dialect=args.dialect,
            theme=args.theme,
            blink_s=args.blink,
            screenshot=args.screenshot,
            screenshot_wait_s=args.wait,
            server_key=key,
            mqtt_ca=args.mqtt_ca or os.environ.get(CA_ENV),
            server_url=args.server or os.environ.get("QMS_SERVER"),
        )
        return run_board(config)
    except ValueError as exc:  # a bad URL or theme file: say what is wrong, no traceback
        logging.getLogger("display_board").error("%s", exc)
        return 2
