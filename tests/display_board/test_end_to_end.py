"""End to end: a clerk's call through the server's HTTP API reaches the board and is said once."""

import uuid
import wave

import httpx
import pytest

from appkit.live import LiveFeed
from appkit.mqtt_state import StateSubscriber, Subscription
from display_board.announcer import Announcer
from display_board.audio import RecordingSink
from display_board.viewmodel import BoardViewModel
from display_board.voice import VoiceBank, clip_texts, write_chime
from server.contract import topics
from server.contract.http import ActionOut, MenuOut, TicketOut
from server.contract.messages import CallEvent, DisplaySnapshot

pytestmark = [pytest.mark.gui, pytest.mark.slow]


def voice(root):
    write_chime(root / "chime.wav")
    (root / "vi").mkdir()
    for stem in clip_texts("vi"):
        with wave.open(str(root / "vi" / f"{stem}.wav"), "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(22050)
            w.writeframes(b"\0\0" * 10)
    return VoiceBank(root)


def test_a_call_made_through_the_api_reaches_the_board(live_server, tmp_path, qtbot):
    base = live_server.base_url + "/api/v1"
    site = live_server.site
    menu = MenuOut.model_validate(httpx.get(f"{base}/sites/{site}/services", timeout=10).json())
    service = next(s for d in menu.departments for s in d.services if s.open and s.area)
    area = service.area
    assert area is not None

    vm = BoardViewModel(site, area)
    bridge = LiveFeed(vm.handle, vm.set_connection)
    sink = RecordingSink()
    announcer = Announcer(voice(tmp_path), sink)
    vm.announced.append(announcer.announce)
    url = live_server.mqtt_url()
    sub = StateSubscriber(
        url,
        [
            Subscription(topics.display(site, area), DisplaySnapshot),
            Subscription(topics.calls(site), CallEvent, ordered=False),
        ],
        bridge.on_message,
        bridge.on_connection,
    )
    sub.start()
    try:
        qtbot.waitUntil(lambda: vm.connected and vm.snapshot is not None, timeout=15000)
        kiosk = {
            "Authorization": f"Bearer {live_server.kiosk_token}",
            "Idempotency-Key": uuid.uuid4().hex,
        }
        body = {"service": service.code}
        r = httpx.post(f"{base}/sites/{site}/tickets", json=body, headers=kiosk, timeout=10)
        assert r.status_code == 201, r.text
        ticket = TicketOut.model_validate(r.json())

        counter = str(service.counters[0])
        username, password = live_server.clerks[counter]
        token = live_server.login(username, password)
        clerk = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
        call_url = f"{base}/sites/{site}/counters/{counter}/call-next"
        action = ActionOut.model_validate(httpx.post(call_url, headers=clerk, timeout=10).json())
        assert action.ticket is not None and action.ticket.number == ticket.number
        assert action.call_id is not None

        qtbot.waitUntil(lambda: vm.was_played(action.call_id), timeout=15000)
        qtbot.waitUntil(
            lambda: vm.calling is not None and vm.calling.call_id == action.call_id, timeout=15000
        )
        shown = next(c for c in vm.counters if str(c.number) == counter)
        assert shown.current_ticket == ticket.number

        # The clerk's client retries with the same key: the same call, nothing said twice.
        again = ActionOut.model_validate(httpx.post(call_url, headers=clerk, timeout=10).json())
        assert again.call_id == action.call_id
        # A recall is a new call with a new id: said again.
        recall_headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
        recall_url = f"{base}/sites/{site}/counters/{counter}/recall"
        recall = ActionOut.model_validate(
            httpx.post(recall_url, headers=recall_headers, timeout=10).json()
        )
        assert recall.call_id not in (None, action.call_id)
        qtbot.waitUntil(lambda: vm.was_played(recall.call_id), timeout=15000)
        announcer.run_pending()
        assert len(sink.played) == 2
        assert sink.played[0][:2] == ["chime", "vi/invite"]
    finally:
        sub.stop()
