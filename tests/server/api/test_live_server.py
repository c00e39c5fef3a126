"""The live_server fixture: a real server over HTTP with the demo data and a real broker."""

import json
import threading

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from server.contract import topics
from server.contract.http import ActionOut, LoginOut, MenuOut, TicketOut


def _snapshot(host: str, port: int, topic: str, wanted, credentials: dict[str, str]) -> dict:
    """The first snapshot on ``topic`` (retained or live) for which ``wanted`` holds."""
    got: dict = {}
    done = threading.Event()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.username_pw_set(credentials["username"], credentials["password"])

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
        live_server.mqtt_host,
        live_server.mqtt_port,
        topic,
        lambda d: d["calling"] is not None,
        live_server.credentials(),
    )
    assert display["calling"]["ticket_number"] == ticket.number

    page = httpx.get(ticket.track_url)
    assert page.status_code == 200
    assert ticket.number in page.text


def test_a_command_waits_for_another_process_writing_without_stalling_the_server(
    live_server,
) -> None:
    """Commands run on the event loop only when SQLite's write lock is free at once
    (server.api.dispatch); held by another process, the command waits on a worker
    thread while the server goes on answering."""
    import sqlite3

    base = live_server.base_url + "/api/v1"
    site = live_server.site
    code = MenuOut.model_validate(httpx.get(f"{base}/sites/{site}/services").json())
    service = code.departments[0].services[0].code
    other = sqlite3.connect(live_server.data_dir / "qms.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # e.g. `qms user add` writing at that moment
    answer: dict[str, httpx.Response] = {}
    kiosk = {"Authorization": f"Bearer {live_server.kiosk_token}", "Idempotency-Key": "busy-1"}

    def issue() -> None:
        answer["r"] = httpx.post(
            f"{base}/sites/{site}/tickets", json={"service": service}, headers=kiosk, timeout=30
        )

    thread = threading.Thread(target=issue)
    try:
        thread.start()
        thread.join(0.3)
        assert thread.is_alive(), "the command did not wait for the other writer"
        # Meanwhile the event loop answers: reads, and a refusal before any transaction.
        assert httpx.get(f"{base}/health", timeout=5).json()["database"] == "sqlite"
        assert httpx.get(f"{base}/sites/{site}/services", timeout=5).status_code == 200
        refused = httpx.post(f"{base}/sites/{site}/tickets", json={"service": service})
        assert refused.status_code == 401
    finally:
        other.execute("ROLLBACK")
        other.close()
    thread.join(30)
    assert answer["r"].status_code == 201, answer["r"].text
    ticket = TicketOut.model_validate(answer["r"].json())
    status = httpx.get(f"{base}/sites/{site}/tickets/{ticket.id}", timeout=5).json()
    assert status["status"] == "waiting"
    again = httpx.post(
        f"{base}/sites/{site}/tickets", json={"service": service}, headers=kiosk, timeout=10
    )
    assert again.json()["id"] == ticket.id  # the same key: the same ticket, not a second
