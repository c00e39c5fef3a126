"""An MQTT broker inside the server process (amqtt), for the demo and single-machine halls.

amqtt is asyncio-based; it gets its own thread and event loop so the rest of the server
(threads, uvicorn's loop) does not have to care. Production points ``--mqtt`` at
Mosquitto or EMQX instead.
"""

import asyncio
import logging
import socket
import threading
from concurrent.futures import Future

from amqtt.broker import Broker
from amqtt.session import Session

log = logging.getLogger(__name__)


class _Broker(Broker):
    """amqtt's broker, closing every client socket when its connection ends.

    amqtt 0.12 leaves the socket of a client that disconnects before sending CONNECT
    (a port probe, a health check) open until garbage collection.
    """

    async def stream_connected(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, listener_name: str
    ) -> None:
        try:
            await super().stream_connected(reader, writer, listener_name)
        finally:
            if not writer.is_closing():
                writer.close()

    async def _publish_retained_messages_for_subscription(
        self, subscription: tuple[str, int], session: Session
    ) -> None:
        """Retained messages for a topic filter only to a session subscribed to it.

        amqtt 0.12 also calls this when any client connects, for every topic filter any
        client has subscribed to, not only the connecting session's: a display board
        got every counter's snapshot and the other zones' boards on connect (the apps
        drop topics they did not ask for, but a ``mosquitto_sub`` of the boards printed
        counter topics). A new subscription is registered before this runs, and a
        resumed session keeps its own, so both still get theirs.
        """
        registered = getattr(self, "_subscriptions", None)
        if not isinstance(registered, dict):  # another amqtt: leave it its own way
            await super()._publish_retained_messages_for_subscription(subscription, session)
            return
        subscribers = registered.get(subscription[0], [])
        if any(s.client_id == session.client_id for s, _qos in subscribers):
            await super()._publish_retained_messages_for_subscription(subscription, session)


async def _cancel_leftovers() -> None:
    """Cancel the connection tasks amqtt leaves behind and let them unwind."""
    current = asyncio.current_task()
    tasks = [t for t in asyncio.all_tasks() if t is not current]
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


class EmbeddedBroker:
    """``start()`` blocks until the broker listens; ``port=0`` picks a free port."""

    def __init__(self, host: str = "127.0.0.1", port: int = 1883) -> None:
        self.host = host
        self.port = port
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._broker: Broker | None = None

    @property
    def url(self) -> str:
        return f"mqtt://{self.host}:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        # amqtt and its state-machine library log every connection at INFO; keep the
        # server's log readable unless someone asked for their messages.
        for name in ("amqtt", "transitions"):
            if logging.getLogger(name).level == logging.NOTSET:
                logging.getLogger(name).setLevel(logging.WARNING)
        if self._thread is not None:
            raise RuntimeError("the embedded broker is already running")
        attempts = 3 if self.port == 0 else 1
        for attempt in range(attempts):
            port = free_port(self.host) if self.port == 0 else self.port
            try:
                self._start_on(port, timeout)
            except OSError:
                # Another process took the free port between our probe and the bind.
                if attempt + 1 == attempts:
                    raise
                continue
            if self.port == 0:
                self.port = port
            log.info("embedded MQTT broker listening on %s:%d", self.host, port)
            return

    def _start_on(self, port: int, timeout: float) -> None:
        loop = asyncio.new_event_loop()
        started: Future[None] = Future()
        config = {
            "listeners": {"default": {"type": "tcp", "bind": f"{self.host}:{port}"}},
            # Anonymous access on a loopback or hall-LAN broker; no $SYS chatter.
            "plugins": {
                "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True},
            },
        }

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                broker = _Broker(config, loop=loop)
                loop.run_until_complete(broker.start())
            except BaseException as exc:  # report any start failure to start()
                started.set_exception(exc)
                loop.close()
                return
            self._broker = broker
            started.set_result(None)
            loop.run_forever()
            loop.run_until_complete(_cancel_leftovers())
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

        thread = threading.Thread(target=run, name=f"mqtt-broker-{port}", daemon=True)
        thread.start()
        try:
            started.result(timeout)
        except Exception as exc:
            thread.join(timeout)
            cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else None
            if cause is not None:
                raise cause from exc
            if isinstance(exc, OSError):
                raise
            raise OSError(
                f"embedded MQTT broker did not start on {self.host}:{port}: {exc}"
            ) from exc
        self._loop, self._thread = loop, thread

    def stop(self, timeout: float = 10.0) -> None:
        loop, thread, broker = self._loop, self._thread, self._broker
        if loop is None or thread is None or broker is None:
            return
        future = asyncio.run_coroutine_threadsafe(broker.shutdown(), loop)
        try:
            future.result(timeout)
        except Exception:
            log.exception("embedded MQTT broker did not shut down cleanly")
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
            self._loop = self._thread = self._broker = None

    def __enter__(self) -> "EmbeddedBroker":
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()
