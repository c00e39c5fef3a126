"""SQLite's write-ahead log copied into the database file from a thread of its own.

By default SQLite checkpoints inside the commit that takes the log past 1,000 pages:
that commit then writes the pages back and waits for two fsyncs while it holds the
write lock (docs/performance.md), and in the server commands run on the event loop,
which stalls with it. The server turns that off
(``Database(..., background_checkpoints=True)``) and this thread checkpoints
instead, ``PASSIVE`` (never waiting for readers or writers), on its own
connection; the sqlite3 module releases the GIL meanwhile, so the copying and the
fsyncs run beside the server's Python work.
"""

import logging
import sqlite3
import threading
from pathlib import Path

log = logging.getLogger(__name__)

INTERVAL_S = 0.25  # how often the log is copied while commands come in


class WalCheckpointer:
    """A daemon thread that checkpoints one SQLite database until ``stop``."""

    def __init__(self, path: Path, *, interval_s: float = INTERVAL_S) -> None:
        self.path = path
        self.interval_s = interval_s
        self.checkpoints = 0  # passes that copied at least one page
        self._stop = threading.Event()
        self._connection: sqlite3.Connection
        self._thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)

    def start(self) -> None:
        """Open the thread's connection (an error here is the caller's to see) and start."""
        self._connection = sqlite3.connect(
            self.path, timeout=0, isolation_level=None, check_same_thread=False
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop, after a last checkpoint that also truncates the log when it can."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def checkpoint(self, connection: sqlite3.Connection, mode: str = "PASSIVE") -> int:
        """One checkpoint; returns the pages copied (-1 when the database was busy)."""
        busy, _log_pages, copied = connection.execute(f"PRAGMA wal_checkpoint({mode})").fetchone()
        if copied > 0:
            self.checkpoints += 1
        return -1 if busy else int(copied)

    def _run(self) -> None:
        connection = self._connection
        try:
            while not self._stop.wait(self.interval_s):
                try:
                    self.checkpoint(connection)
                except sqlite3.Error as exc:  # e.g. the disk is full: try again later
                    log.warning("SQLite checkpoint failed: %s", exc)
            try:
                self.checkpoint(connection, "TRUNCATE")
            except sqlite3.Error as exc:
                log.info("last SQLite checkpoint not done: %s", exc)
        finally:
            connection.close()
