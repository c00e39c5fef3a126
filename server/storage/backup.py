"""``qms db backup FILE`` and ``qms db restore FILE --data-dir DIR`` for SQLite.

The backup is made with SQLite's online backup API, in one step: it reads the database
inside one read transaction, which in WAL mode sees a consistent snapshot and holds no
lock a writer waits for, so the hall keeps issuing and calling while it runs. (Copying
in small steps would restart whenever the server writes between two of them, and
a busy hall writes all the time.) The copy is checked (``PRAGMA integrity_check``),
turned into a single self-contained file (rollback journal, no ``-wal``), and only then
moved into place, so a backup file is either whole or absent.

PostgreSQL has its own tools (``pg_dump``, ``pg_basebackup`` and WAL archiving); the
command says so rather than half-doing their work (docs/deploy.md, "Backups").

Only argparse at import time, as ``server/cli.py``.
"""

import argparse
import os
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

DB_FILE = "qms.sqlite3"  # as server.storage.db.sqlite_url names it
POSTGRES_HINT = (
    "qms db backup copies a SQLite database; for PostgreSQL use pg_dump -Fc (a nightly "
    "copy) or pg_basebackup with WAL archiving (to any moment): see docs/deploy.md, Backups"
)
# The data directory's files that are not in the database and never change once made:
# a restore needs them back for the clerks' PINs and for the devices to trust the board.
KEY_FILES = ("server.secret", "mqtt-signing-key.pem")


class Settings(Protocol):
    """What the commands read of ``server.config.Settings`` (a layer above storage)."""

    @property
    def db_url(self) -> str: ...


class BackupError(ValueError):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Copied:
    path: Path
    size: int
    schema: str  # the Alembic revision in the copy
    tickets: int


def sqlite_path(url: str) -> Path:
    """The file of a ``sqlite:///`` URL; refuses any other database."""
    if url.startswith("postgresql"):
        raise BackupError(POSTGRES_HINT)
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url == prefix or ":memory:" in url:
        raise BackupError(f"not a SQLite database file: {url}")
    return Path(url[len(prefix) :].split("?", 1)[0])


def _check(connection: sqlite3.Connection, what: Path) -> tuple[str, int]:
    """The copy's schema revision and ticket count, once SQLite finds it whole."""
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            raise BackupError(f"{what} is damaged: {verdict[0] if verdict else 'no answer'}")
        revision = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        tickets = connection.execute("SELECT count(*) FROM tickets").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{what} is not a qms database: {exc}") from exc
    if revision is None:
        raise BackupError(f"{what} is not a qms database: no schema revision")
    return str(revision[0]), int(tickets[0])


def _copy(source: sqlite3.Connection, target: Path) -> Copied:
    """Copy ``source`` into ``target`` through a temporary file next to it."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)  # staff data
    os.close(fd)
    try:
        copy = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(copy)  # one step: one snapshot, no writer waits (see above)
            copy.execute("PRAGMA journal_mode=DELETE")
            schema, tickets = _check(copy, target)
        finally:
            copy.close()
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return Copied(target, target.stat().st_size, schema, tickets)


def backup(url: str, target: Path, *, replace: bool = False) -> Copied:
    """Copy the SQLite database of ``url`` to ``target`` while it is in use."""
    source_path = sqlite_path(url)
    if not source_path.exists():
        raise BackupError(f"no database at {source_path}")
    if target.exists() and not replace:
        raise BackupError(f"{target} exists; choose another name (or --replace)")
    if target.resolve() == source_path.resolve():
        raise BackupError("the backup cannot be the database itself")
    target.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(source_path, timeout=30)
    try:
        return _copy(source, target)
    finally:
        source.close()


def restore(backup_file: Path, data_dir: Path) -> Copied:
    """Place a backup as the database of ``data_dir``, which must have none yet (a
    restore never overwrites a database: move the old one away first)."""
    from server.security.private import private_dir

    if not backup_file.is_file():
        raise BackupError(f"no backup file at {backup_file}")
    target = data_dir / DB_FILE
    leftovers = [p for p in (target, target.with_name(f"{DB_FILE}-wal")) if p.exists()]
    if leftovers:
        raise BackupError(
            f"{data_dir} already has a database ({leftovers[0].name}); stop the server and "
            "move it away first, or restore into an empty data directory"
        )
    private_dir(data_dir)
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    try:
        _check(source, backup_file)
        return _copy(source, target)
    finally:
        source.close()


def missing_keys(data_dir: Path) -> list[str]:
    return [name for name in KEY_FILES if not (data_dir / name).exists()]


def register(
    db_sub: "argparse._SubParsersAction[argparse.ArgumentParser]",
    storage_options: Callable[[argparse.ArgumentParser], None],
    settings: Callable[[argparse.Namespace], Settings],
) -> None:
    """Add ``qms db backup`` and ``qms db restore``; ``settings`` reads the storage
    options as the other commands do."""
    made = db_sub.add_parser(
        "backup",
        help="copy the SQLite database to FILE, safely while the server runs",
        description="Copy the SQLite database to FILE while the hall runs (SQLite's online "
        "backup). PostgreSQL: pg_dump or pg_basebackup, see docs/deploy.md.",
    )
    made.add_argument("file", type=Path, metavar="FILE")
    made.add_argument("--replace", action="store_true", help="overwrite FILE if it exists")
    storage_options(made)
    made.set_defaults(func=lambda args: _run_backup(args, settings))

    back = db_sub.add_parser(
        "restore",
        help="make a backup FILE the database of an empty --data-dir",
        description="Place a backup made by `qms db backup` as the database of --data-dir "
        "(which must hold none); then start the server on that directory.",
    )
    back.add_argument("file", type=Path, metavar="FILE")
    back.add_argument("--data-dir", type=Path, required=True, help="the data directory")
    back.set_defaults(func=_run_restore)


def _run_backup(
    args: argparse.Namespace, settings: Callable[[argparse.Namespace], Settings]
) -> int:
    import sys

    try:
        copied = backup(settings(args).db_url, args.file, replace=args.replace)
    except (ValueError, sqlite3.Error, OSError) as exc:  # BackupError, ConfigError
        print(f"qms: {exc}", file=sys.stderr)
        return 2
    print(
        f"backup written: {copied.path} ({copied.size // 1024} KiB, schema {copied.schema}, "
        f"{copied.tickets} tickets)"
    )
    return 0


def _run_restore(args: argparse.Namespace) -> int:
    import sys

    try:
        copied = restore(args.file, args.data_dir)
    except (ValueError, sqlite3.Error, OSError) as exc:  # BackupError, ConfigError
        print(f"qms: {exc}", file=sys.stderr)
        return 2
    print(f"restored: {copied.path} (schema {copied.schema}, {copied.tickets} tickets)")
    for name in missing_keys(args.data_dir):
        print(
            f"note: {args.data_dir / name} is missing; copy it back from the old data "
            "directory's copy, or a new one is made at start (docs/deploy.md, Backups)"
        )
    return 0
