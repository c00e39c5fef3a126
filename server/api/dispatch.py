"""Where a command runs: on the event loop when that cannot stall it, else in its site's lane.

A command is a few milliseconds of Python and database work, all of it under one
interpreter lock and, per site, one lock in the database. Handing it to FastAPI's
thread pool cost more than it seemed: many threads passing the interpreter lock at every
statement (measured in docs/performance.md).

- SQLite: the command runs inline on the event loop if the write lock is free at once
  (``ServiceCore.at_once``), so a long writer elsewhere, in this process or
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

from server.service.core import ServiceCore

T = TypeVar("T")
LANES = 8


class CommandRunner:
    """Runs the commands of one server process (see the module's docstring)."""

    def __init__(self, core: ServiceCore, lanes: int = LANES) -> None:
        self.core = core
        self._lanes = [
            ThreadPoolExecutor(1, thread_name_prefix=f"commands-{i}") for i in range(lanes)
        ]

    async def run(self, site: str, command: Callable[[], T]) -> T:
        """``command``: one or more write transactions of ``site``, then its publishing."""
        ran = self.core.at_once(command)
        if ran is not None:
            return ran.value
        lane = self._lanes[zlib.crc32(site.encode()) % len(self._lanes)]
        return await asyncio.wrap_future(lane.submit(command))

    def close(self) -> None:
        for lane in self._lanes:
            lane.shutdown(wait=True)
