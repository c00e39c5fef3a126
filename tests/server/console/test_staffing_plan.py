"""The staffing what-if reaching the console: ``qms simulate --staffing --db`` stores the
plan, and the site's reports page shows the latest one (HTTP, no browser)."""

import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from qms.cli import main
from server.api.app import create_app
from server.contract.vocab import Role
from server.runtime import bind, serve_in_thread
from server.seed.ward import ward_thu_duc
from server.storage.models import StaffingPlanRow
from tests.server.backends import World, make_world, sqlite_url

WARD = "phuong-thu-duc"


@pytest.fixture
def served(tmp_path) -> Iterator[tuple[World, str]]:
    """The ward site on a real uvicorn (127.0.0.1, free port), an admin account."""
    w = make_world(sqlite_url(tmp_path), site=ward_thu_duc())
    w.service.accounts.add_user("adm", "bon-mua-xanh-9", Role.ADMIN)
    sock = bind("127.0.0.1", 0)
    app = create_app(w.service)
    server, thread = serve_in_thread(app, sock)
    yield w, f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(10)
    app.state.commands.close()
    w.db.dispose()


def reports_page(base: str) -> str:
    with httpx.Client(base_url=base, timeout=30, follow_redirects=True) as client:
        form = client.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text)
        assert token is not None
        login = {"username": "adm", "password": "bon-mua-xanh-9", "csrf": token.group(1)}
        assert client.post("/console/login", data=login).status_code == 200
        page = client.get("/console/reports", params={"site": WARD})
        assert page.status_code == 200, page.text
        return page.text


def test_a_stored_plan_is_shown_on_the_sites_reports_page(
    served: tuple[World, str], tmp_path
) -> None:
    world, base = served
    before = reports_page(base)
    assert "Chưa có phương án bố trí quầy" in before
    assert f"qms simulate --site {WARD} --staffing" in before

    url = sqlite_url(tmp_path)
    argv = ["simulate", "--site", WARD, "--staffing", "--hourly", "--days", "2", "--seed", "3"]
    assert main([*argv, "--db", url]) == 0
    with world.db.read() as session:
        row = session.scalars(select(StaffingPlanRow)).one()
        assert (row.site_id, row.per, row.seed, row.days) == (WARD, "hour", 3, 2)
        assert row.day_file == f"{WARD}.toml"
        slots = row.figures
    assert slots[0]["slot"] == "07:30-08:00"
    assert all(0 < s["counters"] <= s["of"] == len(ward_thu_duc().counters) for s in slots)
    # Some hour needs fewer than every counter; each hour's fields add up to its counters.
    assert any(s["counters"] < s["of"] for s in slots)
    for s in slots:
        assert sum(f["counters"] for f in s["fields"]) == s["counters"]
        assert s["tickets"] == sum(f["tickets"] for f in s["fields"])
        assert s["within_sla"] is None or 0 <= s["within_sla"] <= 1
        assert s["utilisation"] is None or 0 <= s["utilisation"] <= 1

    page = reports_page(base)
    assert "Phương án bố trí quầy (mô phỏng)" in page
    assert "Chưa có phương án" not in page
    assert 'id="plan-chart"' in page and '"/console/reports/static/chart.umd.min.js"' in page
    for s in slots:
        assert f"<td>{s['slot']}</td>" in page
        assert f"<td>{s['counters']}/{s['of']}</td>" in page
    assert "Hộ tịch, chứng thực" in page
    assert f"{WARD}.toml" in page
