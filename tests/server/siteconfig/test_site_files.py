"""Site files read and written without a database: the demo files, and refusals that name
the line, the key and the reason."""

from datetime import time

import pytest

from server.seed.files import site_file_text
from server.siteconfig import SiteFileError, parse, render
from server.siteconfig.convert import hours_of, sessions_of
from server.siteconfig.schema import Session

DEMO = ["hcm-main", "phuong-thu-duc"]
WARD = site_file_text("phuong-thu-duc")


@pytest.mark.parametrize("site", DEMO)
def test_a_demo_file_reads_and_writes_back_the_same_bytes(site: str) -> None:
    text = site_file_text(site)
    _doc, definition = parse(text)
    assert render(definition) == text


def test_the_main_centre_opens_saturday_morning_and_lists_tet() -> None:
    _doc, definition = parse(site_file_text("hcm-main"))
    hours = definition.site.hours
    assert hours.windows_on(5) == ((time(7, 30), time(11, 30)),)
    assert hours.windows_on(6) == ()
    tet = [h.day.isoformat() for h in definition.site.holidays if "Tết Nguyên đán" in h.name_vi]
    assert "2027-02-06" in tet  # mùng 1 Tết Đinh Mùi, given as a solar date
    assert definition.site.stop_issuing_before_close_min == 15
    land = next(s for s in definition.services if s.code == "nnmt-datdai")
    assert "sổ đỏ" in land.keywords


def test_sessions_and_hours_convert_both_ways() -> None:
    sessions = [
        Session(days=["mon", "tue", "wed", "thu", "fri", "sat"], start="07:30", end="11:30"),
        Session(days=["mon", "tue", "wed", "thu", "fri"], start="13:00", end="17:00"),
    ]
    hours = hours_of(sessions)
    assert hours.windows_on(0) == ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))
    assert hours.windows_on(5) == ((time(7, 30), time(11, 30)),)
    assert sessions_of(hours) == sessions


def refused(text: str) -> list[tuple[int | None, str, str]]:
    with pytest.raises(SiteFileError) as caught:
        parse(text)
    return [(p.line, p.key, p.reason_en) for p in caught.value.problems]


def line_of(text: str, needle: str, after: str = "") -> int:
    start = text.index(after) if after else 0
    return text[: text.index(needle, start)].count("\n") + 1


def test_an_unknown_key_is_named_with_its_line() -> None:
    text = WARD.replace('ticker = ""', 'ticker = ""\ncolour = "blue"')
    assert refused(text) == [(line_of(text, "colour"), "site.colour", "unknown key")]


def test_a_counter_in_an_unknown_area() -> None:
    text = WARD.replace('area = "TD"', 'area = "ZZ"', 1)
    assert refused(text) == [(line_of(text, 'area = "ZZ"'), "counters[1].area", "no area ZZ")]


def test_two_fields_with_one_prefix() -> None:
    text = WARD.replace("start = 2001\nend = 2999", 'prefix = "HK"').replace(
        "start = 3001\nend = 3999", 'prefix = "HK"'
    )
    text = text.replace('numbers = "block"\nprefix = "HK"', 'numbers = "prefix"\nprefix = "HK"')
    second = line_of(text, 'prefix = "HK"', after='code = "td-hkd"')
    assert refused(text) == [
        (second, "fields[3].prefix", "prefix HK is already used by field td-datdai")
    ]


def test_overlapping_sessions() -> None:
    text = WARD.replace('start = "13:00"', 'start = "11:00"')
    [(line, key, reason)] = refused(text)
    assert line == line_of(text, 'start = "11:00"')
    assert key == "sessions[2].start"
    assert reason == "overlaps session 1 (07:30-11:30) on mon"


def test_a_toml_syntax_error_names_its_line() -> None:
    text = WARD.replace('ticker = ""', "ticker = ")
    [(line, key, _reason)] = refused(text)
    assert (line, key) == (line_of(text, "ticker = "), "")


def test_a_wrong_schema_version_is_refused() -> None:
    assert refused(WARD.replace("schema_version = 1", "schema_version = 2"))[0][:2] == (
        2,
        "schema_version",
    )
