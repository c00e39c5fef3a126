"""Build the FastAPI application around a ``QueueService``."""

from collections.abc import Callable

from fastapi import FastAPI

from server.api import bookings, errors, metrics, openapi, reports, supervise, tracking, upstream
from server.api.dispatch import CommandRunner
from server.api.limits import BodyLimit
from server.api.routes import router
from server.booking import pages as booking_pages
from server.booking.service import Bookings
from server.console import mount as mount_console
from server.service import QueueService

VERSION = "0.1.0"


def create_app(
    service: QueueService,
    *,
    mqtt_state: Callable[[], str] | None = None,
    metrics_access: metrics.MetricsAccess | None = None,
) -> FastAPI:
    """The app; ``mqtt_state`` reports the publisher's connection for ``/health``;
    ``metrics_access``: who may read ``/metrics`` (None: nobody, it is not served)."""
    app = FastAPI(
        title="QMS queue server",
        version=VERSION,
        description="Commands over HTTP; state over MQTT. See docs/api.md.",
    )
    app.state.service = service
    app.state.commands = CommandRunner(service.core)
    app.state.mqtt_state = mqtt_state
    # ID numbers are keyed with the server secret, which the runtime sets after this.
    app.state.bookings = Bookings(
        service.core,
        service.tickets,
        key=lambda: service.accounts.pin_key,
        public_url=service.tickets.public_url,
    )
    errors.install(app)
    app.include_router(router)
    app.include_router(supervise.router)
    app.include_router(tracking.router)
    app.include_router(reports.router)
    app.include_router(bookings.router)
    app.include_router(booking_pages.router)
    app.include_router(upstream.router)
    mount_console(app)
    app.add_middleware(BodyLimit)
    metrics.install(app, service, metrics_access or metrics.MetricsAccess(), mqtt_state=mqtt_state)
    openapi.install(app)
    return app
