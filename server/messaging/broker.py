"""An MQTT broker inside the server process (amqtt), for the demo and single-machine halls.

amqtt is asyncio-based; it gets its own thread and event loop so the rest of the server
(threads, uvicorn's loop) does not have to care. Production points ``--mqtt`` at
Mosquitto or EMQX instead.

Given a :class:`~server.messaging.broker_access.BrokerAccess`, it refuses anonymous
clients and applies that object's topic rules, through amqtt's own plugin interfaces
(an authentication and a topic-checking plugin): amqtt's stock plugins read users from
a password file and topic rules from static lists, while ours are checked against the
database's device tokens and each device's site.
"""

import asyncio
import logging
import socket
import threading
from concurrent.futures import Future
from dataclasses import dataclass
from typing import Any

from amqtt.broker import Broker
from amqtt.contexts import Action, BaseContext
from amqtt.plugins.base import BaseAuthPlugin, BaseTopicPlugin
from amqtt.session import Session

from server.messaging.broker_access import BrokerAccess, may_publish, may_read

log = logging.getLogger(__name__)


class PortTaken(OSError):
    """The broker's port is in use; the message says what to do about it."""


def _access_of(plugin: Any) -> BrokerAccess:
    access = getattr(plugin.context.config, "access", None)
    if not isinstance(access, BrokerAccess):
        raise TypeError("the embedded broker's plugins need a BrokerAccess")
    return access


class DeviceAuthPlugin(BaseAuthPlugin):
    """No anonymous client; the server's password or a device's id and token."""

    @dataclass
    class Config:
        access: Any = None

    def __init__(self, context: BaseContext) -> None:
        super().__init__(context)
        self._access = _access_of(self)

    async def authenticate(self, *, session: Session) -> bool | None:
        # The device check reads the database: not on the broker's event loop.
        principal = await asyncio.to_thread(
            self._access.authenticate, session.username, session.password
        )
        return principal is not None


class SiteAclPlugin(BaseTopicPlugin):
    """Only the server publishes; a device reads its own site's topics only."""

    @dataclass
    class Config:
        access: Any = None

    def __init__(self, context: BaseContext) -> None:
        super().__init__(context)
        self._access = _access_of(self)

    async def topic_filtering(
        self,
        *,
        session: Session | None = None,
        topic: str | None = None,
        action: Action | None = None,
    ) -> bool | None:
        return topic_allowed(self._access, session, topic, action)


def topic_allowed(
    access: BrokerAccess, session: Session | None, topic: str | None, action: Action | None
) -> bool:
    """Only the server publishes; a device reads its own site's topics only."""
    principal = access.principal(session.username if session else None)
    if principal is None or topic is None:
        return False
    if action == Action.PUBLISH:
        allowed = may_publish(principal, topic)
    else:
        allowed = may_read(principal, topic)
    if not allowed and action != Action.RECEIVE:
        log.warning("MQTT: %s may not %s %s", principal.name, action, topic)
    return allowed


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

    access: BrokerAccess | None = None

    async def _topic_filtering(self, session: Session, topic: str, action: Action) -> bool:
        """The topic rules, decided without yielding to the event loop.

        amqtt 0.12's broadcast walks its table of subscriptions and awaits this check
        for each subscriber; through the plugin manager that await lets other tasks
        run, a client subscribing meanwhile changes the table, and the broadcast dies
        ("dictionary changed size during iteration"), losing that message for everyone.
        """
        if self.access is None:
            return await super()._topic_filtering(session, topic, action)
        return topic_allowed(self.access, session, topic, action)

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


_UNACKNOWLEDGED = "Timeout waiting for PUB"  # amqtt's words: PUBACK, PUBREC, PUBCOMP


def _unacknowledged(error: BaseException | None) -> bool:
    """amqtt gave up on a message because its client never acknowledged it."""
    return isinstance(error, TimeoutError) and str(error).startswith(_UNACKNOWLEDGED)


class _LeftWithoutAcknowledging(logging.Filter):
    """amqtt's warning and tracebacks for a client that went away before acknowledging
    its messages, as one quiet line.

    A client that reads the retained state and disconnects (a screenshot, a board being
    restarted) leaves amqtt waiting for acknowledgements; after its timeout amqtt logs a
    warning per message and a traceback per task, which a newcomer to the demo reads as
    a crash. Nothing is wrong: the client will get the retained state when it is back.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if _unacknowledged(error) or (
            record.levelno == logging.WARNING and str(record.msg).startswith(_UNACKNOWLEDGED)
        ):
            log.debug("an MQTT client left before acknowledging a message (%s)", record.msg)
            return False
        return True


_QUIET = _LeftWithoutAcknowledging()


def _quiet_amqtt() -> None:
    for name in ("amqtt.mqtt.protocol.handler", "amqtt.broker"):
        logger = logging.getLogger(name)
        if _QUIET not in logger.filters:
            logger.addFilter(_QUIET)


def _loop_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """amqtt leaves the publish tasks of a vanished client unawaited: their timeout is
    no error (see ``_LeftWithoutAcknowledging``); anything else is reported as usual."""
    if _unacknowledged(context.get("exception")):
        log.debug("an MQTT client left before acknowledging a message")
        return
    loop.default_exception_handler(context)


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

    def __init__(
        self, host: str = "127.0.0.1", port: int = 1883, *, access: BrokerAccess | None = None
    ) -> None:
        """``access``: who may connect and what each may do; None leaves the broker open
        to anonymous clients (only for tests of the broker itself and benchmarks)."""
        self.host = host
        self.port = port
        self.access = access
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
        _quiet_amqtt()
        if self._thread is not None:
            raise RuntimeError("the embedded broker is already running")
        attempts = 3 if self.port == 0 else 1
        for attempt in range(attempts):
            port = free_port(self.host) if self.port == 0 else self.port
            try:
                self._start_on(port, timeout)
            except OSError as exc:
                # Another process took the free port between our probe and the bind.
                if attempt + 1 == attempts:
                    if self.port != 0:
                        raise PortTaken(
                            exc.errno,
                            f"the embedded MQTT broker cannot listen on {self.host}:{port} "
                            f"({exc.strerror or exc}); is another broker running? Stop it, "
                            "give another port (0 picks a free one), or point --mqtt at it",
                        ) from exc
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
            # No $SYS chatter.
            "plugins": self._plugins(),
        }

        def run() -> None:
            asyncio.set_event_loop(loop)
            loop.set_exception_handler(_loop_errors)
            try:
                broker = _Broker(config, loop=loop)
                broker.access = self.access
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

    def _plugins(self) -> dict[str, dict[str, Any]]:
        if self.access is None:
            return {"amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}}
        return {
            f"{__name__}.DeviceAuthPlugin": {"access": self.access},
            f"{__name__}.SiteAclPlugin": {"access": self.access},
        }

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
