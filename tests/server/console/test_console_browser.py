"""The console in a real headless browser (Debian's chromium and chromium-driver, driven by
Selenium) against the real server with the demo data and its MQTT broker.

The demo admin renames a field, adds a counter and adds a holiday; the kiosk menu
(``GET /api/v1/sites/{site}/services``) and the zone's board snapshot show it; a bad value
shows its message and changes nothing; the audit log lists the three changes. With
``QMS_CONSOLE_SCREENSHOTS=DIR`` it also saves a screenshot of every page in Vietnamese and
English to DIR (``docs/img/console-*.png``).
"""

import os
import shutil
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest

from server.contract import topics
from tests.support.live_server import LiveServer
from tests.support.mqtt_probe import MqttProbe, Received

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (scripts/install-system-deps.sh)",
)
SITE = "hcm-main"
NEW_NAME = "Hộ tịch (khai sinh, kết hôn)"


@pytest.fixture
def browser() -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = CHROMIUM or ""
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        "--window-size=1366,768", "--lang=vi", "--no-first-run", "--disable-extensions",
    ):  # fmt: skip
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER or ""), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


class Console:
    """The browser on the live server's console, as an administrator clicks through it."""

    def __init__(self, driver: WebDriver, server: LiveServer) -> None:
        self.driver = driver
        self.base = server.base_url
        self.shots = os.environ.get("QMS_CONSOLE_SCREENSHOTS")

    def open(self, path: str) -> None:
        self.driver.get(f"{self.base}{path}")

    def fill(self, name: str, value: str, scope: str = "main") -> None:
        box = self.driver.find_element(By.CSS_SELECTOR, f"{scope} [name='{name}']")
        box.clear()
        box.send_keys(value)

    def submit(self, form: str = "main form.card") -> None:
        self.driver.find_element(By.CSS_SELECTOR, f"{form} button[type='submit']").click()
        WebDriverWait(self.driver, 30).until(
            lambda d: d.execute_script("return document.readyState") == "complete"
        )

    def text(self, css: str) -> str:
        return str(self.driver.find_element(By.CSS_SELECTOR, css).text)

    def shot(self, name: str, lang: str) -> None:
        if self.shots:
            folder = Path(self.shots)
            folder.mkdir(parents=True, exist_ok=True)
            self.driver.save_screenshot(str(folder / f"console-{name}-{lang}.png"))


def menu_names(server: LiveServer) -> dict[str, dict[str, object]]:
    menu = httpx.get(f"{server.base_url}/api/v1/sites/{SITE}/services", timeout=10).json()
    return {s["code"]: s for d in menu["departments"] for s in d["services"]}


def board_shows(message: Received, counter: str, name: str) -> bool:
    board = message.json()
    counters = {c["id"] for c in board["counters"]}
    names = {w["name_vi"] for w in board["waiting"]}
    return counter in counters and name in names


def test_an_admin_changes_the_hall_from_the_console(live_server: LiveServer, browser) -> None:
    console = Console(browser, live_server)
    probe = MqttProbe(live_server.mqtt_host, live_server.mqtt_port, topics.display(SITE, "A"))
    try:
        _log_in(console)
        _rename_a_field(console)
        _add_a_counter(console)
        today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
        _add_a_holiday(console, today)

        menu = menu_names(live_server)
        assert menu["tp-hotich"]["name_vi"] == NEW_NAME
        assert menu["tp-hotich"]["closed_reason"] == "holiday"  # today is now a holiday
        assert menu["tp-hotich"]["closed_message_vi"] == "Hôm nay nghỉ lễ"
        # The zone's board (retained snapshot over the real broker) shows both changes.
        probe.wait_for(lambda m: board_shows(m, "68", NEW_NAME), timeout=30)

        _a_bad_value_changes_nothing(console, live_server)
        _the_audit_lists_the_changes(console)
        if console.shots:
            _screenshots(console)
    finally:
        probe.close()


def _log_in(console: Console) -> None:
    console.open("/console/")
    console.shot("login", "vi")
    console.fill("username", "admin")
    console.fill("password", "demo-admin")
    console.submit("main form")
    # The demo admin belongs to the main centre: the console opens on its settings.
    assert console.driver.current_url.endswith(f"/console/s/{SITE}/site")
    assert console.text("header .who") == "Đang đăng nhập: Quản trị hệ thống"


