"""Snapshot builds and MQTT publishing in a process of their own.

One server process is held to about one core by the interpreter lock, and under a burst
a large share of it went to building snapshots and to paho while another core sat partly
idle (docs/performance.md). The server therefore hands each merged change (``Effects``,
from its ``Pump``) over a pipe to a child process that runs a ``Projector`` of its own: it
reads the committed state from the database, builds the snapshots and publishes them on
its own MQTT connection. The database stays the only source: the child builds exactly
what the server process would have built, from the same committed rows (SQLite's WAL
lets another process read while the server writes), with the same call policy per site
(the site's setting).

The child is started through a fork server (``multiprocessing``'s ``forkserver``: the
server process has threads, so it must not fork itself), preloaded with this module. If
it dies it is started again, and a new child republishes every snapshot when it
connects, which heals anything lost meanwhile. The child ends when the server process's
end of the pipe closes, so it never outlives the server.

The server process keeps its own MQTT connection for its status (the last will) and the
device statuses; the child's connection sets no will and publishes no status.
"""

import contextlib
import logging
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from server.messaging.keys import Signer
from server.projection.effects import Effects

log = logging.getLogger(__name__)

RESTART_AFTER_S = 2.0  # the shortest time between two starts of the child


@dataclass(frozen=True)
class ChildConfig:
    """What the child needs to build and publish: plain values, sent when it starts."""

    db_url: str
    mqtt_url: str
    log_level: int
    version: str = ""
    signer: Signer | None = None  # the server's, so both processes sign as one server life
    mqtt_ca: str | None = None


def _context() -> Any:
    ctx = multiprocessing.get_context("forkserver")
    # Children fork from a server that imported this module (and with it SQLAlchemy,
    # pydantic and paho) once, so a (re)start takes milliseconds, not a second.
    ctx.set_forkserver_preload([__name__])
    return ctx


