"""What every ``qms`` server command family shares: the storage options, the settings they
give, the one-line error a person can act on, and the database or service a one-shot command
works on.

Only argparse at import time: the helpers load SQLAlchemy and the rest when called.
"""

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from server.config import Settings
    from server.service import QueueService
    from server.storage.db import Database


def storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (default: SQLite in --data-dir; env QMS_DB)")
    parser.add_argument("--data-dir", help="where SQLite and demo files live (default ./var)")
    parser.add_argument("--config", type=Path, help="TOML file with the same keys")
    parser.add_argument(
        "--signing-key",
        help="the MQTT signing key file (default: mqtt-signing-key.pem in --data-dir; "
        "env QMS_SIGNING_KEY)",
    )


def settings_of(args: argparse.Namespace) -> "Settings":
    from server.config import load_settings

    overrides = {
        key: getattr(args, key, None)
        for key in (
            *("db", "mqtt", "http", "data_dir", "public_url", "mqtt_ca", "signing_key"),
            *("upstream", "upstream_token"),
        )
    }
    return load_settings(config_file=args.config, overrides=overrides)


def fail(message: str) -> int:
    print(f"qms: {message}", file=sys.stderr)
    return 2


def guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the errors a person can fix (a bad setting, an unreachable database, an
    unknown site, a port in use) into one line on stderr and exit code 2."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from server.service import ServiceError

        try:
            return handler(args)
        except ServiceError as exc:
            return fail(exc.message_en)
        except (SQLAlchemyError, OSError, ValueError) as exc:  # ConfigError is a ValueError
            return fail(str(exc))

    return run


def database(args: argparse.Namespace) -> "Database":
    from server.storage.db import Database
    from server.storage.migrate import upgrade

    db = Database(settings_of(args).db_url, pool_size=1)
    upgrade(db.engine)
    return db


def admin(args: argparse.Namespace) -> "QueueService":
    """The service over the (migrated) database, for one-shot account commands."""
    from server.messaging.publisher import RecordingPublisher
    from server.security.secret import load_secret
    from server.service import QueueService

    service = QueueService(database(args), RecordingPublisher())
    service.accounts.pin_key = load_secret(settings_of(args).data_dir)
    return service
