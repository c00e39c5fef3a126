"""Where a command runs: on the event loop when that cannot stall it, else a worker thread.

A SQLite command is a few milliseconds of Python and local file I/O, all of it under
one interpreter lock and, per site, one write lock. Handing it to a worker thread and
back cost more than the command (thread wake-ups, the interpreter lock passed between
up to forty threads at every statement): run inline it gave 1.5x the requests per
second (docs/performance.md). It runs inline only if the write lock is free at once
(``Database.without_waiting``), so a long writer elsewhere, in this process or
another, never holds up the event loop; the command then goes to a worker thread,
where it waits as before. PostgreSQL commands wait on the network and on other
server processes' row locks: always on a worker thread.
"""

from collections.abc import Callable
from typing import TypeVar

from fastapi.concurrency import run_in_threadpool

from server.storage.db import Database, WriterBusy

T = TypeVar("T")


async def run_command(db: Database, command: Callable[[], T]) -> T:
    """Run ``command`` (one or more write transactions) inline when it never waits."""
    if db.is_sqlite:
        try:
            with db.without_waiting():
                return command()
        except WriterBusy:
            # The transaction that could not begin wrote nothing; a day roll committed
            # before it is not done twice (the day is then current).
            pass
    return await run_in_threadpool(command)