class SnapshotProcess:
    """The server's handle on the child: ``submit`` a merged change, ``flush``, ``close``.

    ``submit`` is called by the pump's one thread; ``flush`` and ``close`` by others.
    Nothing here raises into a command: a change that cannot reach the child is logged
    and healed by the republish of the next child."""

    def __init__(self, config: ChildConfig) -> None:
        self._config = config
        self._send_lock = threading.Lock()
        self._reply_lock = threading.Lock()
        self._conn: multiprocessing.connection.Connection | None = None
        self._process: Any = None
        self._started_at = -RESTART_AFTER_S
        self._token = 0
        self._closed = False
        self._missed = 0
        self.starts = 0
        """How many children were started (the first and every restart)."""
        # Builds made by the children, written by them, read by ``/metrics`` here: shared
        # memory (made with the first child), so counting costs the child no message and
        # the server no wait.
        self._built: Any = None

    @property
    def builds(self) -> int:
        """Site builds the children made since this process started them."""
        return int(self._built.value) if self._built is not None else 0

    @property
    def alive(self) -> bool:
        process = self._process
        return process is not None and bool(process.is_alive())

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def start(self) -> None:
        with self._send_lock:
            self._start_locked()

    def _start_locked(self) -> None:
        ctx = _context()
        if self._built is None:
            self._built = ctx.RawValue("Q", 0)
        ours, theirs = ctx.Pipe(duplex=True)
        process = ctx.Process(
            target=run_child,
            args=(theirs, self._config, self._built),
            name="qms-snapshots",
            daemon=True,
        )
        process.start()
        theirs.close()
        self._conn, self._process = ours, process
        self._started_at = time.monotonic()
        self.starts += 1

    def _alive_locked(self) -> bool:
        """The child is running, started again if it died (at most every few seconds)."""
        if self._closed:
            return False
        if self._process is not None and self._process.is_alive():
            return True
        if time.monotonic() - self._started_at < RESTART_AFTER_S:
            return False
        if self._process is not None:
            log.error(
                "the snapshot process ended (exit code %s); starting it again",
                self._process.exitcode,
            )
            self._drop_locked()
        self._start_locked()
        return True

    def _drop_locked(self) -> None:
        if self._conn is not None:
            self._conn.close()
        if self._process is not None:
            self._process.join(timeout=1)
        self._conn, self._process = None, None

    def _send(self, message: tuple[Any, ...], *, restart: bool = True) -> bool:
        """``restart``: start the child again if it died (a flush only waits for one)."""
        with self._send_lock:
            if restart:
                if not self._alive_locked():
                    return False
            elif not self.alive:
                return False
            if self._conn is None:
                return False
            try:
                self._conn.send(message)
                return True
            except OSError as exc:  # the child died while we wrote
                log.error("the snapshot process is unreachable: %s", exc)
                if self._process is not None:
                    self._process.kill()
                return False

    def submit(self, site_id: str, effects: Effects) -> None:
        """Hand one site's merged change to the child (the pump's publish callable)."""
        if self._send(("build", site_id, effects)):
            self._missed = 0
            return
        if not self._missed:  # once per outage: a burst would log hundreds
            log.warning("snapshots not built while the snapshot process is down (site %s)", site_id)
        self._missed += 1

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until the child built and handed to MQTT everything submitted so far."""
        with self._reply_lock:
            self._token += 1
            token = self._token
            if not self._send(("flush", token), restart=False):
                return False
            conn = self._conn
            deadline = time.monotonic() + timeout
            while conn is not None:
                left = deadline - time.monotonic()
                try:
                    if left <= 0 or not conn.poll(left):
                        return False
                    reply = conn.recv()
                except (EOFError, OSError):
                    return False
                if reply == ("flushed", token):
                    return True
            return False

    def close(self, timeout: float = 5.0) -> None:
        """Let the child send what it has, disconnect cleanly and end."""
        with self._send_lock:
            if self._closed:
                return
            self._closed = True
            process, conn = self._process, self._conn
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.send(("stop",))
            if process is not None:
                process.join(timeout)
                if process.is_alive():
                    process.kill()
                    process.join(1)
            if conn is not None:
                conn.close()
            self._conn, self._process = None, None


def run_child(
    conn: multiprocessing.connection.Connection, config: ChildConfig, built: Any = None
) -> None:
    """The child's main loop: build what the server hands over, until told to stop or
    until the server's end of the pipe closes."""
    # Ctrl-C in a terminal reaches the whole process group, and a service manager's stop
    # (systemd) every process of the service: the server stops the child itself, after
    # the last snapshots went out, and if the server is killed its end of the pipe
    # closes, which ends the child too.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    logging.basicConfig(
        level=config.log_level, format=f"snapshots[{os.getpid()}]: %(levelname)s %(message)s"
    )
    from server.contract.redaction import install

    install()
    from server.messaging.mqtt import MqttPublisher
    from server.projection.projector import Projector
    from server.storage.db import Database

    db = Database(config.db_url)
    mqtt = MqttPublisher(
        config.mqtt_url,
        version=config.version,
        announce_status=False,
        signer=config.signer,
        ca_file=config.mqtt_ca,
    )
    # The kiosks' field waits on a thread of their own: the boards never wait for them.
    projector = Projector(db, mqtt, waits_apart=True)
    # Every (re)connect of this child's connection: the broker may have lost retained
    # state, and a new child does not know what its predecessor sent. Device statuses
    # are the server process's (its own connection).
    mqtt.on_connected = projector.republish_snapshots
    mqtt.start()
    try:
        serve(conn, projector, built, settle=projector.settle)
    finally:
        projector.close()
        mqtt.close()
        db.dispose()


class Builds(Protocol):
    """What ``serve`` hands the merged changes to: the child's ``Projector``."""

    def publish(self, site_id: str, effects: Effects) -> None: ...


def serve(
    conn: multiprocessing.connection.Connection,
    projector: Builds,
    built: Any = None,
    *,
    settle: Callable[[float], bool] | None = None,
) -> None:
    """Take every message waiting in the pipe, merge the changes per site, build once.
    ``built``: a shared counter of the builds (the server's ``SnapshotProcess.builds``).
    ``settle``: waits for the queue snapshots still being worked out (the field waits'
    thread), so a flush answers when they went out too.

    A build can take longer than the server's pump waits between two hand-overs (a
    burst of calls touches most counters); merging what queued up meanwhile keeps the
    boards at most one build behind instead of a growing queue of builds behind."""
    stop = False
    while not stop:
        messages: list[Any] = []
        try:
            messages.append(conn.recv())
            while conn.poll(0):
                messages.append(conn.recv())
        except (EOFError, OSError):
            stop = True  # the server process is gone: build what came, then end
        batch: dict[str, Effects] = {}
        flushes: list[int] = []
        for message in messages:
            kind = message[0]
            if kind == "build":
                batch.setdefault(message[1], Effects()).merge(message[2])
            elif kind == "flush":
                flushes.append(message[1])
            elif kind == "stop":
                stop = True
            else:
                log.error("unknown message from the server process: %r", kind)
        for site_id, effects in batch.items():
            projector.publish(site_id, effects)  # logs its own failures
        if built is not None:
            built.value += len(batch)
        if flushes and settle is not None:
            settle(10.0)
        for token in flushes:
            with contextlib.suppress(OSError):
                conn.send(("flushed", token))
