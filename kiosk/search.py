"""Search of fields by what citizens type: names and procedure keywords, without
diacritics, forgiving a small typo, whole words first.

Citizens type on an on-screen keyboard without tone marks and think in procedures, not in
field names: "khai sinh" must find "Hộ tịch", "so do" must find "Đất đai" (keyword "sổ
đỏ") before "Sở hữu trí tuệ, tiêu chuẩn, đo lường", whose words merely start the same.
Names, keywords and queries are folded the same way: decomposed (NFD), combining marks
dropped, đ/Đ mapped to d (a letter of its own, which NFD leaves alone), case-folded,
spaces collapsed.

Each query word must match a word of one phrase (a name or a keyword). A word matches
exactly, as the start of a word (the citizen is still typing), or with one typo (two in
long words, the first letter right); short words must match exactly or as a start, since
one edit turns "xe" into "xa". A phrase's score adds its words' matches and a bonus when
the query's words follow each other in it, so a keyword typed whole ranks first.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Generic, TypeVar

T = TypeVar("T")

_LETTER_MAP = str.maketrans({"đ": "d", "Đ": "D"})

EXACT, START, TYPO = 4, 3, 1  # what one query word earns
IN_ORDER = 3  # per word, when the query's words follow each other in the phrase
CONTEXT_SHARE = 0.25  # a department's name finds its fields, far below their own names


def fold(value: str) -> str:
    """The searchable form of a text: no marks, no case, single spaces."""
    decomposed = unicodedata.normalize("NFD", value.translate(_LETTER_MAP))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = "".join(ch if ch.isalnum() else " " for ch in bare.casefold())
    return " ".join(cleaned.split())


def typos_allowed(word: str) -> int:
    """Edits forgiven in a query word: none in short words, where one edit makes another
    word, one from four letters, two from eight."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def within(a: str, b: str, limit: int) -> bool:
    """Whether ``a`` and ``b`` are at most ``limit`` edits apart (insert, delete, replace,
    swap of neighbours: Damerau-Levenshtein, optimal string alignment)."""
    if abs(len(a) - len(b)) > limit:
        return False
    prev2: list[int] = []
    prev = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], prev2[j - 2] + 1)
        if min(row) > limit:
            return False
        prev2, prev = prev, row
    return prev[-1] <= limit


@lru_cache(maxsize=8192)
def words_of(phrase: str) -> tuple[str, ...]:
    """A phrase's folded words, kept: a menu's names and keywords are searched at every
    key the citizen types."""
    return tuple(fold(phrase).split())


@lru_cache(maxsize=65536)
def word_score(query: str, word: str, *, typos: bool = True) -> int:
    """What one query word earns against one word; a typo counts only between words
    both long enough ("land" is not "and")."""
    if query == word:
        return EXACT
    if word.startswith(query):
        return START
    limit = min(typos_allowed(query), typos_allowed(word)) if typos else 0
    # A typo is looked for only after a right first letter: the rest of a word is where
    # a finger slips, and it spares the edit distance against most of the menu's words.
    if not limit or query[0] != word[0]:
        return 0
    if within(query, word, limit) or within(query, word[: len(query)], limit):
        return TYPO
    return 0


def phrase_score(words: Sequence[str], phrase: Sequence[str], *, typos: bool = True) -> int:
    """What a folded query earns against one folded phrase; 0 when a word finds nothing."""
    total = 0
    places: list[int] = []
    for query in words:
        best, where = 0, -1
        for i, word in enumerate(phrase):
            score = word_score(query, word, typos=typos)
            if score > best:
                best, where = score, i
        if not best:
            return 0
        total += best
        places.append(where)
    if len(words) > 1 and all(b == a + 1 for a, b in pairwise(places)):
        total += IN_ORDER * len(words)
    return total


def score(query: str, *phrases: str) -> int:
    """The best score of ``query`` against any of ``phrases`` (0: no match)."""
    words = fold(query).split()
    if not words:
        return 0
    return max((phrase_score(words, words_of(p)) for p in phrases), default=0)


def matches(query: str, *names: str) -> bool:
    """Whether every word of ``query`` matches a word of one of ``names``, in any order.

    Word starts (not any substring) keep "an" from matching every "thanh".
    """
    return score(query, *names) > 0


@dataclass(frozen=True, slots=True)
class Entry(Generic[T]):
    """One searchable item: its names and keywords, and its context (the department),
    which finds it only far below its own words."""

    item: T
    names: tuple[str, ...]
    context: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()


def search(query: str, entries: Iterable[Entry[T]], limit: int = 24) -> Sequence[T]:
    """Items by score, best first; equal scores keep the entries' order."""
    words = fold(query).split()
    if not words:
        return []
    ranked: list[tuple[float, int, T]] = []
    for index, entry in enumerate(entries):
        own = max(
            (phrase_score(words, words_of(p)) for p in (*entry.names, *entry.keywords)),
            default=0,
        )
        found: float = own
        if not own and entry.context:
            # No typos here: a department's name is long and would catch near misses.
            found = CONTEXT_SHARE * max(
                phrase_score(words, words_of(p), typos=False) for p in entry.context
            )
        if found:
            ranked.append((-found, index, entry.item))
    ranked.sort(key=lambda r: (r[0], r[1]))
    return [item for _, _, item in ranked[:limit]]
