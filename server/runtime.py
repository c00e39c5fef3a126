"""The composition root: database, publisher (MQTT or a given one), HTTP server, day sweep."""

import gc
import logging
import secrets
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import uvicorn
from fastapi import FastAPI
from sqlalchemy import make_url

from server.api import server_key, tracking
from server.api.app import create_app
from server.api.metrics import MetricsAccess
from server.config import Settings
from server.messaging.keys import Signer, load_or_create
from server.messaging.publisher import Publisher
from server.notify.gateway import MessageGateway, SimulatedGateway
from server.notify.hub import TrackingHub
from server.notify.webpush import PushSender, VapidKey
from server.projection.snapshot_process import ChildConfig, SnapshotProcess
from server.security.private import private_dir
from server.security.secret import load_secret
from server.service import QueueService
from server.shedding import HttpLimits, guarded_protocol, raise_fd_limit
from server.storage.db import Database
from server.storage.migrate import upgrade

if TYPE_CHECKING:
    from server.upstream.uplink import Uplink

log = logging.getLogger(__name__)

# How often every server process looks whether sessions or tokens were ended elsewhere.
REVOCATION_POLL_S = 0.25


def freeze_start_up_objects() -> None:
    """Take what start-up made (modules, schemas, compiled statements: long-lived) out of
    the garbage collector's view. Each full collection scanned it all: a long pause
    every few thousand requests, seen as late boards and slow answers. For a process
    that serves until it stops (``qms server``, ``qms demo``), not for tests that start
    many servers in one process."""
    gc.collect()
    gc.freeze()


