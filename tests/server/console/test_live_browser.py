"""The live hall in a real headless browser (Debian's chromium and chromium-driver, driven by
Selenium) against the real server with the demo centre (67 counters) and its broker.

The supervisor opens the live view; tickets issued and called over the API change its
figures without a reload; a simulated kiosk (a real ``appkit.Heartbeat`` with a short
interval) reports paper low, then is killed: the page shows it silent with an alert, and
the supervisor acknowledges it. An administrator of the whole installation sees every site,
the troubled one first. With ``QMS_CONSOLE_SCREENSHOTS=DIR`` it saves
``console-live-hall-{vi,en}.png`` and ``console-live-installation-vi.png`` there
(``docs/img/``).
"""

import os
import time
import uuid
from pathlib import Path

import httpx
import pytest

from appkit.heartbeat import Heartbeat
from server.contract.http import DeviceStatusIn
from server.contract.vocab import Role
from server.seed import demo_sites
from tests.server.console.test_console_browser import browser
from tests.support.live_server import LiveServer

__all__ = ["browser"]  # the fixture: headless chromium

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

SITE = "hcm-main"
WAIT_S = 30  # generous: the machine is shared; the latency is measured, not asserted
CENTRAL = ("trungtam", "van-phong-trung-tam-7")  # an administrator of every site


class Api:
    """The kiosk and the clerks, over the real HTTP API."""

    def __init__(self, server: LiveServer) -> None:
        self.server = server
        self.http = httpx.Client(base_url=f"{server.base_url}/api/v1", timeout=30)
        self.clerk_tokens: dict[str, str] = {}

    def close(self) -> None:
        self.http.close()

    def issue(self, field: str) -> str:
        answer = self.http.post(
            f"/sites/{SITE}/tickets",
            json={"service": field},
            headers=self._headers(self.server.kiosk_token),
        )
        answer.raise_for_status()
        number: str = answer.json()["number"]
        return number

    def act(self, counter: str, action: str) -> dict:
        token = self.clerk_tokens.get(counter)
        if token is None:
            token = self.clerk_tokens[counter] = self.server.login(*self.server.clerks[counter])
        answer = self.http.post(
            f"/sites/{SITE}/counters/{counter}/{action}", headers=self._headers(token)
        )
        answer.raise_for_status()
        out: dict = answer.json()
        return out

    @staticmethod
    def _headers(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}


class LivePage:
    def __init__(self, driver: WebDriver, server: LiveServer) -> None:
        self.driver = driver
        self.base = server.base_url
        self.shots = os.environ.get("QMS_CONSOLE_SCREENSHOTS")

    def log_in(self, username: str, password: str) -> None:
        self.driver.get(f"{self.base}/console/login")
        self.driver.find_element(By.NAME, "username").send_keys(username)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "main form button[type='submit']").click()
        WebDriverWait(self.driver, WAIT_S).until(lambda d: "/login" not in d.current_url)

    def open_live(self) -> None:
        self.driver.get(f"{self.base}/console/s/{SITE}/live")
        self.until(lambda: self.js("return document.getElementById('live').dataset.seq"))
        self.driver.execute_script("window.qmsSamePage = true")

    def js(self, script: str) -> object:
        return self.driver.execute_script(script)

    def until(self, condition, timeout: float = WAIT_S) -> float:
        """Wait for ``condition`` (a callable of nothing); returns how long it took."""
        began = time.monotonic()
        WebDriverWait(self.driver, timeout, poll_frequency=0.02).until(lambda _d: condition())
        return time.monotonic() - began

    def cell(self, field: str, css: str) -> str:
        return str(
            self.js(
                f"var r = document.querySelector('tr[data-field=\"{field}\"] {css}');"
                "return r ? r.textContent : '';"
            )
        )

    def counter(self, counter: str) -> str:
        return str(
            self.js(
                f"var c = document.querySelector('li[data-counter=\"{counter}\"]');"
                "return c ? c.className + ' ' + c.textContent : '';"
            )
        )

    def device_class(self, device: str) -> str:
        return str(
            self.js(
                f"var d = document.querySelector('li[data-device=\"{device}\"]');"
                "return d ? d.className : '';"
            )
        )

    def alerts(self) -> list[str]:
        found = self.js(
            "return Array.from(document.querySelectorAll('#live-alerts li.alert'))"
            ".map(function (li) { return li.className + '|' + li.textContent; });"
        )
        assert isinstance(found, list)
        return [str(x) for x in found]

    def same_page(self) -> bool:
        return self.js("return window.qmsSamePage === true") is True

    def full_page_shot(self, name: str) -> None:
        if not self.shots:
            return
        folder = Path(self.shots)
        folder.mkdir(parents=True, exist_ok=True)
        for _ in range(2):  # the layout at the new size may be taller again
            height = self.js("return document.documentElement.scrollHeight")
            self.driver.set_window_size(1366, max(768, int(str(height)) + 160))
            time.sleep(0.5)  # the layout settles (a picture, not an assertion)
        self.driver.save_screenshot(str(folder / f"console-live-{name}.png"))
        self.driver.set_window_size(1366, 768)


