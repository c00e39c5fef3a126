"""MQTT input through the real subscriber path (``feed``), without a broker."""

import logging
from datetime import UTC, datetime

from appkit.mqtt_state import ConnectionState, Subscription
from appkit.offthread import InlineRunner
from kiosk.app import queue_feed
from kiosk.printing import PrinterGate
from kiosk.state import KioskSettings
from kiosk.viewmodel import KioskViewModel
from server.contract import topics
from server.contract.messages import QueueSnapshot, ServiceStatus
from tests.kiosk.fake_api import SITE, FakeApi
from tests.support.newer_server import newer_payload


def snapshot(seq: int, waiting: int) -> QueueSnapshot:
    return QueueSnapshot(
        site=SITE,
        seq=seq,
        generated_at=datetime(2026, 11, 23, 2, 0, seq % 60, tzinfo=UTC),
        site_name="x",
        business_day="2026-11-23",
        waiting_total=waiting,
        services=[
            ServiceStatus(
                code="hotich",
                department="tu-phap",
                name_vi="Hộ tịch",
                name_en="Civil status",
                open=True,
                waiting=waiting,
                estimated_wait_s=waiting * 300,
                counters_open=2,
                issued_today=waiting,
            )
        ],
    )


def hotich_waiting(vm):
    vm.select_department("tu-phap")
    return next(i.waiting for i in vm.services() if i.code == "hotich")


def test_fresh_stale_and_malformed_snapshots(qapp, caplog):
    vm = KioskViewModel(
        FakeApi().client(),
        KioskSettings(site=SITE, kiosk_id="kiosk-1"),
        PrinterGate(None),
        runner=InlineRunner(),
    )
    vm.refresh()
    live = queue_feed(vm)
    topic = topics.queue(SITE)
    live.follow("mqtt://127.0.0.1:1", [Subscription(topic, QueueSnapshot)], client_id="kiosk-test")
    # no broker, never started: we feed by hand
    try:
        assert live.subscriber is not None
        live.subscriber.feed(topic, snapshot(5, 7).model_dump_json().encode())
        assert hotich_waiting(vm) == 7
        live.subscriber.feed(topic, snapshot(4, 1).model_dump_json().encode())  # stale
        assert hotich_waiting(vm) == 7
        with caplog.at_level(logging.WARNING):
            live.subscriber.feed(topic, b"{not json")
        assert "malformed" in caplog.text
        assert hotich_waiting(vm) == 7
        live.on_connection(ConnectionState(False, datetime.now(UTC)))
        assert hotich_waiting(vm) == 2  # the menu's count, not a frozen live one
    finally:
        live.stop()


def test_a_newer_servers_queue_snapshot_is_used(qapp):
    """A kiosk on today's code ignores fields a newer server added to the queue snapshot."""
    vm = KioskViewModel(
        FakeApi().client(),
        KioskSettings(site=SITE, kiosk_id="kiosk-1"),
        PrinterGate(None),
        runner=InlineRunner(),
    )
    vm.refresh()
    live = queue_feed(vm)
    live.follow(
        "mqtt://127.0.0.1:1",  # no broker, never started: we feed by hand
        [Subscription(topics.queue(SITE), QueueSnapshot)],
        client_id="kiosk-test",
    )
    try:
        assert live.subscriber is not None
        sent = snapshot(5, 9)
        assert live.subscriber.feed(topics.queue(SITE), newer_payload(sent)) == sent
        assert hotich_waiting(vm) == 9
        assert live.subscriber.dropped_malformed == 0
    finally:
        live.stop()
