"""``qms`` command line: each part registers its own subcommands.

A part's ``cli`` module imports only argparse at module level and loads its heavy
dependencies inside the handler, so ``qms kiosk`` never loads SQLAlchemy.
Each handler takes the parsed arguments and returns the process exit code.
"""

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

# Modules that provide ``register(subparsers) -> None``.
COMMAND_MODULES = (
    "server.cli",
    "hardware.cli",
    "kiosk.cli",
    "counter.cli",
    "display_board.cli",
    "qms.demo",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="qms", description="Queue management for public-service halls."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:  # that part is not built yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    from server.contract.redaction import install

    install()  # no password or token in any log line (issue 14)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
