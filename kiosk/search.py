"""Search of fields by name that forgives missing Vietnamese diacritics.

Citizens type on an on-screen keyboard without tone marks, so "ho tich" must find
"Hộ tịch" and "dat dai" must find "Đất đai". Names and queries are folded the same
way: decomposed (NFD), combining marks dropped, đ/Đ mapped to d (it is a letter of
its own, not a d with a mark, so NFD leaves it alone), case-folded, spaces collapsed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

_LETTER_MAP = str.maketrans({"đ": "d", "Đ": "D"})


def fold(value: str) -> str:
    """The searchable form of a text: no marks, no case, single spaces."""
    decomposed = unicodedata.normalize("NFD", value.translate(_LETTER_MAP))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in bare.casefold())
    return " ".join(cleaned.split())


def matches(query: str, *names: str) -> bool:
    """Whether every word of ``query`` starts a word of one of ``names``, in any order.

    Word starts (not any substring) keep "an" from matching every "thanh".
    """
    words = fold(query).split()
    if not words:
        return False
    for name in names:
        name_words = fold(name).split()
        if all(any(w.startswith(q) for w in name_words) for q in words):
            return True
    return False


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    """One searchable item: its primary names rank above its secondary ones."""

    item: T
    names: tuple[str, ...]
    context: tuple[str, ...] = ()


def search(query: str, entries: Iterable[Entry[T]], limit: int = 24) -> Sequence[T]:
    """Items whose own names match first, then those matched by context (the department)."""
    primary: list[T] = []
    secondary: list[T] = []
    for entry in entries:
        if matches(query, *entry.names):
            primary.append(entry.item)
        elif entry.context and matches(query, *entry.context):
            secondary.append(entry.item)
    return (primary + secondary)[:limit]