def _rename_a_field(console: Console) -> None:
    console.open(f"/console/s/{SITE}/fields/tp-hotich")
    console.fill("name_vi", NEW_NAME)
    console.submit()
    assert console.driver.current_url.endswith("/fields?saved=1")
    assert NEW_NAME in console.text("main")


def _add_a_counter(console: Console) -> None:
    console.open(f"/console/s/{SITE}/counters/new")
    console.fill("id", "68")
    console.fill("number", "68")
    console.fill("name", "Quầy 68")
    Select(console.driver.find_element(By.NAME, "area")).select_by_value("A")
    console.driver.find_element(By.CSS_SELECTOR, "input[name='fields'][value='tp-hotich']").click()
    console.fill("led_address", "68")
    console.submit()
    assert console.driver.current_url.endswith("/counters?saved=1")
    assert "Quầy 68" in console.text("main table")


def _add_a_holiday(console: Console, day: str) -> None:
    console.open(f"/console/s/{SITE}/calendar")
    form = "#add-holiday"
    console.driver.find_element(By.CSS_SELECTOR, f"{form} [name='date']").send_keys(day)
    console.driver.find_element(By.CSS_SELECTOR, f"{form} [name='name_vi']").send_keys(
        "Ngày nghỉ thử"
    )
    console.driver.find_element(By.CSS_SELECTOR, f"{form} [name='name_en']").send_keys(
        "Test day off"
    )
    console.submit(form)
    assert console.driver.current_url.endswith("/calendar?saved=1")
    assert day in console.text("main")


def _a_bad_value_changes_nothing(console: Console, server: LiveServer) -> None:
    before = server.runtime.service.site_config.export(SITE)
    console.open(f"/console/s/{SITE}/fields/tp-lltp")
    console.fill("daily_quota", "nhiều")
    console.submit()
    assert "Số phiếu tối đa mỗi ngày: Phải là số nguyên." in console.text("[role='alert']")
    console.open(f"/console/s/{SITE}/counters/new")
    console.fill("id", "69")
    console.fill("number", "5")  # counter 5 exists
    console.fill("name", "Quầy 69")
    console.driver.find_element(By.CSS_SELECTOR, "input[name='fields'][value='tp-lltp']").click()
    console.submit()
    assert "5 lặp lại" in console.text("[role='alert']")
    assert server.runtime.service.site_config.export(SITE) == before


def _the_audit_lists_the_changes(console: Console) -> None:
    console.open(f"/console/s/{SITE}/audit")
    rows = console.driver.find_elements(By.CSS_SELECTOR, "#audit tr.entry")
    actions = [r.find_elements(By.TAG_NAME, "td")[2].text for r in rows]
    assert actions == ["holiday.add", "counter.add", "field.edit"]  # newest first
    assert all(r.find_elements(By.TAG_NAME, "td")[1].text == "admin" for r in rows)
    console.open(f"/console/s/{SITE}/audit?action=counter.")
    assert len(console.driver.find_elements(By.CSS_SELECTOR, "#audit tr.entry")) == 1


PAGES = {
    "home": "/console/",
    "site": f"/console/s/{SITE}/site",
    "fields": f"/console/s/{SITE}/fields",
    "field": f"/console/s/{SITE}/fields/tp-hotich",
    "counters": f"/console/s/{SITE}/counters",
    "counter": f"/console/s/{SITE}/counters/new",
    "calendar": f"/console/s/{SITE}/calendar",
    "sitefile": f"/console/s/{SITE}/file",
    "users": f"/console/s/{SITE}/users",
    "user": f"/console/s/{SITE}/users/clerk01",
    "devices": f"/console/s/{SITE}/devices",
    "audit": f"/console/s/{SITE}/audit",
}


def _screenshots(console: Console) -> None:
    for lang in ("vi", "en"):
        console.open(f"/console/lang/{lang}")
        for name, path in PAGES.items():
            console.open(path)
            console.shot(name, lang)
        console.open(f"/console/s/{SITE}/devices")
        enrol = "main form.card:last-of-type"
        console.fill("device_id", "kiosk-5", enrol)
        console.fill("name", "Ki-ốt lấy số 5", enrol)
        console.submit(enrol)
        console.shot("device-token", lang)
    console.driver.delete_all_cookies()
    console.open("/console/lang/en")
    console.open("/console/login")
    console.shot("login", "en")
