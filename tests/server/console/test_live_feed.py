"""The live hall's feed over the real server (demo centre, 67 counters): several pages
watching cost one hall build per change, not one per page, and every page hears the last
change. Server-sent events read by plain HTTP clients."""

import json
import threading
import uuid

import httpx

from tests.support.live_server import LiveServer

SITE = "hcm-main"
PAGES = 5
CHANGES = 12


class Page(threading.Thread):
    """One browser's feed: remembers the highest ``seq`` it was sent."""

    def __init__(self, server: LiveServer, cookies: httpx.Cookies) -> None:
        super().__init__(daemon=True)
        self.url = f"{server.base_url}/console/s/{SITE}/live/feed"
        self.cookies = cookies
        self.seq = -1
        self.events = 0
        self.heard = threading.Condition()
        self.stop = False

    def run(self) -> None:
        with (
            httpx.Client(cookies=self.cookies, timeout=httpx.Timeout(60, read=120)) as client,
            client.stream("GET", self.url) as answer,
        ):
            assert answer.headers["content-type"].startswith("text/event-stream")
            for line in answer.iter_lines():
                if self.stop:
                    return
                if line.startswith("data: "):
                    seq = json.loads(line[len("data: ") :])["seq"]
                    with self.heard:
                        self.seq = max(self.seq, seq)
                        self.events += 1
                        self.heard.notify_all()

    def wait_for(self, seq: int, timeout: float = 60) -> bool:
        with self.heard:
            return self.heard.wait_for(lambda: self.seq >= seq, timeout)


def _console_cookies(server: LiveServer) -> httpx.Cookies:
    assert server.supervisor is not None
    with httpx.Client(base_url=server.base_url, timeout=30, follow_redirects=True) as client:
        form = client.get("/console/login").text
        csrf = form.split('name="csrf" value="', 1)[1].split('"', 1)[0]
        username, password = server.supervisor
        answer = client.post(
            "/console/login", data={"username": username, "password": password, "csrf": csrf}
        )
        assert answer.status_code == 200
        return client.cookies


def test_pages_watching_cost_one_build_per_change(live_server: LiveServer) -> None:
    service = live_server.runtime.service
    cookies = _console_cookies(live_server)
    pages = [Page(live_server, cookies) for _ in range(PAGES)]
    for page in pages:
        page.start()
    assert all(page.wait_for(0) for page in pages)  # each has the hall as it is
    builds = service.hall.builds
    with httpx.Client(base_url=f"{live_server.base_url}/api/v1", timeout=30) as api:
        for _ in range(CHANGES):
            answer = api.post(
                f"/sites/{SITE}/tickets",
                json={"service": "tp-hotich"},
                headers={
                    "Authorization": f"Bearer {live_server.kiosk_token}",
                    "Idempotency-Key": uuid.uuid4().hex,
                },
            )
            answer.raise_for_status()
    last = service.hall.versions()[SITE]
    assert all(page.wait_for(last) for page in pages)
    built = service.hall.builds - builds
    assert 1 <= built <= CHANGES  # per change at most, whatever the number of pages
    print(f"\n{PAGES} pages, {CHANGES} changes: {built} hall builds")
    for page in pages:
        page.stop = True
