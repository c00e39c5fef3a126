"""The citizen's tracking page: real HTML, both languages, follows transfers, friendly 404."""

P = "/api/v1/sites/t1"


def issue(api, key):
    r = api.client.post(
        f"{P}/tickets", json={"service": "ht"}, headers=api.headers(api.kiosk_token, key)
    )
    assert r.status_code == 201
    return r.json()


def test_tracking_page_in_both_languages(api) -> None:
    issue(api, "a")
    ticket = issue(api, "b")
    url = ticket["track_url"]
    assert ticket["id"] not in url
    page = api.client.get(url)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert ticket["number"] in html and "Hộ tịch" in html
    assert "Điểm thử" in html  # the site's name
    assert "Số người phía trước" in html and "<dd>1</dd>" in html
    assert 'http-equiv="refresh"' in html and 'name="viewport"' in html
    english = api.client.get(url, params={"lang": "en"}).text
    assert "People ahead of you" in english and "Civil status" in english
    assert "Test point" in english
    assert "?lang=vi" in english


def test_tracking_shows_the_counter_and_follows_a_transfer(api) -> None:
    ticket = issue(api, "a")
    token = api.token("c1", "pw-c1")
    r = api.client.post(f"{P}/counters/1/call-next", headers=api.headers(token, "c"))
    assert r.status_code == 200
    assert "Mời đến quầy 1" in api.client.get(ticket["track_url"]).text
    r = api.client.post(
        f"{P}/counters/1/transfer", json={"to_service": "ct"}, headers=api.headers(token, "t")
    )
    assert r.status_code == 200, r.text
    page = api.client.get(ticket["track_url"], params={"lang": "en"}).text
    assert "Certification" in page and "Waiting" in page


def test_unknown_link_gets_a_friendly_page(api) -> None:
    page = api.client.get("/t/not-a-real-token")
    assert page.status_code == 404
    assert "Không tìm thấy phiếu" in page.text and "<html" in page.text
    assert "Ticket not found" in api.client.get("/t/x", headers={"Accept-Language": "en"}).text


def test_tracking_shows_a_range_and_a_closed_field_honestly(api) -> None:
    first = issue(api, "a")
    # No counter has opened: the page says so rather than promising minutes.
    assert "Quầy chưa mở" in api.client.get(first["track_url"]).text
    token = api.token("c2", "pw-c2")
    r = api.client.post(f"{P}/counters/2/resume", headers=api.headers(token, "r"))
    assert r.status_code == 200, r.text
    for key in "bcdef":
        issue(api, key)
    ticket = issue(api, "g")
    html = api.client.get(ticket["track_url"]).text
    assert "Quầy chưa mở" not in html
    assert "khoảng" in html and "–" in html  # six ahead at one counter: a range
