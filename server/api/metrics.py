"""``/metrics`` for the IT team, in Prometheus's text format (prometheus-client).

What each number counts (docs/deploy.md has the table):

- from the database, the same on every server process of an installation (aggregate
  with ``max`` across processes, never ``sum``): tickets issued and served on each site's
  current business day per field (counters that restart with the day), people waiting
  per field, devices gone silent per site;
- per process (``sum`` across processes): command latency per command (this process's
  requests), snapshot builds (this process's own and its snapshot process's), and this
  process's MQTT connection.

Not public: answered only to a bearer token or a peer address the server's settings
allow (``metrics_token``, ``metrics_allow``); otherwise 404, as if it did not exist.
"""

import hmac
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network, ip_address
from time import perf_counter
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from server.contract.http import API_PREFIX
from server.service import QueueService

PATH = "/metrics"
# Command latencies: from a lone issue on an idle server to a request that waited behind
# a burst or a slow database.
BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
READS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class MetricsAccess:
    """Who may read ``/metrics``; with neither a token nor a network it is off."""

    token: str | None = None
    networks: tuple[IPv4Network | IPv6Network, ...] = ()

    @property
    def enabled(self) -> bool:
        return bool(self.token) or bool(self.networks)

    def allows(self, request: Request) -> bool:
        """The token, or the client's address as uvicorn gives it (a request from
        127.0.0.1 with ``X-Forwarded-For``, as nginx sends, counts as that address). The
        sample nginx file refuses ``/metrics`` before it reaches the server."""
        header = request.headers.get("authorization", "")
        scheme, _, sent = header.partition(" ")
        if self.token and scheme.lower() == "bearer":
            return hmac.compare_digest(sent.strip().encode(), self.token.encode())
        peer = request.client.host if request.client else ""
        try:
            address = ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


class CommandTimer:
    """Times every command request of ``/api/v1`` by its route's name (a plain ASGI
    layer: no request object is built, reads pass straight through)."""

    def __init__(self, app: Any, histogram: Histogram) -> None:
        self.app = app
        self.histogram = histogram

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in READS
            or not scope["path"].startswith(API_PREFIX)
        ):
            await self.app(scope, receive, send)
            return
        began = perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            name = getattr(scope.get("route"), "name", None)
            if name:
                self.histogram.labels(name).observe(perf_counter() - began)


class HallCollector(Collector):
    """Reads the database and the process's state at each scrape."""

    def __init__(self, service: QueueService, mqtt_state: Callable[[], str] | None) -> None:
        self.service = service
        self.mqtt_state = mqtt_state

    def collect(self) -> Iterator[Metric]:
        hall = self.service.gauges.read()
        fields = ["site", "service"]
        issued = CounterMetricFamily(
            "qms_tickets_issued",
            "Tickets issued on the site's current business day (restarts each day; database).",
            labels=fields,
        )
        for (site, field), n in sorted(hall.issued_today.items()):
            issued.add_metric([site, field], n)
        yield issued
        served = CounterMetricFamily(
            "qms_tickets_served",
            "Tickets served on the site's current business day (restarts each day; database).",
            labels=fields,
        )
        for (site, field), n in sorted(hall.served_today.items()):
            served.add_metric([site, field], n)
        yield served
        waiting = GaugeMetricFamily(
            "qms_waiting", "People waiting per field now (database).", labels=fields
        )
        for (site, field), n in sorted(hall.waiting.items()):
            waiting.add_metric([site, field], n)
        yield waiting
        silent = GaugeMetricFamily(
            "qms_devices_silent",
            "Active devices whose last status is older than two heartbeats (database).",
            labels=["site"],
        )
        for site in sorted({s.id for s in self.service.site_config.sites()}):
            silent.add_metric([site], hall.silent_devices.get(site, 0))
        yield silent
        builds = CounterMetricFamily(
            "qms_snapshot_builds",
            "Builds of a site's stale snapshots by this server process and its snapshot "
            "process (per process).",
            labels=["process"],
        )
        for process, n in sorted(self.service.projector.snapshot_builds().items()):
            builds.add_metric([process], n)
        yield builds
        state = self.mqtt_state() if self.mqtt_state is not None else "none"
        connected = GaugeMetricFamily(
            "qms_mqtt_connected",
            "1 when this process's MQTT connection is up and its snapshot process runs.",
        )
        connected.add_metric([], 1 if state == "connected" else 0)
        yield connected
        named = GaugeMetricFamily(
            "qms_mqtt_state",
            "This process's MQTT state as /health names it (the one with value 1).",
            labels=["state"],
        )
        named.add_metric([state], 1)
        yield named


def install(
    app: FastAPI,
    service: QueueService,
    access: MetricsAccess,
    *,
    mqtt_state: Callable[[], str] | None,
) -> None:
    """Add ``/metrics`` and the command timer, only when someone may read them."""
    if not access.enabled:
        return
    registry = CollectorRegistry(auto_describe=False)
    latency = Histogram(
        "qms_command_seconds",
        "Time to answer a command request of /api/v1, per command (per process).",
        ["command"],
        buckets=BUCKETS,
        registry=registry,
    )
    registry.register(HallCollector(service, mqtt_state))
    app.add_middleware(CommandTimer, histogram=latency)

    def metrics(request: Request) -> Response:
        if not access.allows(request):
            return PlainTextResponse("not found\n", status_code=404)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.add_api_route(PATH, metrics, methods=["GET"], include_in_schema=False)
