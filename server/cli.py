"""``qms server``, ``qms db upgrade``, ``qms seed demo``, ``qms user add|passwd|pin|disable|
enable|remove``, ``qms device add|list|revoke``, ``qms site export|import``, ``qms simulate``,
``qms report``.

Only argparse at import time: the handlers load SQLAlchemy and the rest when run.
"""

import argparse
import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from server.reports.cli import register as register_report
from server.storage.backup import register as register_backup
from server.upstream.cli import register as register_branch
from server.upstream.cli import register_server_options as register_branch_options

if TYPE_CHECKING:
    from server.config import Settings
    from server.service import QueueService
    from server.storage.db import Database

ROLES = ("clerk", "supervisor", "admin")
KINDS = ("kiosk", "display", "counter", "led")


def _storage_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", help="database URL (default: SQLite in --data-dir; env QMS_DB)")
    parser.add_argument("--data-dir", help="where SQLite and demo files live (default ./var)")
    parser.add_argument("--config", type=Path, help="TOML file with the same keys")
    parser.add_argument(
        "--signing-key",
        help="the MQTT signing key file (default: mqtt-signing-key.pem in --data-dir; "
        "env QMS_SIGNING_KEY)",
    )


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    server = sub.add_parser("server", help="run the queue server (HTTP API + MQTT publisher)")
    _storage_options(server)
    server.add_argument("--mqtt", help="broker URL, e.g. mqtt://host:1883 (default: embedded)")
    server.add_argument(
        "--mqtt-ca", metavar="FILE", help="a private CA for an mqtts:// broker (env QMS_MQTT_CA)"
    )
    server.add_argument("--http", help="HOST:PORT to listen on (default 127.0.0.1:8080)")
    server.add_argument("--public-url", help="base URL citizens' phones reach (tracking links)")
    register_branch_options(server)
    server.set_defaults(func=run_server)

    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION")
    db_sub.required = True
    upgrade = db_sub.add_parser("upgrade", help="apply the schema migrations")
    _storage_options(upgrade)
    upgrade.set_defaults(func=run_db_upgrade)
    register_backup(db_sub, _storage_options, _settings)

    seed = sub.add_parser("seed", help="load data")
    seed_sub = seed.add_subparsers(dest="seed_command", metavar="WHAT")
    seed_sub.required = True
    demo = seed_sub.add_parser("demo", help="the demo sites, accounts and devices (demo only)")
    _storage_options(demo)
    demo.add_argument(
        "--always-open", action="store_true", help="ignore opening hours (a demo at night)"
    )
    demo.set_defaults(func=run_seed_demo)

    _register_users(sub)
    _register_devices(sub)
    _register_site(sub)
    _register_simulate(sub)
    register_branch(sub, _storage_options, _guarded, _admin)


