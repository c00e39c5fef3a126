"""Where a ticket is served, in words, the same on the kiosk's screen and the printed
ticket: a run of counters is written as a range ("1–6"), so a citizen reads one place
to wait near instead of a list to count."""

from collections.abc import Iterable


def counter_list(counters: Iterable[int]) -> str:
    """``(1, 2, 3, 4, 5, 6)`` → "1–6"; ``(1, 7, 8, 9)`` → "1, 7–9"; ``(5, 6)`` → "5, 6"."""
    numbers = sorted(set(counters))
    parts: list[str] = []
    start = 0
    while start < len(numbers):
        end = start
        while end + 1 < len(numbers) and numbers[end + 1] == numbers[end] + 1:
            end += 1
        if end - start >= 2:
            parts.append(f"{numbers[start]}–{numbers[end]}")
        else:
            parts.extend(str(n) for n in numbers[start : end + 1])
        start = end + 1
    return ", ".join(parts)
