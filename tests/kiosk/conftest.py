"""Kiosk fixtures on the real server: clients, a virtual printer, a restartable server."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from appkit.api_client import ApiClient
from appkit.offthread import InlineRunner, Runs
from hardware.printer.virtual import VirtualPrinter
from kiosk.client import KioskClient
from kiosk.printing import PrinterGate
from kiosk.state import KioskSettings
from kiosk.viewmodel import KioskViewModel
from tests.kiosk.fake_api import ID_KEY, FakeClock


class LosingTransport(httpx.BaseTransport):
    """Forwards to the real server, then loses the answer of the first ``lose`` ticket requests.

    The server has done the work; the kiosk only sees a broken connection: exactly
    the case the idempotency key is for.
    """

    def __init__(self, lose: int) -> None:
        self.inner = httpx.HTTPTransport()
        self.lose = lose
        self.keys: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if request.method == "POST" and request.url.path.endswith("/tickets"):
            self.keys.append(request.headers["Idempotency-Key"])
            if self.lose > 0:
                self.lose -= 1
                response.read()
                response.close()
                raise httpx.ReadError("connection reset", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


class SwitchTransport(httpx.BaseTransport):
    """The real server, or (``down = True``) a refused connection, as if it had stopped."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.down = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


def kiosk_client(live_server, transport: httpx.BaseTransport | None = None) -> KioskClient:
    api = ApiClient(live_server.base_url, token=live_server.kiosk_token, transport=transport)
    return KioskClient(api, live_server.site)


@pytest.fixture
def printer(tmp_path: Path) -> VirtualPrinter:
    return VirtualPrinter(tmp_path / "tickets")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_vm(qapp, live_server, printer, clock):
    """Build a view-model on the live server; closes its client afterwards."""
    made: list[KioskViewModel] = []

    def make(
        runner: Runs | None = None,
        transport: httpx.BaseTransport | None = None,
        **settings: object,
    ) -> KioskViewModel:
        vm = KioskViewModel(
            kiosk_client(live_server, transport),
            KioskSettings(site=live_server.site, kiosk_id="kiosk-1", **settings),  # type: ignore[arg-type]
            PrinterGate(printer),
            id_key=ID_KEY,
            runner=runner if runner is not None else InlineRunner(),
            clock=clock,
            now=lambda: datetime.now(UTC),
        )
        made.append(vm)
        return vm

    yield make
    for vm in made:
        vm.stop()
        _wait_idle(qapp, vm)
        vm.client.close()


def _wait_idle(qapp, vm: KioskViewModel) -> None:
    """Let calls still running on the runner's threads end before the client closes.

    A call that was opening a connection while ``close()`` ran left that connection
    outside the closed pool: an unclosed socket, reported later in whichever test the
    garbage collector happened to run (seen on a busy machine)."""
    deadline = time.monotonic() + 30
    while not vm.runner.idle() and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)


def restart_server(live_server) -> None:
    """Start a new server process-in-thread on the same port and data (after a stop)."""
    from server.config import Settings
    from server.runtime import Runtime

    port = int(live_server.base_url.rsplit(":", 1)[1])
    settings = Settings(
        data_dir=live_server.data_dir, http=f"127.0.0.1:{port}", embedded_mqtt_port=0
    )
    runtime = Runtime(settings)
    runtime.start()
    live_server.runtime = runtime  # the fixture stops this one at the end