def _busy(api: Api) -> None:
    """The demo centre at mid-morning: a queue in several fields, a dozen counters at work,
    one field waiting with no counter open."""
    main = next(s for s in demo_sites() if s.site.id == SITE)
    fields = ["tp-hotich", "tp-lltp", "ca-cutru", "ca-cancuoc", "bhxh-thu", "tc-dkdn"]
    for round_ in range(4):
        for field in fields[: 6 - round_]:
            api.issue(field)
    serving = [c.id for c in main.counters if set(c.services) & set(fields)][:10]
    for counter in serving:
        api.act(counter, "call-next")
    for counter in serving[:6]:
        api.act(counter, "start")
    for counter in serving[:2]:
        api.act(counter, "finish")
    api.act(serving[-1], "pause")


def test_a_supervisor_watches_the_hall_live(live_server: LiveServer, browser: WebDriver) -> None:
    assert live_server.supervisor is not None
    page = LivePage(browser, live_server)
    api = Api(live_server)
    kiosk_id = next(d for d, t in live_server.tokens.items() if t == live_server.kiosk_token)
    heartbeat = Heartbeat(
        live_server.base_url,
        live_server.kiosk_token,
        interval_s=1,
        status=lambda: DeviceStatusIn(printer="paper_low", detail="simulated kiosk"),
    )
    try:
        page.log_in(*live_server.supervisor)
        page.open_live()
        waiting = int(page.cell("tp-hotich", ".waiting") or 0)

        # A ticket issued over the API: the field's figures move, the page is the same.
        api.issue("tp-hotich")
        took_issue = page.until(lambda: page.cell("tp-hotich", ".waiting") == str(waiting + 1))
        assert page.cell("tp-hotich", ".issued") != "0"
        # A call over the API: the counter shows its clerk, the ticket, "serving".
        called = api.act("2", "call-next")["ticket"]["number"]
        took_call = page.until(lambda: called in page.counter("2"))
        assert "serving" in page.counter("2")
        assert page.same_page()
        print(f"\nlive view: issue seen after {took_issue:.3f} s, call after {took_call:.3f} s")

        # A simulated kiosk beats with its paper low: a paper alert at once.
        heartbeat.start()
        page.until(lambda: "ok" in page.device_class(kiosk_id).split())
        page.until(lambda: any("paper" in a for a in page.alerts()))
        # Killed: two missed heartbeats and it is silent, with an alert.
        heartbeat.stop()
        page.until(lambda: "silent" in page.device_class(kiosk_id).split())
        page.until(lambda: any(a.startswith("alert device_silent") for a in page.alerts()))
        assert not any("paper" in a.split("|")[0] for a in page.alerts())  # not live any more

        _busy(api)
        page.until(lambda: page.js("return document.querySelector('li.counter.paused') !== null"))
        if page.shots:
            page.full_page_shot("hall-vi")

        # The supervisor acknowledges it: it stays (the kiosk is still silent), acknowledged.
        button = browser.find_element(By.CSS_SELECTOR, "#live-alerts li.device_silent button.ack")
        button.click()
        page.until(lambda: any("device_silent acked" in a for a in page.alerts()))
        assert live_server.supervisor[0] in next(a for a in page.alerts() if "device_silent" in a)
        assert page.same_page()
        log = live_server.runtime.service.alerts.log(SITE)
        silent = next(a for a in log if a.kind == "device_silent")
        assert silent.acknowledged_by == live_server.supervisor[0] and silent.cleared_at is None

        # The supervisor opens a closed counter from its card, then closes it again: the
        # same command as the counter's control page; the feed shows each change.
        closed = str(page.js("return document.querySelector('li.counter.closed').dataset.counter"))
        card = f'li[data-counter="{closed}"]'
        browser.find_element(By.CSS_SELECTOR, f"{card} button.ctl.open").click()
        page.until(lambda: page.counter(closed).split()[1] == "open")
        browser.find_element(By.CSS_SELECTOR, f"{card} button.ctl.closed").click()
        page.until(lambda: page.counter(closed).split()[1] == "closed")
        assert page.same_page()

        if page.shots:
            browser.get(f"{live_server.base_url}/console/lang/en?back=/console/s/{SITE}/live")
            page.until(lambda: page.js("return document.getElementById('live').dataset.seq"))
            page.full_page_shot("hall-en")
    finally:
        heartbeat.stop()
        api.close()


def test_the_installation_puts_the_troubled_site_first(
    live_server: LiveServer, browser: WebDriver
) -> None:
    live_server.runtime.service.accounts.add_user(CENTRAL[0], CENTRAL[1], Role.ADMIN)
    api = Api(live_server)
    try:
        api.issue("tp-hotich")  # nobody opened a counter: an alert at the main centre
        page = LivePage(browser, live_server)
        page.log_in(*CENTRAL)
        browser.get(f"{live_server.base_url}/console/installation")
        page.until(
            lambda: page.js(
                "var r = document.querySelector('#installation-rows tr');"
                f"return r && r.dataset.site === '{SITE}' && r.classList.contains('trouble');"
            )
        )
        sites = page.js(
            "return Array.from(document.querySelectorAll('#installation-rows tr'))"
            ".map(function (r) { return r.dataset.site; });"
        )
        assert isinstance(sites, list) and len(sites) == len(demo_sites())
        if page.shots:
            page.full_page_shot("installation-vi")
    finally:
        api.close()