def _register_users(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    user = sub.add_parser("user", help="staff accounts")
    user_sub = user.add_subparsers(dest="user_command", metavar="ACTION")
    user_sub.required = True
    add_user = user_sub.add_parser("add", help="create an account (or reset its password)")
    add_user.add_argument("name", help="the login name")
    add_user.add_argument("--role", required=True, choices=ROLES)
    add_user.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    add_user.add_argument("--site", help="the account's site (required for clerks and supervisors)")
    add_user.add_argument("--display-name", default="", help="the name shown on screens")
    _storage_options(add_user)
    add_user.set_defaults(func=run_user_add)
    passwd = user_sub.add_parser(
        "passwd", help="set a new password (from stdin); the account's sessions end at once"
    )
    passwd.add_argument("name", help="the login name")
    passwd.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    _storage_options(passwd)
    passwd.set_defaults(func=run_user_passwd)
    for action, text in (
        ("disable", "stop an account from logging in; its sessions end at once"),
        ("enable", "let a disabled account log in again"),
        ("remove", "delete an account; its sessions end at once"),
    ):
        change = user_sub.add_parser(action, help=text)
        change.add_argument("name", help="the login name")
        _storage_options(change)
        change.set_defaults(func=run_user_change, user_action=action)
    pin = user_sub.add_parser(
        "pin", help="set a clerk's counter PIN (4-8 digits, unique per site), or --clear it"
    )
    pin.add_argument("name", help="the login name of a clerk or supervisor")
    pin_action = pin.add_mutually_exclusive_group(required=True)
    pin_action.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin")
    pin_action.add_argument(
        "--clear", action="store_true", help="remove the PIN: PIN login stops for this account"
    )
    pin.add_argument("--site", help="check that the account belongs to this site")
    _storage_options(pin)
    pin.set_defaults(func=run_user_pin)


def _register_devices(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    device = sub.add_parser("device", help="kiosks, displays, counter devices")
    device_sub = device.add_subparsers(dest="device_command", metavar="ACTION")
    device_sub.required = True
    add_device = device_sub.add_parser("add", help="register a device; prints its token last")
    add_device.add_argument("name", help="device id (letters, digits, - _ .)")
    add_device.add_argument("--kind", required=True, choices=KINDS)
    add_device.add_argument("--site", required=True)
    add_device.add_argument("--label", default="", help="a human-readable name")
    _storage_options(add_device)
    add_device.set_defaults(func=run_device_add)
    list_devices = device_sub.add_parser("list", help="the registered devices")
    list_devices.add_argument("--site", help="only this site's")
    _storage_options(list_devices)
    list_devices.set_defaults(func=run_device_list)
    revoke = device_sub.add_parser(
        "revoke", help="end a device's token at once (`device add` gives a new one)"
    )
    revoke.add_argument("name", help="device id")
    _storage_options(revoke)
    revoke.set_defaults(func=run_device_revoke)
    register_report(sub, _storage_options, _guarded, _database)


def _register_site(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    site = sub.add_parser("site", help="site files: a site's whole configuration as TOML")
    site_sub = site.add_subparsers(dest="site_command", metavar="ACTION")
    site_sub.required = True
    export = site_sub.add_parser("export", help="write one site's configuration to a file")
    export.add_argument("site", help="the site id")
    export.add_argument("file", type=Path, help="the TOML file to write (- for stdout)")
    _storage_options(export)
    export.set_defaults(func=run_site_export)
    load = site_sub.add_parser(
        "import", help="create or update a site from a file: shows the diff, then applies it"
    )
    load.add_argument("file", type=Path, help="the TOML site file")
    load.add_argument("--dry-run", action="store_true", help="check and show the diff only")
    _storage_options(load)
    load.set_defaults(func=run_site_import)


def _register_simulate(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    from server.simulation.options import add_arguments

    simulate = sub.add_parser(
        "simulate", help="simulate days of a site: waits, staffing, the estimators' errors"
    )
    simulate.set_defaults(func=run_simulate)
    add_arguments(simulate)


def _settings(args: argparse.Namespace) -> "Settings":
    from server.config import load_settings

    overrides = {
        key: getattr(args, key, None)
        for key in (
            *("db", "mqtt", "http", "data_dir", "public_url", "mqtt_ca", "signing_key"),
            *("upstream", "upstream_token"),
        )
    }
    return load_settings(config_file=args.config, overrides=overrides)


def _fail(message: str) -> int:
    print(f"qms: {message}", file=sys.stderr)
    return 2


def _guarded(handler: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """Turn the errors a person can fix (a bad setting, an unreachable database, an
    unknown site, a port in use) into one line on stderr and exit code 2."""

    @functools.wraps(handler)
    def run(args: argparse.Namespace) -> int:
        from sqlalchemy.exc import SQLAlchemyError

        from server.service import ServiceError

        try:
            return handler(args)
        except ServiceError as exc:
            return _fail(exc.message_en)
        except (SQLAlchemyError, OSError, ValueError) as exc:  # ConfigError is a ValueError
            return _fail(str(exc))

    return run


@_guarded
def run_server(args: argparse.Namespace) -> int:
    import logging
    import signal

    from server.contract.redaction import redact
    from server.runtime import Runtime, freeze_start_up_objects

    settings = _settings(args)
    runtime = Runtime(settings)
    runtime.start()
    freeze_start_up_objects()
    signal.signal(signal.SIGTERM, lambda *_: runtime.stop())
    logging.getLogger(__name__).info(
        "serving http://%s:%d (database %s, MQTT %s)",
        settings.http_host,
        runtime.port,
        runtime.db.backend,
        redact(runtime.mqtt_url),
    )
    try:
        runtime.wait()
    finally:
        runtime.stop()
    return 0


def _database(args: argparse.Namespace) -> "Database":
    from server.storage.db import Database
    from server.storage.migrate import upgrade

    db = Database(_settings(args).db_url, pool_size=1)
    upgrade(db.engine)
    return db


def _admin(args: argparse.Namespace) -> "QueueService":
    """The service over the (migrated) database, for one-shot account commands."""
    from server.messaging.publisher import RecordingPublisher
    from server.security.secret import load_secret
    from server.service import QueueService

    service = QueueService(_database(args), RecordingPublisher())
    service.accounts.pin_key = load_secret(_settings(args).data_dir)
    return service


@_guarded
def run_db_upgrade(args: argparse.Namespace) -> int:
    db = _database(args)
    print(f"database schema is up to date ({db.backend})")
    db.dispose()
    return 0


@_guarded
def run_seed_demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from server.storage.seeding import CREDENTIALS_FILE, seed_demo

    settings = _settings(args)
    tokens = seed_demo(
        settings.db_url, settings.data_dir, now=datetime.now(UTC), always_open=args.always_open
    )
    print("Demo data loaded. Device tokens (demo only):")
    for device, token in tokens.items():
        print(f"  {device}: {token}")
    print(
        "Clerk accounts: clerk01..clerk67 with passwords demo-quay-01..demo-quay-67, "
        "PINs 0101..6767."
    )
    print(f"Saved to {settings.data_dir / CREDENTIALS_FILE}")
    return 0


@_guarded
def run_user_add(args: argparse.Namespace) -> int:
    from server.contract.vocab import Role

    password = _password_from_stdin()
    if not password:
        return _fail("no password on stdin")
    service = _admin(args)
    try:
        pin_cleared = service.accounts.add_user(
            args.name, password, Role(args.role), site=args.site, display_name=args.display_name
        )
    finally:
        service.db.dispose()
    print(f"user {args.name} ({args.role}) saved")
    if pin_cleared:
        print(
            f"its counter PIN was removed (new site or role); give a new one with "
            f"`qms user pin {args.name} --pin-stdin`"
        )
    return 0


def _password_from_stdin() -> str:
    return sys.stdin.readline().rstrip("\r\n")


@_guarded
def run_user_passwd(args: argparse.Namespace) -> int:
    password = _password_from_stdin()
    if not password:
        return _fail("no password on stdin")
    service = _admin(args)
    try:
        service.accounts.change_password(args.name, password)
    finally:
        service.db.dispose()
    print(f"password of {args.name} changed; its sessions ended")
    return 0


@_guarded
def run_user_change(args: argparse.Namespace) -> int:
    """``disable``, ``enable`` or ``remove``: say plainly what changed."""
    service = _admin(args)
    try:
        if args.user_action == "remove":
            service.accounts.remove_user(args.name)
            said = "removed; its sessions ended"
        elif args.user_action == "disable":
            service.accounts.set_active(args.name, False)
            said = "disabled; its sessions ended"
        else:
            service.accounts.set_active(args.name, True)
            said = "enabled"
    finally:
        service.db.dispose()
    print(f"user {args.name} {said}")
    return 0


@_guarded
def run_user_pin(args: argparse.Namespace) -> int:
    import re

    if args.clear:
        return _clear_pin(args)
    pin = sys.stdin.readline().strip()
    if not pin:
        return _fail("no PIN on stdin")
    if re.fullmatch(r"[0-9]{4,8}", pin) is None:
        return _fail("a PIN is 4 to 8 digits")
    service = _admin(args)
    try:
        service.accounts.set_pin(args.name, pin, site=args.site)
    finally:
        service.db.dispose()
    print(f"PIN of {args.name} saved")
    return 0


def _clear_pin(args: argparse.Namespace) -> int:
    """Say plainly what changed: an operator clears a PIN when it may be known to others."""
    service = _admin(args)
    try:
        removed = service.accounts.clear_pin(args.name, site=args.site)
    finally:
        service.db.dispose()
    if removed:
        print(
            f"PIN of {args.name} removed: PIN login no longer works for this account "
            "(password login does; sessions already open run until they expire)"
        )
    else:
        print(f"{args.name} had no PIN; nothing changed")
    return 0


@_guarded
def run_device_add(args: argparse.Namespace) -> int:
    from server.contract.vocab import DeviceKind

    service = _admin(args)
    try:
        token = service.devices.add(args.name, DeviceKind(args.kind), args.site, args.label)
    finally:
        service.db.dispose()
    from server.messaging.keys import load_or_create

    server_key = load_or_create(_settings(args).signing_key_path).public
    print("the server's MQTT key (the device pins it; also at GET /api/v1/mqtt/server-key):")
    print(f"  {server_key.text}")
    print(f"device {args.name} ({args.kind}) registered at {args.site}; its token:")
    print(token)  # last, for scripts
    return 0


@_guarded
def run_device_list(args: argparse.Namespace) -> int:
    service = _admin(args)
    try:
        devices = service.devices.listed(args.site)
    finally:
        service.db.dispose()
    for d in devices:
        state = "active" if d.active else "revoked"
        seen = d.last_seen.isoformat(timespec="seconds") if d.last_seen else "-"
        print(f"{d.site}\t{d.id}\t{d.kind}\t{state}\t{seen}\t{d.name}")
    return 0


@_guarded
def run_device_revoke(args: argparse.Namespace) -> int:
    service = _admin(args)
    try:
        service.devices.revoke(args.name)
    finally:
        service.db.dispose()
    print(f"device {args.name} revoked: its token no longer works")
    return 0


@_guarded
def run_site_export(args: argparse.Namespace) -> int:
    service = _admin(args)
    try:
        text = service.site_config.export(args.site)
    finally:
        service.db.dispose()
    if str(args.file) == "-":
        sys.stdout.write(text)
    else:
        args.file.write_text(text, encoding="utf-8")
        print(f"site {args.site} written to {args.file}")
    return 0


@_guarded
def run_site_import(args: argparse.Namespace) -> int:
    """Refuse the whole file on any problem, naming each (line, key, reason)."""
    import getpass

    from server.siteconfig import SiteFileError

    text = args.file.read_text(encoding="utf-8")
    service = _admin(args)
    try:
        try:
            plan = service.site_config.plan(text)
        except SiteFileError as exc:
            for problem in exc.problems:
                print(f"qms: {problem.describe(str(args.file))}", file=sys.stderr)
            print("qms: nothing was changed", file=sys.stderr)
            return 2
        verb = "would create" if plan.new else "would update"
        if not plan.changes:
            print(f"site {plan.site}: no change")
            return 0
        sys.stdout.write(plan.diff)
        if args.dry_run:
            print(f"dry run: {verb} site {plan.site}; nothing was changed")
            return 0
        actor = f"cli:{getpass.getuser()}"
        version = service.site_config.apply(plan.definition, actor=actor, action="site.import")
    finally:
        service.db.dispose()
    print(f"site {plan.site} {'created' if plan.new else 'updated'} (config version {version})")
    return 0


@_guarded
def run_simulate(args: argparse.Namespace) -> int:
    from server.simulation.cli import run

    return run(args)
