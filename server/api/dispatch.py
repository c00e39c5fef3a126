"""Where a command runs: on the event loop when that cannot stall it, else in its site's lane.

A command is a few milliseconds of Python and database work, all of it under one
interpreter lock and, per site, one lock in the database. Handing it to FastAPI's
thread pool cost more than it seemed: up to forty threads passing the interpreter lock
at every statement (measured in docs/performance.md).

- SQLite: the command runs inline on the event loop if the write lock is free at once
  (``Database.without_waiting``), so a long writer elsewhere, in this process or
  another, never holds up the loop; otherwise it goes to its site's lane and waits
  there as before.
- PostgreSQL: a command waits on the network and on other server processes' row locks,
  so never on the loop: each site's commands go to one of a few single-thread lanes,
  always the same one. A site's commands are serial anyway (its row lock); other sites
  spread over the lanes, and a lock wait holds up only the sites of its lane.
"""

import asyncio
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from server.storage.db import Database, WriterBusy

T = TypeVar("T")
LANES = 8


class CommandRunner:
    """Runs the commands of one server process (see the module's docstring)."""

    def __init__(self, db: Database, lanes: int = LANES) -> None:
        self.db = db
        self._lanes = [
            ThreadPoolExecutor(1, thread_name_prefix=f"commands-{i}") for i in range(lanes)
        ]

    async def run(self, site: str, command: Callable[[], T]) -> T:
        """``command``: one or more write transactions of ``site``, then its publishing."""
        if self.db.is_sqlite:
            try:
                with self.db.without_waiting():
                    return command()
            except WriterBusy:
                # The transaction that could not begin wrote nothing; a day roll committed
                # before it is not done twice (the day is then current).
                pass
        lane = self._lanes[zlib.crc32(site.encode()) % len(self._lanes)]
        return await asyncio.wrap_future(lane.submit(command))

    def close(self) -> None:
        for lane in self._lanes:
            lane.shutdown(wait=True)
