import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from kiosk.search import Entry, fold, matches, search
from kiosk.state import search_services
from tests.kiosk.fake_api import sample_menu


def test_fold_strips_marks_and_maps_d_stroke():
    assert fold("Hộ tịch") == "ho tich"
    assert fold("ĐẤT ĐAI") == "dat dai"
    assert fold("  Lý   lịch-tư pháp ") == "ly lich tu phap"


def test_fold_treats_composed_and_decomposed_text_alike():
    composed = unicodedata.normalize("NFC", "Quốc tịch")
    decomposed = unicodedata.normalize("NFD", "Quốc tịch")
    assert fold(composed) == fold(decomposed) == "quoc tich"


def test_missing_diacritics_find_the_field():
    assert matches("ho tich", "Hộ tịch")
    assert matches("HO TICH", "Hộ tịch")
    assert matches("hộ tịch", "Hộ tịch")
    assert matches("dat dai", "Đất đai")
    assert matches("tich ho", "Hộ tịch")  # any order
    assert matches("tic", "Hộ tịch")  # a word being typed


def test_word_starts_only_and_empty_query():
    assert not matches("an", "Thanh tra")
    assert not matches("", "Hộ tịch")
    assert not matches("   ", "Hộ tịch")
    assert not matches("ho tich xyz", "Hộ tịch")


def test_own_names_rank_before_department_matches():
    entries = [
        Entry("dept-hit", ("Chứng thực",), context=("Sở Tư pháp",)),
        Entry("own-hit", ("Lý lịch tư pháp",), context=("Sở Tư pháp",)),
    ]
    assert list(search("tu phap", entries)) == ["own-hit", "dept-hit"]


def test_search_services_over_a_menu_in_both_languages():
    menu = sample_menu()
    assert [s.code for s in search_services(menu, "ho tich")] == ["hotich"]
    assert [s.code for s in search_services(menu, "land")] == ["datdai"]
    assert next(s.code for s in search_services(menu, "moi truong")) == "moitruong"
    assert search_services(None, "ho tich") == []


@given(st.text(max_size=40))
def test_fold_is_idempotent_and_plain(value):
    folded = fold(value)
    assert fold(folded) == folded
    assert not any(unicodedata.combining(ch) for ch in folded)
    assert "đ" not in folded
