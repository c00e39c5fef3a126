"""CCCD QR parsing with invented samples (no real person's data), and the ID never leaking."""

import pickle
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hardware.cccd import CccdError, CccdScan, parse_cccd, read_scan
from hardware.ports import ScanRejected

TODAY = date(2026, 11, 22)
KEY = b"site-key-hcm-0123456789abcdef"

ADDRESS = "12 Nguyễn Văn Bá, Phường Thủ Đức, TP. Hồ Chí Minh"
MAN = f"079090001234|025123456|Nguyễn Văn An|15031990|Nam|{ADDRESS}|20042021"
WOMAN = (
    "001303005678||Trần Thị Ngọc Ánh|02112003|Nữ|Số 5 ngõ 8 Phố Huế, Hai Bà Trưng, Hà Nội|10082021"
)


def test_a_good_scan():
    scan = parse_cccd(MAN, today=TODAY)
    assert scan.full_name == "Nguyễn Văn An"
    assert scan.date_of_birth == date(1990, 3, 15)
    assert scan.sex == "Nam"
    assert scan.issue_date == date(2021, 4, 20)
    assert "Thủ Đức" in scan.address
    assert scan.masked_id == "0790******34"


def test_no_old_id_and_a_woman_born_in_the_2000s():
    scan = parse_cccd(WOMAN, today=TODAY)
    assert scan.sex == "Nữ"
    assert scan.masked_id == "0013******78"


def test_scanner_noise_around_the_text_and_decomposed_accents_are_fine():
    import unicodedata

    noisy = "\r\n " + unicodedata.normalize("NFD", WOMAN) + " \r\n"
    assert parse_cccd(noisy, today=TODAY) == parse_cccd(WOMAN, today=TODAY)


def test_newer_cards_with_extra_fields_are_accepted():
    assert parse_cccd(MAN + "|Nguyễn Văn Bình|Lê Thị Cúc", today=TODAY).full_name == "Nguyễn Văn An"


def test_citizen_key_is_a_stable_keyed_hash():
    a = parse_cccd(MAN, today=TODAY).citizen_key(KEY)
    assert a == parse_cccd(MAN, today=TODAY).citizen_key(KEY)
    assert len(a) == 64 and 16 <= len(a) <= 128  # fits TicketIn.citizen_key
    assert a != parse_cccd(MAN, today=TODAY).citizen_key(KEY + b"x")
    assert a != parse_cccd(WOMAN, today=TODAY).citizen_key(KEY)
    with pytest.raises(ValueError, match="16 bytes"):
        parse_cccd(MAN, today=TODAY).citizen_key("short")


def test_the_id_number_never_shows():
    scan = parse_cccd(MAN, today=TODAY)
    for text in (repr(scan), str(scan), f"{scan}", str([scan]), str(vars(type(scan)).keys())):
        assert "079090001234" not in text
    assert not [
        name
        for name in dir(scan)
        if "id" in name and not name.startswith("_") and name not in ("masked_id",)
    ]
    with pytest.raises(TypeError):
        pickle.dumps(scan)
    assert "079090001234" not in str(parse_cccd(MAN, today=TODAY).__slots__)


@pytest.mark.parametrize(
    ("text", "english"),
    [
        ("", "expected 7 fields"),
        ("https://example.vn/not-a-card", "expected 7 fields"),
        ("07909000123|025123456|Nguyễn Văn An|15031990|Nam|HCM|20042021", "12 digits"),
        ("07909000123X|025123456|Nguyễn Văn An|15031990|Nam|HCM|20042021", "12 digits"),
        ("079090001234|0251234|Nguyễn Văn An|15031990|Nam|HCM|20042021", "old ID"),
        ("079090001234|025123456||15031990|Nam|HCM|20042021", "full name"),
        ("079090001234|025123456|Nguyễn V4n An|15031990|Nam|HCM|20042021", "full name"),
        ("079090001234|025123456|Nguyễn Văn An|1503199|Nam|HCM|20042021", "ddmmyyyy"),
        ("079090001234|025123456|Nguyễn Văn An|31021990|Nam|HCM|20042021", "not a real date"),
        ("079090001234|025123456|Nguyễn Văn An|15031990|Male|HCM|20042021", "Nam or Nữ"),
        ("079090001234|025123456|Nguyễn Văn An|15031990|Nam||20042021", "address"),
        ("079090001234|025123456|Nguyễn Văn An|15031990|Nam|HCM|20042031", "issue date"),
        ("079090001234|025123456|Nguyễn Văn An|15031990|Nam|HCM|20041989", "issue date"),
        ("079090001234|025123456|Nguyễn Văn An|15031991|Nam|HCM|20042021", "year of birth"),
        ("079090001234|025123456|Nguyễn Văn An|15031990|Nữ|HCM|20042021", "sex"),
        ("099090001234|025123456|Nguyễn Văn An|15031990|Nam|HCM|20042021", "province"),
        ("079090001234|" + "x" * 2000, "too long"),
    ],
)
def test_bad_scans_are_refused_with_a_reason_in_both_languages(text, english):
    with pytest.raises(CccdError, match=english) as err:
        parse_cccd(text, today=TODAY)
    assert err.value.message_vi and err.value.message_en
    rejected = read_scan(text, today=TODAY)
    assert isinstance(rejected, ScanRejected)
    assert rejected.message_vi == err.value.message_vi


@given(st.text(max_size=300))
def test_any_text_gives_a_scan_or_a_reason(text):
    result = read_scan(text, today=TODAY)
    assert isinstance(result, CccdScan | ScanRejected)


def test_default_today_accepts_a_card_issued_today():
    today = date.today().strftime("%d%m%Y")
    assert isinstance(read_scan(MAN.rsplit("|", 1)[0] + "|" + today), CccdScan)
