"""Read numbers 0..9999 aloud the Vietnamese way, and ticket numbers like "A012".

Two conventions, chosen per site with its region (``dialect``: the region's voice
reads its own numbers, see ``display_board.voice``):

* ``north`` (the default; the standard of radio, television and the issue's
  example "một nghìn không trăm hai mươi ba"): "nghìn" for thousand, "linh" for
  an empty tens place (105 "một trăm linh năm"), "tư" for a final 4 after
  "mươi" (24 "hai mươi tư").
* ``south`` (what a Ho Chi Minh City hall hears every day): "ngàn", "lẻ"
  (105 "một trăm lẻ năm"), and a plain "bốn" (24 "hai mươi bốn").
* ``central`` reads numbers as the south does: "ngàn" and "lẻ" are what Huế and Đà Nẵng
  say too; only the voice differs.

Rules shared by both: 10-19 use "mười", 20-99 "mươi"; a final 1 after "mươi"
is "mốt" (21 "hai mươi mốt") but stays "một" after "mười" (11 "mười một");
a final 5 after "mười"/"mươi" is "lăm" (15 "mười lăm", 25 "hai mươi lăm") but
stays "năm" after "linh"/"lẻ" (105); 14 is "mười bốn" in both; an empty
hundreds place inside a thousand is read "không trăm" (1023).

Ticket numbers: a letter prefix is spelled letter by letter, then the digits are
read as one number, leading zeros dropped ("A012" -> "a", "mười hai"); a number
of more than four digits is read digit by digit.
"""

from __future__ import annotations

from typing import Literal

Dialect = Literal["north", "central", "south"]
DIALECTS: tuple[Dialect, ...] = ("north", "central", "south")

DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")

# How each letter is spoken on its own (Vietnamese letter names; F, J, W, Z as
# Vietnamese speakers name them).
LETTER_NAMES_VI = {
    "A": "a",
    "B": "bê",
    "C": "xê",
    "D": "dê",
    "Đ": "đê",
    "E": "e",
    "F": "ép",
    "G": "giê",
    "H": "hát",
    "I": "i",
    "J": "gi",
    "K": "ca",
    "L": "e lờ",
    "M": "em mờ",
    "N": "en nờ",
    "O": "o",
    "P": "pê",
    "Q": "quy",
    "R": "e rờ",
    "S": "ét xì",
    "T": "tê",
    "U": "u",
    "V": "vê",
    "W": "vê kép",
    "X": "ích xì",
    "Y": "i dài",
    "Z": "dét",
}

MAX = 9999


def _tens_and_units(n: int, dialect: Dialect) -> list[str]:
    """10..99."""
    tens, units = divmod(n, 10)
    words = ["mười"] if tens == 1 else [DIGITS[tens], "mươi"]
    if units == 0:
        return words
    if units == 1:
        words.append("một" if tens == 1 else "mốt")
    elif units == 4 and tens > 1 and dialect == "north":
        words.append("tư")
    elif units == 5:
        words.append("lăm")
    else:
        words.append(DIGITS[units])
    return words


def _below_hundred(n: int, dialect: Dialect, *, after_hundreds: bool) -> list[str]:
    """0..99 as the tail of a larger number (after "trăm") or on its own."""
    if n == 0:
        return [] if after_hundreds else ["không"]
    if n < 10:
        if after_hundreds:
            return ["linh" if dialect == "north" else "lẻ", DIGITS[n]]
        return [DIGITS[n]]
    return _tens_and_units(n, dialect)


def words(n: int, dialect: Dialect = "north") -> list[str]:
    """The spoken words of ``n`` (0..9999), one syllable per item."""
    if not 0 <= n <= MAX:
        raise ValueError(f"can only read 0..{MAX}, not {n}")
    if dialect not in DIALECTS:
        raise ValueError(f"unknown dialect {dialect!r}: use 'north', 'central' or 'south'")
    thousands, rest = divmod(n, 1000)
    hundreds, tail = divmod(rest, 100)
    out: list[str] = []
    if thousands:
        out += [DIGITS[thousands], "nghìn" if dialect == "north" else "ngàn"]
        if rest == 0:
            return out
    if thousands or hundreds:
        out += [DIGITS[hundreds], "trăm"]
        out += _below_hundred(tail, dialect, after_hundreds=True)
        return out
    return _below_hundred(tail, dialect, after_hundreds=False)


def read(n: int, dialect: Dialect = "north") -> str:
    """``read(1023) == "một nghìn không trăm hai mươi ba"``."""
    return " ".join(words(n, dialect))


def ticket_parts(ticket: str) -> tuple[list[str], str]:
    """Split "A012" into (["A"], "012"); letters are upper-cased, separators dropped."""
    cleaned = "".join(ch for ch in ticket.strip().upper() if ch.isalnum())
    if not cleaned:
        raise ValueError(f"not a ticket number: {ticket!r}")
    letters: list[str] = []
    i = 0
    while i < len(cleaned) and not cleaned[i].isdigit():
        letters.append(cleaned[i])
        i += 1
    digits = cleaned[i:]
    if digits and not digits.isdigit():
        raise ValueError(f"not a ticket number (letters after digits): {ticket!r}")
    return letters, digits


def ticket_tokens(ticket: str, dialect: Dialect = "north") -> list[str]:
    """What to say for a ticket: ``letter:A`` tokens, then number words.

    Letters stay tokens (not words) so the voice can play a recorded letter name.
    """
    letters, digits = ticket_parts(ticket)
    for letter in letters:
        if letter not in LETTER_NAMES_VI:
            raise ValueError(f"cannot read letter {letter!r} of ticket {ticket!r}")
    tokens = [f"letter:{letter}" for letter in letters]
    if not digits:
        return tokens
    if len(digits.lstrip("0")) > 4:
        return tokens + [DIGITS[int(d)] for d in digits]
    return tokens + words(int(digits), dialect)


def read_ticket(ticket: str, dialect: Dialect = "north") -> str:
    """``read_ticket("A012") == "a mười hai"``: the text a speech engine would say."""
    spoken = [
        LETTER_NAMES_VI[t.removeprefix("letter:")] if t.startswith("letter:") else t
        for t in ticket_tokens(ticket, dialect)
    ]
    return " ".join(spoken)
