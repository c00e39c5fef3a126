"""The live_server fixture: a real server over HTTP with the demo data and a real broker."""

import json
import threading

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from server.contract import topics
from server.contract.http import ActionOut, LoginOut, MenuOut, TicketOut


def _snapshot(host: str, port: int, topic: str, wanted) -> dict:
    """The first snapshot on ``topic`` (retained or live) for which ``wanted`` holds."""
    got: dict = {}
    done = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)

    def on_message(_c, _u, msg) -> None:
        data = json.loads(msg.payload)
        if wanted(data):
            got.update(data)
            done.set()

    client.on_connect = lambda c, *_a: c.subscribe(topic, 1)
    client.on_message = on_message
    client.connect(host, port)
    client.loop_start()
    try:
        assert done.wait(10), f"no matching message on {topic}"
    finally:
        client.loop_stop()
        client.disconnect()
    return got


def test_issue_call_and_display_over_http_and_mqtt(live_server) -> None:
    base = live_server.base_url + "/api/v1"
    site = live_server.site
    health = httpx.get(base + "/health").json()
    assert health["database"] == "sqlite"

    menu = MenuOut.model_validate(httpx.get(f"{base}/sites/{site}/services").json())
    service = menu.departments[0].services[0]
    assert service.open

    kiosk = {"Authorization": f"Bearer {live_server.kiosk_token}", "Idempotency-Key": "k1"}
    r = httpx.post(f"{base}/sites/{site}/tickets", json={"service": service.code}, headers=kiosk)
    assert r.status_code == 201, r.text
    ticket = TicketOut.model_validate(r.json())
    assert ticket.track_url.startswith(live_server.base_url + "/t/")

    counter = str(service.counters[0])
    username, password = live_server.clerks[counter]
    token = live_server.login(username, password)
    LoginOut.model_validate(
        httpx.post(base + "/auth/login", json={"username": username, "password": password}).json()
    )
    clerk = {"Authorization": f"Bearer {token}", "Idempotency-Key": "c1"}
    r = httpx.post(f"{base}/sites/{site}/counters/{counter}/call-next", headers=clerk)
    assert r.status_code == 200, r.text
    action = ActionOut.model_validate(r.json())
    assert action.ticket is not None and action.ticket.number == ticket.number

    area = action.counter.counter.area
    topic = topics.display(site, area)
    display = _snapshot(
        live_server.mqtt_host, live_server.mqtt_port, topic, lambda d: d["calling"] is not None
    )
    assert display["calling"]["ticket_number"] == ticket.number

    page = httpx.get(ticket.track_url)
    assert page.status_code == 200
    assert ticket.number in page.text
