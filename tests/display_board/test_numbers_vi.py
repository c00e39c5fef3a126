"""Vietnamese number reading: every number 0..9999 in both conventions."""

import re

import pytest

from display_board import numbers_en
from display_board.numbers_vi import DIGITS, read, read_ticket, ticket_tokens, words

KNOWN_NORTH = {
    0: "không",
    1: "một",
    5: "năm",
    10: "mười",
    11: "mười một",
    14: "mười bốn",
    15: "mười lăm",
    20: "hai mươi",
    21: "hai mươi mốt",
    24: "hai mươi tư",
    25: "hai mươi lăm",
    55: "năm mươi lăm",
    99: "chín mươi chín",
    100: "một trăm",
    101: "một trăm linh một",
    104: "một trăm linh bốn",
    105: "một trăm linh năm",
    110: "một trăm mười",
    111: "một trăm mười một",
    115: "một trăm mười lăm",
    121: "một trăm hai mươi mốt",
    1000: "một nghìn",
    1005: "một nghìn không trăm linh năm",
    1010: "một nghìn không trăm mười",
    1023: "một nghìn không trăm hai mươi ba",
    1100: "một nghìn một trăm",
    2024: "hai nghìn không trăm hai mươi tư",
    9999: "chín nghìn chín trăm chín mươi chín",
}

KNOWN_SOUTH = {
    24: "hai mươi bốn",
    105: "một trăm lẻ năm",
    1005: "một ngàn không trăm lẻ năm",
    1023: "một ngàn không trăm hai mươi ba",
    2024: "hai ngàn không trăm hai mươi bốn",
    15: "mười lăm",
    21: "hai mươi mốt",
}

VALUE = {w: i for i, w in enumerate(DIGITS)} | {"mốt": 1, "tư": 4, "lăm": 5}


def parse(text: str) -> int:
    """An independent reader of well-formed readings: proves each reading means its number."""
    m = re.fullmatch(
        r"(?:(?P<th>\S+) (?:nghìn|ngàn))?"
        r"(?: ?(?P<h>\S+) trăm)?"
        r"(?: ?(?:(?:linh|lẻ) (?P<lu>\S+)"
        r"|mười(?: (?P<teen>\S+))?"
        r"|(?P<t>\S+) mươi(?: (?P<u>\S+))?"
        r"|(?P<solo>\S+)))?",
        text,
    )
    assert m and text, f"ill-formed: {text!r}"
    g = m.groupdict()
    n = 0
    if g["th"]:
        assert g["th"] in DIGITS[1:], text
        n += 1000 * DIGITS.index(g["th"])
    if g["h"]:
        assert g["h"] in DIGITS, text
        n += 100 * DIGITS.index(g["h"])
    if g["lu"]:
        assert g["lu"] in DIGITS[1:], text  # "linh năm", never "linh lăm" / "linh mốt"
        n += DIGITS.index(g["lu"])
    elif "mười" in text.split():
        n += 10
        if g["teen"]:
            assert g["teen"] in {*DIGITS[1:], "lăm"} - {"năm"}, text
            n += VALUE[g["teen"]]
    elif g["t"]:
        assert g["t"] in DIGITS[2:], text
        n += 10 * DIGITS.index(g["t"])
        if g["u"]:
            assert g["u"] not in {"một", "năm", "không"}, text  # mốt, lăm
            n += VALUE[g["u"]]
    elif g["solo"]:
        assert not (g["th"] or g["h"]), text
        n += DIGITS.index(g["solo"])
    return n


@pytest.mark.parametrize("dialect", ["north", "south"])
def test_every_number_reads_back_to_itself(dialect):
    seen = set()
    for n in range(10000):
        text = read(n, dialect)
        assert text == text.strip() and "  " not in text
        assert parse(text) == n, (n, text)
        seen.add(text)
        if n >= 1000 and n % 1000 and n % 1000 < 100:
            assert "không trăm" in text, text
        if dialect == "north":
            assert "ngàn" not in text and "lẻ" not in text
        else:
            assert "nghìn" not in text and "linh" not in text and "tư" not in text.split()
    assert len(seen) == 10000


@pytest.mark.parametrize(("n", "text"), KNOWN_NORTH.items())
def test_known_northern_readings(n, text):
    assert read(n) == text


@pytest.mark.parametrize(("n", "text"), KNOWN_SOUTH.items())
def test_known_southern_readings(n, text):
    assert read(n, "south") == text


def test_out_of_range_and_unknown_dialect_are_refused():
    for bad in (-1, 10000):
        with pytest.raises(ValueError, match=r"0\.\.9999"):
            words(bad)
    with pytest.raises(ValueError, match="dialect"):
        words(3, "east")  # type: ignore[arg-type]


def test_ticket_numbers_letters_then_number():
    assert read_ticket("A012") == "a mười hai"
    assert read_ticket("1023") == "một nghìn không trăm hai mươi ba"
    assert read_ticket("b-105", "south") == "bê một trăm lẻ năm"
    assert read_ticket("AB7") == "a bê bảy"
    assert read_ticket("A000") == "a không"
    assert ticket_tokens("A012") == ["letter:A", "mười", "hai"]
    assert ticket_tokens("123456") == ["một", "hai", "ba", "bốn", "năm", "sáu"]
    for bad in ("", "  ", "12A", "Ж12"):
        with pytest.raises(ValueError, match="ticket"):
            ticket_tokens(bad)


def test_english_numbers():
    assert numbers_en.words(0) == ["zero"]
    assert numbers_en.words(15) == ["fifteen"]
    assert " ".join(numbers_en.words(1023)) == "one thousand twenty three"
    assert " ".join(numbers_en.words(9999)) == "nine thousand nine hundred ninety nine"
    assert numbers_en.ticket_tokens("A012") == ["letter:A", "twelve"]
    assert all(numbers_en.words(n) for n in range(10000))
    with pytest.raises(ValueError, match=r"0\.\.9999"):
        numbers_en.words(10000)
