"""The HTTP server sheds what it cannot serve: slow or idle connections, huge headers,
more connections than it has file descriptors for.

Uvicorn closes a keep-alive connection after its idle timeout, but a connection that
never sends a full request header is kept for ever, and a header is read however large
it grows. A thousand such sockets use up a process's file descriptors (``ulimit -n``
is often 1024), and then nobody is served, not even ``/health``. ``GuardedHttp`` is
uvicorn's own HTTP protocol (httptools) with what it lacks:

- a header deadline: a connection gets ``header_timeout_s`` to send a whole request
  header, counted from when it opened or from its last answer (so it is also the idle
  timeout of a kept-alive connection);
- a cap on a request header's size: beyond ``max_header_bytes`` it is answered 431 and
  closed at once, without reading the rest;
- a cap on open connections below the file-descriptor limit: at the cap a new
  connection makes room by closing the connection that has waited longest without a
  request (it would have been closed for that anyway), so a flood of idle sockets
  cannot lock out a kiosk; when every connection is busy with a request, the new one
  is closed.

Each acts with a warning in the log, at most one line per kind every ``LOG_EVERY_S``
with how many connections it closed (a flood must not flood the log too).
"""

import asyncio
import logging
import resource
from dataclasses import dataclass, field

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = logging.getLogger(__name__)

# File descriptors kept for everything but client connections: the database, the
# snapshot process's pipe, MQTT, log files, the thread pool's own.
FD_RESERVE = 128
LOG_EVERY_S = 10.0
SWEEP_EVERY_S = 1.0

_TOO_LARGE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
    b"content-type: text/plain; charset=utf-8\r\n"
    b"content-length: 32\r\n"
    b"connection: close\r\n\r\n"
    b"Request header fields too large\n"
)


@dataclass(frozen=True)
class HttpLimits:
    """What one server process accepts from its clients (docs/deploy.md)."""

    header_timeout_s: float = 10.0
    keep_alive_s: int = 5
    max_header_bytes: int = 32 * 1024
    # None: the file-descriptor limit less ``FD_RESERVE``.
    max_connections: int | None = None

    def connection_cap(self) -> int:
        soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        by_fds = max(16, soft - FD_RESERVE) if soft != resource.RLIM_INFINITY else 65536
        return min(by_fds, self.max_connections) if self.max_connections else by_fds


def raise_fd_limit() -> int:
    """Raise the soft file-descriptor limit to the hard one (systemd's ``LimitNOFILE``
    sets both); returns the soft limit in force."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard and (hard == resource.RLIM_INFINITY or hard > soft):
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.warning("could not raise the file-descriptor limit from %d", soft)
    return soft


@dataclass
class _Tally:
    """Closed connections of one kind since its last log line."""

    what: str
    count: int = 0
    logged_at: float = float("-inf")

    def add(self, now: float) -> None:
        self.count += 1
        if now - self.logged_at >= LOG_EVERY_S:
            log.warning("HTTP: closed %d connection(s): %s", self.count, self.what)
            self.count = 0
            self.logged_at = now


@dataclass
class ConnectionGuard:
    """Shared by the connections of one server; used on its event loop only."""

    limits: HttpLimits
    cap: int = 0
    # Connections without a request in flight, oldest first, with their deadline.
    waiting: dict["GuardedHttp", float] = field(default_factory=dict)
    open: set["GuardedHttp"] = field(default_factory=set)
    _sweeping: bool = False
    slow: _Tally = field(default_factory=lambda: _Tally("no full request header in time"))
    large: _Tally = field(default_factory=lambda: _Tally("request header too large (431)"))
    full: _Tally = field(
        default_factory=lambda: _Tally("too many connections; the longest idle made room")
    )
    refused: _Tally = field(
        default_factory=lambda: _Tally("too many connections, all busy; a new one refused")
    )

    def __post_init__(self) -> None:
        self.cap = self.cap or self.limits.connection_cap()

    def opened(self, conn: "GuardedHttp", loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        if len(self.open) >= self.cap:
            oldest = next(iter(self.waiting), None)
            if oldest is None:
                self.refused.add(now)
                conn.transport.close()
                return
            self.full.add(now)
            self.drop(oldest)
        self.open.add(conn)
        self.wait(conn, now)
        if not self._sweeping:
            self._sweeping = True
            loop.call_later(SWEEP_EVERY_S, self._sweep, loop)

    def wait(self, conn: "GuardedHttp", now: float) -> None:
        """``conn`` waits for a request header (new, or its last answer sent)."""
        self.waiting.pop(conn, None)
        self.waiting[conn] = now + self.limits.header_timeout_s
        conn.head_bytes = 0

    def busy(self, conn: "GuardedHttp") -> None:
        self.waiting.pop(conn, None)

    def closed(self, conn: "GuardedHttp") -> None:
        self.open.discard(conn)
        self.waiting.pop(conn, None)

    def drop(self, conn: "GuardedHttp") -> None:
        self.closed(conn)
        if not conn.transport.is_closing():
            conn.transport.abort()  # no lingering: the point is to free the descriptor

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = loop.time()
        late = [conn for conn, deadline in self.waiting.items() if deadline <= now]
        for conn in late:
            self.slow.add(now)
            self.drop(conn)
        if self.open:
            loop.call_later(SWEEP_EVERY_S, self._sweep, loop)
        else:
            self._sweeping = False


class GuardedHttp(HttpToolsProtocol):
    """Uvicorn's httptools protocol under a ``ConnectionGuard`` (see the module)."""

    guard: ConnectionGuard  # set on the class ``guarded_protocol`` makes
    head_bytes: int = 0
    message_done: bool = True

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.guard.opened(self, self.loop)

    def connection_lost(self, exc: Exception | None) -> None:
        self.guard.closed(self)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self in self.guard.waiting:
            room = self.guard.limits.max_header_bytes - self.head_bytes
            if len(data) > room and data.find(b"\r\n\r\n", 0, max(room, 0) + 4) < 0:
                self.guard.large.add(self.loop.time())
                self.guard.closed(self)
                self.transport.write(_TOO_LARGE)
                self.transport.close()
                return
            self.head_bytes += len(data)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self.guard.busy(self)
        self.message_done = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.message_done = True
        if self.cycle is not None and self.cycle.response_complete:
            self._next_request()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # An answer sent before its request's body was read (413): the rest of the body
        # is still coming, and is no header.
        if self.message_done:
            self._next_request()

    def _next_request(self) -> None:
        """The connection now waits for a new request (none answered or queued)."""
        idle = (self.cycle is None or self.cycle.response_complete) and not self.pipeline
        if idle and not self.transport.is_closing() and self in self.guard.open:
            self.guard.wait(self, self.loop.time())


def guarded_protocol(limits: HttpLimits) -> type[GuardedHttp]:
    """The protocol class for one uvicorn server (uvicorn takes a class and builds one
    per connection), its connections sharing one new guard."""
    guard = ConnectionGuard(limits)
    return type("GuardedHttp", (GuardedHttp,), {"guard": guard})
