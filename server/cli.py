"""The server's ``qms`` commands: ``qms server``, ``qms db upgrade``, ``qms seed demo``,
``qms site export|import`` and ``qms simulate`` here; the other families register their own
(accounts and devices: ``server/accounts_cli.py``; reports, backups, branches in their rooms).

Only argparse at import time: the handlers load SQLAlchemy and the rest when run.
"""

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from server.accounts_cli import register as register_accounts
from server.cli_support import admin, database, guarded, settings_of, storage_options
from server.reports.cli import register as register_report
from server.storage.backup import register as register_backup
from server.upstream.cli import register as register_branch
from server.upstream.cli import register_server_options as register_branch_options

if TYPE_CHECKING:
    pass


def register(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    server = sub.add_parser("server", help="run the queue server (HTTP API + MQTT publisher)")
    storage_options(server)
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
    storage_options(upgrade)
    upgrade.set_defaults(func=run_db_upgrade)
    register_backup(db_sub, storage_options, settings_of)

    seed = sub.add_parser("seed", help="load data")
    seed_sub = seed.add_subparsers(dest="seed_command", metavar="WHAT")
    seed_sub.required = True
    demo = seed_sub.add_parser("demo", help="the demo sites, accounts and devices (demo only)")
    storage_options(demo)
    demo.add_argument(
        "--always-open", action="store_true", help="ignore opening hours (a demo at night)"
    )
    demo.set_defaults(func=run_seed_demo)

    register_accounts(sub)
    register_report(sub, storage_options, guarded, database)
    _register_site(sub)
    _register_simulate(sub)
    register_branch(sub, storage_options, guarded, admin)


def _register_site(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    site = sub.add_parser("site", help="site files: a site's whole configuration as TOML")
    site_sub = site.add_subparsers(dest="site_command", metavar="ACTION")
    site_sub.required = True
    export = site_sub.add_parser("export", help="write one site's configuration to a file")
    export.add_argument("site", help="the site id")
    export.add_argument("file", type=Path, help="the TOML file to write (- for stdout)")
    storage_options(export)
    export.set_defaults(func=run_site_export)
    load = site_sub.add_parser(
        "import", help="create or update a site from a file: shows the diff, then applies it"
    )
    load.add_argument("file", type=Path, help="the TOML site file")
    load.add_argument("--dry-run", action="store_true", help="check and show the diff only")
    storage_options(load)
    load.set_defaults(func=run_site_import)


def _register_simulate(sub: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    from server.simulation.options import add_arguments

    simulate = sub.add_parser(
        "simulate", help="simulate days of a site: waits, staffing, the estimators' errors"
    )
    simulate.set_defaults(func=run_simulate)
    add_arguments(simulate)


@guarded
def run_server(args: argparse.Namespace) -> int:
    import logging
    import signal

    from server.contract.redaction import redact
    from server.runtime import Runtime, freeze_start_up_objects

    settings = settings_of(args)
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


@guarded
def run_db_upgrade(args: argparse.Namespace) -> int:
    db = database(args)
    print(f"database schema is up to date ({db.backend})")
    db.dispose()
    return 0


@guarded
def run_seed_demo(args: argparse.Namespace) -> int:
    from datetime import UTC, datetime

    from server.storage.seeding import CREDENTIALS_FILE, seed_demo

    settings = settings_of(args)
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


@guarded
def run_site_export(args: argparse.Namespace) -> int:
    service = admin(args)
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


@guarded
def run_site_import(args: argparse.Namespace) -> int:
    """Refuse the whole file on any problem, naming each (line, key, reason)."""
    import getpass

    from server.siteconfig import SiteFileError

    text = args.file.read_text(encoding="utf-8")
    service = admin(args)
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


@guarded
def run_simulate(args: argparse.Namespace) -> int:
    from server.simulation.cli import run

    return run(args)
