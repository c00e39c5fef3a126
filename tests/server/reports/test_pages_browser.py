"""The report page in a real browser (Debian's Chromium through Selenium) and the monthly
PDF turned into a PNG with pdftoppm: the known day's figures, charts drawn.

With ``QMS_DOCS_IMG=docs/img`` set, the screenshots and the PDF's first page are also
written there for docs/reports.md.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service as DriverService
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.server.backends import SITE
from tests.server.reports.conftest import login
from tests.server.reports.known_day import DAY

WAIT_S = 60


def keep(path: Path) -> None:
    target = os.environ.get("QMS_DOCS_IMG")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(target) / path.name)


@pytest.fixture
def browser() -> Iterator[webdriver.Chrome]:
    if shutil.which("chromedriver") is None:
        pytest.fail("chromium-driver is not installed (scripts/install-system-deps.sh)")
    options = Options()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1366,768"):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=DriverService(shutil.which("chromedriver")), options=options)
    yield driver
    driver.quit()


def open_report(driver: webdriver.Chrome, base: str, token: str, query: str) -> None:
    driver.get(f"{base}/console/reports/static/chart.umd.min.js")  # the cookie's origin
    driver.add_cookie({"name": "qms_console", "value": token, "path": "/console"})
    driver.get(f"{base}/console/reports?{query}")
    WebDriverWait(driver, WAIT_S).until(
        lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-charts") == "drawn"
    )


def full_page(driver: webdriver.Chrome, path: Path, width: int) -> None:
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(width, min(int(height) + 140, 4000))
    driver.save_screenshot(str(path))
    keep(path)


def test_report_page_and_pdf(served, browser, tmp_path: Path) -> None:
    _world, client, _ = served
    base = str(client.base_url).rstrip("/")
    token = login(client, "boss", "pw-boss")["Authorization"].split()[1]
    query = f"site={SITE}&from={DAY}&to={DAY}&by=field"
    open_report(browser, base, token, query)

    page = browser.find_element(By.TAG_NAME, "body").text
    assert "Báo cáo hoạt động — Điểm thử" in page
    table = browser.find_element(By.CSS_SELECTOR, "section[data-cut=field] table")
    rows = [r.text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    # Issued, served, no-show, transferred, waits (mean, median, p90), SLA %, satisfied %.
    assert rows == [
        "Chứng thực 2 2 0 1 33,0 33,0 42,6 50,0 0,0",
        "Hộ tịch 4 2 1 0 23,7 21,0 36,2 33,3 100,0",
        "Tổng cộng 6 4 1 1 27,4 21,0 43,0 40,0 50,0",
    ]
    # The page's numbers are the JSON's.
    document = client.get(
        "/api/v1/reports/figures",
        params={"site": SITE, "from": str(DAY), "to": str(DAY), "by": "field"},
        headers={"Authorization": f"Bearer {token}"},
    ).json()
    total_cells = table.find_elements(By.CSS_SELECTOR, "tr.total td.num")
    assert (
        float(total_cells[0].get_attribute("data-raw"))
        == document["cuts"]["field"]["total"]["issued"]
    )
    assert (
        float(total_cells[5].get_attribute("data-raw"))
        == document["cuts"]["field"]["total"]["wait_median_min"]
    )
    for canvas in ("waits", "outcomes", "satisfaction"):
        drawn = browser.execute_script(
            f"return Chart.getChart(document.getElementById('{canvas}')).data.datasets.length"
        )
        assert drawn >= 1
    heat = browser.find_elements(By.CSS_SELECTOR, "table.heat tbody tr")
    assert heat[0].text.startswith("Thứ Hai")
    full_page(browser, tmp_path / "report-page.png", 1366)
    browser.set_window_size(390, 844)
    open_report(browser, base, token, query)
    full_page(browser, tmp_path / "report-phone.png", 390)
    width = browser.execute_script("return document.documentElement.scrollWidth")
    assert width <= 390 + 1, "the page scrolls sideways on a phone"

    pdf = client.get(
        f"/console/reports/download?{query}&format=pdf",
        headers={"Cookie": f"qms_console={token}"},
        timeout=180,
    )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    pdf_file = tmp_path / "report.pdf"
    pdf_file.write_bytes(pdf.content)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf_file),
         str(tmp_path / "report-pdf")],
        check=True,
    )  # fmt: skip
    png = tmp_path / "report-pdf.png"
    assert png.stat().st_size > 10_000
    text = subprocess.run(
        ["pdftotext", str(pdf_file), "-"],
        check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    assert text.startswith("Báo cáo tháng — Điểm thử") and "Hộ tịch" in text
    keep(png)


def test_the_cut_selector_offers_the_channel(served, browser, tmp_path: Path) -> None:
    """Chosen on the page, the cut by channel: the known day's six walk-ins in one row."""
    _world, client, _ = served
    base = str(client.base_url).rstrip("/")
    token = login(client, "boss", "pw-boss")["Authorization"].split()[1]
    open_report(browser, base, token, f"site={SITE}&from={DAY}&to={DAY}&by=field")
    Select(browser.find_element(By.NAME, "by")).select_by_visible_text("Hình thức lấy số")
    browser.find_element(By.CSS_SELECTOR, "form.filters button[type=submit]").click()
    WebDriverWait(browser, WAIT_S).until(
        lambda d: (
            d.find_elements(By.CSS_SELECTOR, "section[data-cut=channel] table")
            and d.find_element(By.TAG_NAME, "body").get_attribute("data-charts") == "drawn"
        )
    )
    table = browser.find_element(By.CSS_SELECTOR, "section[data-cut=channel] table")
    rows = [r.text for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]
    assert rows == [
        "Lấy số tại ki-ốt 6 4 1 1 27,4 21,0 43,0 40,0 50,0",
        "Tổng cộng 6 4 1 1 27,4 21,0 43,0 40,0 50,0",
    ]
    assert "by=channel" in browser.current_url
    full_page(browser, tmp_path / "report-channel.png", 1366)
