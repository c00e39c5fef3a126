"""The booking pages in a real headless browser (Debian's chromium and chromium-driver,
driven by Selenium) on a phone-sized window, against the real server with the demo data.

A citizen books a slot of "Hộ tịch" and gets a code and a QR code; the kiosk's view-model
checks the booking in when the simulated scanner reads that QR code, and the page then
says so; a slot that filled up while the citizen chose refuses with a clear message; a
booking is cancelled from its page. With ``QMS_BOOKING_SCREENSHOTS=DIR`` it saves the
pages in Vietnamese and English to DIR (``docs/img/book-*.png``).
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from appkit.api_client import ApiClient
from appkit.offthread import OffThread
from hardware.printer.virtual import VirtualPrinter
from hardware.scanner import SerialScanner
from hardware.sim.devices import ScannerSim
from kiosk.client import KioskClient
from kiosk.printing import PrinterGate
from kiosk.state import KioskSettings, Screen
from kiosk.viewmodel import KioskViewModel
from server.contract import paths
from server.contract.http import API_PREFIX
from tests.support.live_server import LiveServer

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
SITE = "hcm-main"
FIELD = "tp-hotich"
PHONE = (412, 915)


@pytest.fixture
def phone() -> Iterator[WebDriver]:
    options = Options()
    options.binary_location = CHROMIUM or ""
    for arg in (
        "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        f"--window-size={PHONE[0]},{PHONE[1]}", "--lang=vi", "--no-first-run",
        "--disable-extensions", "--hide-scrollbars",
    ):  # fmt: skip
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"intl.accept_languages": "vi-VN,vi"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER or ""), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


class Citizen:
    """The browser on the booking pages, as a citizen taps through them on a phone."""

    def __init__(self, driver: WebDriver, server: LiveServer) -> None:
        self.driver = driver
        self.base = server.base_url
        self.shots = os.environ.get("QMS_BOOKING_SCREENSHOTS")

    def open(self, path: str) -> None:
        self.driver.get(f"{self.base}{path}")

    def click(self, css: str) -> None:
        self.driver.find_element(By.CSS_SELECTOR, css).click()

    def follow(self, text: str) -> None:
        self.driver.find_element(By.PARTIAL_LINK_TEXT, text).click()

    def submit(self, css: str) -> None:
        """Click the form's button and wait until the answer's page replaced this one."""
        self.driver.execute_script("window.qmsOldPage = true")
        self.click(css)
        WebDriverWait(self.driver, 60).until(
            lambda d: d.execute_script(
                "return window.qmsOldPage === undefined && document.readyState === 'complete'"
            )
        )

    def text(self, css: str) -> str:
        return str(self.driver.find_element(By.CSS_SELECTOR, css).text)

    def fits_the_screen(self) -> bool:
        """Nothing wider than the phone: no sideways scrolling."""
        return bool(
            self.driver.execute_script(
                "return document.documentElement.scrollWidth <= window.innerWidth"
            )
        )

    def shot(self, name: str) -> None:
        if self.shots:
            folder = Path(self.shots)
            folder.mkdir(parents=True, exist_ok=True)
            height = self.driver.execute_script("return document.documentElement.scrollHeight")
            self.driver.set_window_size(PHONE[0], max(PHONE[1], int(height) + 140))
            self.driver.save_screenshot(str(folder / f"book-{name}.png"))
            self.driver.set_window_size(*PHONE)


def kiosk_vm(server: LiveServer, tmp_path: Path) -> KioskViewModel:
    client = KioskClient(ApiClient(server.base_url, token=server.kiosk_token), server.site)
    return KioskViewModel(
        client,
        KioskSettings(site=server.site, kiosk_id="kiosk-1"),
        PrinterGate(VirtualPrinter(tmp_path / "tickets")),
        runner=OffThread(),
    )


def fill_slot(server: LiveServer, start: str) -> None:
    """A portal takes every place left in a slot."""
    assert server.supervisor is not None
    token = server.login(*server.supervisor)
    for i in range(10):
        made = httpx.post(
            server.base_url + API_PREFIX + paths.bookings(SITE),
            json={"service": FIELD, "start": start},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": f"fill-{i}"},
            timeout=10,
        )
        if made.status_code == 409:
            assert made.json()["error"] == "slot_full"
            return
        assert made.status_code == 201, made.text
    raise AssertionError("the slot never filled")


def test_a_citizen_books_on_a_phone_and_checks_in_at_the_kiosk(
    live_server: LiveServer, phone: WebDriver, qtbot, tmp_path: Path
) -> None:
    citizen = Citizen(phone, live_server)
    citizen.open("/book")
    citizen.shot("sites-vi")
    citizen.follow("Trung tâm Phục vụ hành chính công")
    assert "Chọn lĩnh vực" in citizen.text("h1")
    citizen.shot("fields-vi")
    citizen.follow("Hộ tịch")
    assert citizen.text("h1") == "Hộ tịch" and citizen.fits_the_screen()
    first = phone.find_elements(By.CSS_SELECTOR, "input[name='start']:not([disabled])")[0]
    start = first.get_attribute("value")
    phone.find_element(By.CSS_SELECTOR, f"label.slot:has(input[value='{start}']) span").click()
    assert first.is_selected()
    citizen.shot("slots-vi")
    citizen.submit("button.primary")
    assert "/book/b/" in phone.current_url
    code = citizen.text(".code").replace(" ", "")
    assert len(code) == 8 and code.isdigit()
    assert phone.find_element(By.CSS_SELECTOR, ".qr svg").is_displayed()
    assert "Đã đặt" in citizen.text("dl") and citizen.fits_the_screen()
    citizen.shot("booked-vi")
    booking_url = phone.current_url
    citizen.follow("English")
    assert "Booking code" in phone.page_source and "Booked" in citizen.text("dl")
    citizen.shot("booked-en")

    # At the kiosk: the simulated scanner reads the QR code the phone shows.
    vm = kiosk_vm(live_server, tmp_path)
    sim = ScannerSim()
    try:
        vm.start()
        qtbot.waitUntil(lambda: vm.menu is not None and vm.runner.idle(), timeout=20_000)
        vm.scanning.attach(SerialScanner(sim.port_path))
        qtbot.waitUntil(lambda: vm.scanning.scanner is not None and vm.scanning.scanner.connected)
        sim.scan(booking_url)
        qtbot.waitUntil(lambda: vm.screen is Screen.TICKET, timeout=20_000)
        ticket = vm.ticket
        assert ticket is not None and ticket.priority == "appointment"
        assert ticket.service == FIELD
    finally:
        vm.stop()
        vm.scanning.stop()
        sim.close()
        qtbot.waitUntil(vm.runner.idle, timeout=30_000)
        vm.client.close()
    phone.get(booking_url)
    assert "Đã nhận số" in citizen.text("dl")
    assert not phone.find_elements(By.CSS_SELECTOR, "button.danger")  # nothing to cancel


def test_a_full_slot_refuses_with_a_clear_message(live_server: LiveServer, phone) -> None:
    citizen = Citizen(phone, live_server)
    citizen.open(f"/book/{SITE}/{FIELD}")
    first = phone.find_elements(By.CSS_SELECTOR, "input[name='start']:not([disabled])")[0]
    start = str(first.get_attribute("value"))
    phone.find_element(By.CSS_SELECTOR, f"label.slot:has(input[value='{start}']) span").click()
    # While the citizen types, others take the last places of that slot.
    fill_slot(live_server, start)
    citizen.submit("button.primary")
    alert = citizen.text("[role='alert']")
    assert alert == "Khung giờ này đã đủ người đặt. Quý khách vui lòng chọn khung giờ khác."
    assert "/book/b/" not in phone.current_url
    full = phone.find_element(By.CSS_SELECTOR, f"input[value='{start}']")
    assert full.get_attribute("disabled") is not None  # now shown as full
    assert (
        "đã đủ"
        in phone.find_element(By.CSS_SELECTOR, f"label.slot:has(input[value='{start}'])").text
    )
    citizen.shot("full-vi")


def test_a_citizen_cancels_from_the_bookings_page(live_server: LiveServer, phone) -> None:
    citizen = Citizen(phone, live_server)
    citizen.open(f"/book/{SITE}/{FIELD}?lang=en")
    first = phone.find_elements(By.CSS_SELECTOR, "input[name='start']:not([disabled])")[0]
    start = str(first.get_attribute("value"))
    phone.find_element(By.CSS_SELECTOR, f"label.slot:has(input[value='{start}']) span").click()
    phone.find_element(By.CSS_SELECTOR, "#cccd").send_keys("079203004567")
    citizen.shot("slots-en")
    citizen.submit("button.primary")
    assert "Your appointment" in citizen.text("h1")
    citizen.submit("button.danger")
    assert citizen.text("[role='status']") == "The appointment was cancelled."
    assert "Cancelled" in citizen.text("dl")
