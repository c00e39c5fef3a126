"""What citizens type at the kiosk finds the right field of the demo centre: its menu is
built from the shipped site files, keywords included, as the server serves it."""

import pytest

from kiosk.search import score, within
from kiosk.state import search_services
from server.contract.http import DepartmentOut, MenuOut, ServiceOut
from server.seed.files import site_file


def menu_of(site_id: str) -> MenuOut:
    definition = site_file(site_id)
    departments = []
    for dept in definition.departments:
        services = [
            ServiceOut(
                code=s.code,
                department=s.department,
                name_vi=s.name_vi,
                name_en=s.name_en,
                open=True,
                waiting=0,
                estimated_wait_s=0,
                counters=[],
                keywords=list(s.keywords),
            )
            for s in definition.services
            if s.department == dept.code
        ]
        departments.append(
            DepartmentOut(
                code=dept.code, name_vi=dept.name_vi, name_en=dept.name_en, services=services
            )
        )
    return MenuOut(
        site=definition.site.id,
        site_name=definition.site.name,
        site_name_en=definition.site.name_en,
        time_zone=definition.site.time_zone,
        business_day="2026-12-07",
        priority_categories=[],
        departments=departments,
    )


HCM = menu_of("hcm-main")
WARD = menu_of("phuong-thu-duc")

# (query, the field it must find first)
CENTRE_QUERIES = [
    ("khai sinh", "tp-hotich"),
    ("ket hon", "tp-hotich"),
    ("Kết hôn", "tp-hotich"),
    ("khai tu", "tp-hotich"),
    ("ho chieu", "ca-xnc"),
    ("hochieu", None),  # no such word: nothing is better than a guess
    ("so do", "nnmt-datdai"),
    ("sổ đỏ", "nnmt-datdai"),
    ("so hong", "nnmt-datdai"),
    ("cccd", "ca-cancuoc"),
    ("CCCD", "ca-cancuoc"),
    ("can cuoc", "ca-cancuoc"),
    ("giay phep lai xe", "xd-gplx"),
    ("bang lai", "xd-gplx"),
    ("giay phep xay dung", "xd-cpxd"),
    ("ly lich tu phap", "tp-lltp"),
    ("sao y", "tp-chungthuc"),
    ("tam tru", "ca-cutru"),
    ("thuong tru", "ca-cutru"),
    ("ma so thue", "thue-dangky"),
    ("thanh lap doanh nghiep", "tc-dkdn"),
    ("bao hiem y te", "bhxh-thu"),
    ("thai san", "bhxh-chedo"),
    ("bang tot nghiep", "gd-vanbang"),
    # small typos
    ("khai sihn", "tp-hotich"),
    ("ho chiue", "ca-xnc"),
    ("giay phep lai xe oto", None),  # a word that matches nothing rules the field out
    ("dat dai", "nnmt-datdai"),
    ("passport", "ca-xnc"),
]


@pytest.mark.parametrize(("query", "expected"), CENTRE_QUERIES)
def test_the_centre_finds_the_field_people_mean(query: str, expected: str | None) -> None:
    found = [s.code for s in search_services(HCM, query)]
    if expected is None:
        assert found == []
    else:
        assert found and found[0] == expected, found[:5]


WARD_QUERIES = [
    ("khai sinh", "td-hotich"),
    ("so do", "td-datdai"),
    ("giay phep kinh doanh", "td-hkd"),
]


@pytest.mark.parametrize(("query", "expected"), WARD_QUERIES)
def test_the_ward_finds_the_field_people_mean(query: str, expected: str) -> None:
    found = [s.code for s in search_services(WARD, query)]
    assert found and found[0] == expected, found[:5]


def test_a_keyword_typed_whole_ranks_above_words_that_merely_start_a_name() -> None:
    # "so do" starts "Sở hữu trí tuệ, tiêu chuẩn, đo lường": found, but after land.
    found = [s.code for s in search_services(HCM, "so do")]
    assert found.index("nnmt-datdai") < found.index("khcn-tcdlcl")
    assert score("so do", "sổ đỏ") > score("so do", "Sở hữu trí tuệ, tiêu chuẩn, đo lường")


def test_typos_are_forgiven_only_in_words_long_enough() -> None:
    assert within("sihn", "sinh", 1)  # a swap
    assert within("chiue", "chieu", 1)
    assert not within("xe", "xa", 0)
    assert score("xa", "xe") == 0  # short words: exact or a start only
    assert score("khai sihn", "khai sinh") > 0
    assert score("kahi", "khai") > 0


def test_every_field_of_the_demo_centre_has_procedure_keywords() -> None:
    bare = [s.code for d in HCM.departments for s in d.services if not s.keywords]
    assert bare == []
