"""The hall control pages in a real headless browser, on the demo server: a supervisor
moves a waiting ticket and pauses a counter by clicking. ``QMS_CONSOLE_SCREENSHOTS=DIR``
also saves the pages' screenshots there."""

import httpx

from tests.server.console.test_console_browser import SITE, Console, browser
from tests.support.live_server import LiveServer

__all__ = ["browser"]


def test_a_supervisor_runs_the_hall_from_the_console(live_server: LiveServer, browser) -> None:
    kiosk = {"Authorization": f"Bearer {live_server.kiosk_token}"}
    numbers = []
    for n, field in enumerate(("tp-hotich", "tp-hotich", "tp-lltp")):
        r = httpx.post(
            f"{live_server.base_url}/api/v1/sites/{SITE}/tickets",
            json={"service": field},
            headers={**kiosk, "Idempotency-Key": f"b{n}"},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        numbers.append(r.json()["number"])
    assert live_server.supervisor is not None
    console = Console(browser, live_server)
    console.open("/console/login")
    console.fill("username", live_server.supervisor[0])
    console.fill("password", live_server.supervisor[1])
    console.submit("main form")

    console.open(f"/console/s/{SITE}/control")
    assert numbers[0] in console.text("main")
    console.driver.set_window_size(1366, 1100)
    console.shot("waiting", "vi")
    row = f"main form[action$='/move']:has(select[aria-label$=' {numbers[1]}'])"
    select = console.driver.find_element("css selector", f"{row} select")
    select.find_element("css selector", "option[value='field:tp-lltp']").click()
    console.submit(row)
    assert "Đã chuyển số" in console.text("main [role=status]")
    moved = console.text("main")
    assert numbers[1] in moved

    console.open(f"/console/s/{SITE}/control/counters/2")
    console.submit("main form:has(input[name=state][value=paused])")
    assert console.text("main [role=status]") == "Quầy đã chuyển sang tạm nghỉ."
    assert "Tạm nghỉ" in console.text("main .supervise")
    console.shot("counter", "vi")
