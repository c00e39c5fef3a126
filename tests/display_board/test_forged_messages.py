"""Issue 14, attack 1: nobody but the server can change what a running board shows or says.

A real server, a real board (subscriber, view-model, announcer's listener list), and an
attacker with a display's own broker credentials (on the embedded broker) or with no
credentials at all (on a misconfigured, anonymous Mosquitto). The attacker publishes a
retained snapshot with seq + 10^9 and a fake number, a fake call event and a fake
retained "offline"; the board shows and says none of it, and real calls after that
still show.
"""

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from appkit.live import LiveFeed
from appkit.mqtt_state import StateSubscriber, Subscription
from display_board.viewmodel import BoardViewModel
from server.config import Settings
from server.contract import topics
from server.contract.messages import CallEvent, CallInfo, DisplaySnapshot, ServerStatus
from server.contract.signing import ServerKey
from server.runtime import Runtime
from server.storage.seeding import CREDENTIALS_FILE, seed_demo
from tests.support.live_server import LiveServer
from tests.support.mosquitto import Mosquitto

pytestmark = [pytest.mark.gui, pytest.mark.slow]

SITE = "hcm-main"
AREA = "A"
SERVICE = "tp-hotich"  # zone A
COUNTER = "2"


class Board:
    """A running board of zone A: what it showed and what it said."""

    def __init__(self, url: str, key: ServerKey, qtbot) -> None:
        self.vm = BoardViewModel(SITE, AREA)
        self.bridge = LiveFeed(self.vm.handle, self.vm.set_connection)
        self.said: list[str] = []
        self.numbers: list[str] = []
        self.vm.announced.append(lambda call: self.said.append(call.ticket_number))
        self.vm.changed.append(self._note)
        self.sub = StateSubscriber(
            url,
            [
                Subscription(topics.display(SITE, AREA), DisplaySnapshot),
                Subscription(topics.calls(SITE), CallEvent, ordered=False),
            ],
            self.bridge.on_message,
            self.bridge.on_connection,
            server_key=key,
        )
        self.sub.start()
        qtbot.waitUntil(lambda: self.vm.connected and self.vm.snapshot is not None, timeout=20000)

    def _note(self) -> None:
        if self.vm.calling is not None:
            self.numbers.append(self.vm.calling.ticket_number)

    def stop(self) -> None:
        self.sub.stop()


def attack(host: str, port: int, board: Board, username: str | None, password: str | None):
    """Publish the three fakes of the issue; returns once the broker took (or refused) them."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    if username is not None:
        client.username_pw_set(username, password)
    client.connect(host, port)
    client.loop_start()
    try:
        real = board.vm.snapshot
        assert real is not None
        fake_call = CallInfo(
            call_id="fake-call",
            ticket_id="fake-ticket",
            ticket_number="6666",
            service=SERVICE,
            service_name_vi="Giả",
            service_name_en="Fake",
            counter_id="9",
            counter_number=9,
            counter_name="Quầy 9",
            area=AREA,
            called_at=datetime.now(UTC),
        )
        snapshot = real.model_copy(
            update={"seq": real.seq + 10**9, "calling": fake_call, "notice": "giả mạo"}
        )
        event = CallEvent(site=SITE, seq=real.seq + 10**9, call=fake_call)
        offline = ServerStatus(state="offline", at=datetime.now(UTC))
        sent = [
            client.publish(topics.display(SITE, AREA), snapshot.model_dump_json(), 1, True),
            client.publish(topics.calls(SITE), event.model_dump_json(), 1, False),
            client.publish(topics.server_status(), offline.model_dump_json(), 1, True),
        ]
        for info in sent:
            info.wait_for_publish(10)
    finally:
        client.disconnect()
        client.loop_stop()


def issue_and_call(base_url: str, kiosk_token: str, clerk: tuple[str, str]) -> tuple[str, str]:
    """A real ticket called at counter 2 of zone A: (its number, the call id)."""
    api = f"{base_url}/api/v1"
    kiosk = {"Authorization": f"Bearer {kiosk_token}", "Idempotency-Key": uuid.uuid4().hex}
    r = httpx.post(f"{api}/sites/{SITE}/tickets", json={"service": SERVICE}, headers=kiosk)
    assert r.status_code == 201, r.text
    login = httpx.post(f"{api}/auth/login", json={"username": clerk[0], "password": clerk[1]})
    token = login.json()["token"]
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    r = httpx.post(f"{api}/sites/{SITE}/counters/{COUNTER}/call-next", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()["ticket"]["number"], r.json()["call_id"]


def shows_nothing_fake(board: Board) -> None:
    assert "6666" not in board.numbers and "6666" not in board.said
    assert not board.vm.was_played("fake-call")
    assert board.vm.mark is None  # not "server offline"
    assert board.vm.notice != "giả mạo"
    snapshot = board.vm.snapshot
    assert snapshot is not None and snapshot.seq < 10**9


def real_calls_still_show(board: Board, number: str, call_id: str, qtbot) -> None:
    qtbot.waitUntil(lambda: board.vm.was_played(call_id), timeout=20000)
    qtbot.waitUntil(
        lambda: board.vm.calling is not None and board.vm.calling.call_id == call_id,
        timeout=20000,
    )
    assert board.said == [number]


def test_a_display_s_own_credentials_cannot_fake_the_board(live_server: LiveServer, qtbot):
    assert live_server.server_key is not None
    board = Board(live_server.mqtt_url(), live_server.server_key, qtbot)
    try:
        attack(live_server.mqtt_host, live_server.mqtt_port, board, **live_server.credentials())
        number, call_id = issue_and_call(
            live_server.base_url, live_server.kiosk_token, live_server.clerks[COUNTER]
        )
        real_calls_still_show(board, number, call_id, qtbot)
        shows_nothing_fake(board)
    finally:
        board.stop()


@pytest.fixture
def server_on_mosquitto(tmp_path: Path, mosquitto: Mosquitto) -> Iterator[tuple[Runtime, dict]]:
    data_dir = tmp_path / "var"
    settings = Settings(data_dir=data_dir, mqtt=mosquitto.url, http="127.0.0.1:0")
    seed_demo(settings.db_url, data_dir, now=datetime.now(UTC), always_open=True)
    credentials = json.loads((data_dir / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    runtime = Runtime(settings)
    runtime.start()
    try:
        yield runtime, credentials
    finally:
        runtime.stop()


@pytest.mark.mosquitto
def test_an_anonymous_broker_lets_fakes_through_and_the_board_drops_them(
    server_on_mosquitto, mosquitto: Mosquitto, qtbot
):
    runtime, credentials = server_on_mosquitto
    assert runtime.signer is not None
    board = Board(mosquitto.url, runtime.signer.key.public, qtbot)
    try:
        attack(mosquitto.host, mosquitto.port, board, None, None)
        # The broker delivered all three; the board dropped each one.
        qtbot.waitUntil(lambda: board.sub.dropped_unverified >= 3, timeout=20000)
        shows_nothing_fake(board)
        clerk = next(u for u in credentials["users"] if u.get("counter") == COUNTER)
        number, call_id = issue_and_call(
            f"http://127.0.0.1:{runtime.port}",
            credentials["devices"]["kiosk-1"],
            (clerk["username"], clerk["password"]),
        )
        real_calls_still_show(board, number, call_id, qtbot)
        shows_nothing_fake(board)
    finally:
        board.stop()
