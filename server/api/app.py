"""Build the FastAPI application around a ``QueueService``."""

from collections.abc import Callable

from fastapi import FastAPI

from server.api import errors, openapi, reports, tracking, upstream
from server.api.dispatch import CommandRunner
from server.api.limits import BodyLimit
from server.api.routes import router
from server.console import mount as mount_console
from server.service import QueueService

VERSION = "0.1.0"


def create_app(service: QueueService, *, mqtt_state: Callable[[], str] | None = None) -> FastAPI:
    """The app; ``mqtt_state`` reports the publisher's connection for ``/health``."""
    app = FastAPI(
        title="QMS queue server",
        version=VERSION,
        description="Commands over HTTP; state over MQTT. See docs/api.md.",
    )
    app.state.service = service
    app.state.commands = CommandRunner(service.core)
    app.state.mqtt_state = mqtt_state
    errors.install(app)
    app.include_router(router)
    app.include_router(tracking.router)
    app.include_router(reports.router)
    app.include_router(upstream.router)
    mount_console(app)
    app.add_middleware(BodyLimit)
    openapi.install(app)
    return app
