"""English number words 0..9999, for the optional English repetition of a call."""

from __future__ import annotations

ONES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def words(n: int) -> list[str]:
    """``words(1023) == ["one", "thousand", "twenty", "three"]`` (no "and": halls say it short)."""
    if not 0 <= n <= 9999:
        raise ValueError(f"can only read 0..9999, not {n}")
    if n < 20:
        return [ONES[n]]
    out: list[str] = []
    thousands, rest = divmod(n, 1000)
    hundreds, tail = divmod(rest, 100)
    if thousands:
        out += [ONES[thousands], "thousand"]
    if hundreds:
        out += [ONES[hundreds], "hundred"]
    if tail >= 20:
        tens, units = divmod(tail, 10)
        out.append(TENS[tens])
        if units:
            out.append(ONES[units])
    elif tail:
        out.append(ONES[tail])
    return out


def ticket_tokens(ticket: str) -> list[str]:
    """Letters as ``letter:A`` tokens, then the number; longer numbers digit by digit."""
    from display_board.numbers_vi import ticket_parts

    letters, digits = ticket_parts(ticket)
    tokens = [f"letter:{letter}" for letter in letters]
    if not digits:
        return tokens
    if len(digits.lstrip("0")) > 4:
        return tokens + [ONES[int(d)] for d in digits]
    return tokens + words(int(digits))
