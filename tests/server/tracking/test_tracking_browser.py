"""The tracking page in a real headless chromium on a phone-sized screen, against the live
server: it follows the line without reloading, says "Sắp đến lượt" (and the messaging
gateway's simulator records the text to the number given on the page), then where to
go when the ticket is called. With ``QMS_DOCS_IMG=DIR`` the screenshots are copied to
DIR (``docs/img/track-*.png``)."""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.notify.gateway import SimulatedGateway
from tests.server.tracking.hall import Hall, wait_for

webdriver = pytest.importorskip("selenium.webdriver")
from selenium.webdriver.chrome.options import Options  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

CHROMIUM = shutil.which("chromium")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (scripts/install-system-deps.sh)",
)
WAIT_S = 60
PHONE = (390, 844)


@pytest.fixture
def phone() -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = CHROMIUM or ""
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        f"--window-size={PHONE[0]},{PHONE[1]}", "--lang=vi", "--no-first-run",
        "--disable-extensions", "--autoplay-policy=no-user-gesture-required",
    ):  # fmt: skip
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi-VN,vi"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER or ""), options=options)
    driver.set_page_load_timeout(WAIT_S)
    try:
        yield driver
    finally:
        driver.quit()


def shot(driver: WebDriver, tmp_path: Path, name: str) -> None:
    """A screenshot of the whole page at the phone's width (the viewport made as tall as
    the page through the DevTools protocol: a window cannot outgrow the virtual screen)."""
    height = int(driver.execute_script("return document.documentElement.scrollHeight"))
    metrics = {"width": PHONE[0], "height": max(PHONE[1], height), "deviceScaleFactor": 1}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {**metrics, "mobile": True})
    path = tmp_path / f"track-{name}.png"
    driver.save_screenshot(str(path))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    target = os.environ.get("QMS_DOCS_IMG")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


def page_state(driver: WebDriver) -> dict[str, Any]:
    state: dict[str, Any] = driver.execute_script(
        "return {marker: window.qmsMarker || null, track: window.qmsTrack || null,"
        " card: document.getElementById('card').innerText}"
    )
    return state


def test_the_page_follows_the_queue_warns_and_calls_without_reloading(
    live_server, phone: WebDriver, tmp_path: Path
) -> None:
    gateway: SimulatedGateway = live_server.runtime.gateway
    hall = Hall(live_server)
    for _ in range(6):
        hall.issue()
    mine = hall.issue()
    phone.get(mine["track_url"])
    wait = WebDriverWait(phone, WAIT_S)
    # The citizen leaves a number on the page (a plain form).
    phone.find_element(By.ID, "phone").send_keys("0912 345 678")
    phone.find_element(By.CSS_SELECTOR, "form button[type='submit']").click()
    wait.until(lambda d: "Đã lưu số" in d.find_element(By.TAG_NAME, "body").text)
    wait.until(lambda d: (page_state(d)["track"] or {}).get("updates", 0) >= 1)
    assert "Trang cập nhật trực tiếp" in phone.find_element(By.ID, "foot").text
    assert "Số người phía trước\n6" in page_state(phone)["card"]
    shot(phone, tmp_path, "waiting")

    phone.execute_script("window.qmsMarker = 'the same page'")
    hall.serve_next()
    wait.until(lambda d: "Số người phía trước\n5" in page_state(d)["card"])
    ahead = 5
    while "Sắp đến lượt" not in page_state(phone)["card"]:
        assert ahead > 0, "never near"
        hall.serve_next()
        ahead -= 1
        shown = f"Số người phía trước\n{ahead}"
        wait.until(lambda d, shown=shown: shown in page_state(d)["card"])
    state = page_state(phone)
    assert state["marker"] == "the same page"  # no reload
    assert "near" in state["track"]["alerts"]
    (message,) = wait_for(lambda: gateway.sent)
    assert message.phone == "0912345678" and mine["number"] in message.text
    shot(phone, tmp_path, "near")

    while hall.act("call-next")["ticket"]["id"] != mine["id"]:
        hall.act("no-show")
    wait.until(lambda d: f"Mời đến quầy {hall.counter}" in page_state(d)["card"])
    state = page_state(phone)
    assert state["marker"] == "the same page"
    assert state["track"]["alerts"][-1] == "called"
    shot(phone, tmp_path, "called")