def bind(host: str, port: int) -> socket.socket:
    """Bind first, so port 0 gives a free port we know before uvicorn starts."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    # Accepted connections inherit it: without it a response's body waits for the
    # client's delayed ACK of the headers (Nagle).
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    return sock


def serve_in_thread(
    app: FastAPI, sock: socket.socket, limits: HttpLimits | None = None
) -> tuple[uvicorn.Server, threading.Thread]:
    """Run uvicorn on ``sock`` in a daemon thread; returns once it accepts connections.

    Its connections are guarded (``server.shedding``): deadlines for a request header,
    a cap on its size and on open connections."""
    limits = limits or HttpLimits()
    config = uvicorn.Config(
        app,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=2,
        http=guarded_protocol(limits),
        timeout_keep_alive=limits.keep_alive_s,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=lambda: server.run(sockets=[sock]), name="http", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the HTTP server failed to start")
        time.sleep(0.01)
    return server, thread


@dataclass
class Runtime:
    """Everything one server process runs; ``start()`` returns once HTTP listens."""

    settings: Settings
    publisher: Publisher | None = None
    db: Database = field(init=False)
    service: QueueService = field(init=False)
    port: int = 0
    mqtt_url: str = ""
    signer: Signer | None = None
    # "Sắp đến lượt" messages: the simulator until a provider is configured; Web Push
    # goes to the browsers' push services (None: ``HttpPushSender``).
    gateway: MessageGateway = field(default_factory=SimulatedGateway)
    push: PushSender | None = None
    tracking: TrackingHub | None = field(default=None, init=False)
    _closers: list[object] = field(default_factory=list)
    _builder: SnapshotProcess | None = None
    _server: uvicorn.Server | None = None
    _app: FastAPI | None = None
    _thread: threading.Thread | None = None
    _stop: threading.Event = field(default_factory=threading.Event)
    # A branch server's link to the city (``settings.upstream``); None elsewhere.
    uplink: "Uplink | None" = None

    def start(self) -> None:
        settings = self.settings
        if settings.switch_interval_s is not None:
            # A request thread back from the database waits for the interpreter lock up
            # to this long while the snapshot thread computes; the interpreter's default,
            # paid per statement, piles up inside the site's transaction.
            sys.setswitchinterval(settings.switch_interval_s)
        private_dir(settings.data_dir)
        fds = raise_fd_limit()
        sock = bind(settings.http_host, settings.http_port)
        self.port = sock.getsockname()[1]
        public_url = settings.public_url or f"http://{settings.http_host}:{self.port}"
        self.db = Database(settings.db_url, background_checkpoints=True)
        upgrade(self.db.engine)
        if self.signer is None:
            self.signer = Signer(load_or_create(settings.signing_key_path))
        try:
            publisher, mqtt_state = self._publisher()
        except OSError:  # the broker's port is taken: nothing of this start stays open
            sock.close()
            self.db.dispose()
            raise
        builder = self._snapshot_process()
        self.service = QueueService(
            self.db, publisher, public_url=public_url, background=True, builder=builder
        )
        self.service.accounts.pin_key = load_secret(settings.data_dir)
        self.service.accounts.watch_revocations()
        if builder is None:
            self.service.projector.republish_all()
        else:  # the snapshot process republishes every snapshot when it connects
            self.service.projector.republish_all_devices()
        access = MetricsAccess(settings.metrics_token, settings.metrics_networks)
        app = self._app = create_app(self.service, mqtt_state=mqtt_state, metrics_access=access)
        app.state.server_key = self.signer.key.public
        self.tracking = tracking.install(
            app,
            self.service,
            key=VapidKey.load_or_create(settings.data_dir),
            gateway=self.gateway,
            push=self.push,
        )
        app.include_router(server_key.router)
        self._server, self._thread = serve_in_thread(app, sock)
        app.state.live.start()  # the live hall's watcher: alerts are logged unwatched too
        if settings.upstream is not None and settings.upstream_token is not None:
            from server.upstream.uplink import Uplink

            self.uplink = Uplink(self.service, settings.upstream, settings.upstream_token)
            self.uplink.start()
            log.info("a branch of %s", settings.upstream)
        threading.Thread(target=self._sweep, name="day-sweep", daemon=True).start()
        threading.Thread(target=self._watch, name="revocations", daemon=True).start()
        log.info(
            "queue server on http://%s:%d (file descriptors: %d)",
            settings.http_host,
            self.port,
            fds,
        )

    def broker_address(self) -> tuple[str, int]:
        """Host and port of the MQTT broker the server publishes to."""
        from server.messaging.url import parse_mqtt_url

        address = parse_mqtt_url(self.mqtt_url)
        return address.host, address.port

    def _publisher(self) -> tuple[Publisher, Callable[[], str] | None]:
        if self.publisher is not None:
            return self.publisher, None
        from server.messaging.broker import EmbeddedBroker
        from server.messaging.broker_access import SERVER_USER, BrokerAccess
        from server.messaging.mqtt import MqttPublisher

        url = self.settings.mqtt
        if url is None:
            # Never another port than the one asked for: a board pointed at 1883 would
            # get nothing while health said "connected" (issue 14). Port 0 picks one.
            password = secrets.token_urlsafe(24)
            access = BrokerAccess(password, self._device_check)
            broker = EmbeddedBroker(port=self.settings.embedded_port, access=access)
            broker.start()
            self._closers.append(broker)
            url = f"mqtt://{SERVER_USER}:{password}@{broker.host}:{broker.port}"
        self.mqtt_url = url
        ca = str(self.settings.mqtt_ca) if self.settings.mqtt_ca else None
        mqtt = MqttPublisher(url, on_connected=self._republish, signer=self.signer, ca_file=ca)
        mqtt.start()
        self._closers.insert(0, mqtt)
        return mqtt, lambda: self._mqtt_state(mqtt.state)

    def _device_check(self, device_id: str, token: str) -> str | None:
        """For the embedded broker: the site of the active device with this id and token
        (nobody gets in before the service exists)."""
        service: QueueService | None = getattr(self, "service", None)
        if service is None:
            return None
        return service.devices.broker_site(device_id, token)

    def _mqtt_state(self, connection: str) -> str:
        """For ``/health``: the server's MQTT connection, or that its snapshots stopped
        (the snapshot process died and no command since started it again)."""
        if self._builder is not None and not self._builder.alive and connection != "closed":
            return "snapshot process down"
        return connection

    def _snapshot_process(self) -> SnapshotProcess | None:
        """Snapshots are built and published by a child process when publishing to a
        broker (``server.projection.snapshot_process``); a publisher given in code (tests)
        is called in this process."""
        if not self.mqtt_url or not self.settings.snapshot_process:
            return None
        url = make_url(self.settings.db_url)
        if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
            return None  # another process would see another, empty database
        config = ChildConfig(
            db_url=self.settings.db_url,
            mqtt_url=self.mqtt_url,
            log_level=logging.getLogger().getEffectiveLevel(),
            signer=self.signer,
            mqtt_ca=str(self.settings.mqtt_ca) if self.settings.mqtt_ca else None,
        )
        process = SnapshotProcess(config)
        try:
            process.start()
        except Exception:
            # The server still serves and publishes, from its own process, as before.
            log.exception("the snapshot process could not start; building snapshots here")
            return None
        self._builder = process
        return process

    def _republish(self) -> None:
        """After every (re)connect of the publisher: the broker may have lost retained state.
        With a snapshot process, that process republishes the snapshots on its own
        connection's (re)connect; this connection's device statuses are sent here."""
        service = getattr(self, "service", None)
        if service is None:
            return
        if self._builder is not None:
            service.projector.republish_all_devices()
        else:
            service.projector.republish_all()

    def _sweep(self) -> None:
        while not self._stop.wait(self.settings.day_sweep_s):
            try:
                self.service.core.sweep_days()
            except Exception:
                log.exception("day sweep failed")

    def _watch(self) -> None:
        """Sessions and device tokens ended by another process (``qms user passwd``,
        ``qms device revoke``) stop working here within ``REVOCATION_POLL_S``."""
        failing = False
        while not self._stop.wait(REVOCATION_POLL_S):
            try:
                self.service.accounts.watch_revocations()
                failing = False
            except Exception:
                if not failing:  # once, not four times a second while the database is away
                    log.exception("watching for ended sessions failed")
                failing = True

    def wait(self) -> None:
        """Block until the HTTP server stops (Ctrl-C in ``qms server``)."""
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        if self._app is not None:
            self._app.state.live.stop()  # ends the live pages' feeds
        if self.tracking is not None:  # ends the pages' streams, which would hold HTTP open
            self.tracking.close()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.uplink is not None:
            self.uplink.stop()
        if self._app is not None:
            self._app.state.commands.close()
        if hasattr(self, "service"):
            self.service.flush(5)
            self.service.close()
        for closer in self._closers:
            close = getattr(closer, "close", None) or getattr(closer, "stop", None)
            if close is not None:
                try:
                    close()
                except Exception:
                    log.exception("closing %r failed", closer)
        self.db.dispose()
