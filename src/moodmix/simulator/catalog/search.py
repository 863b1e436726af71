"""Name search: case- and accent-insensitive, exact and prefix matches first, then popularity.

::

    index = TextIndex(["Beyoncé", "The Weeknd", "Weekend Ghosts"], popularity=[90, 95, 10])
    index.find("beyonce")      # (0,)
    index.find("WEEK")         # (2, 1): a name that starts with it, then one with a word that does
    fold("Mötley Crüe!")       # 'motley crue'

Ranks: exact name, name prefix, word prefix, then any other match (the text inside the name,
ignoring spaces and punctuation, or every word of the text somewhere in the name). Within a
rank the more popular comes first. Results of recent searches are cached.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from typing import Final

_NON_WORD: Final = re.compile(r"[^0-9a-z]+")
_SPECIAL: Final = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "ð": "d"})
SEARCH_CACHE_SIZE: Final = 1_024


def fold(text: str) -> str:
    """Lowercase ASCII words separated by single spaces: accents, case and punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_SPECIAL))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", plain).strip()


class TextIndex:
    """Ranked substring search over a fixed list of names or titles."""

    def __init__(self, texts: Sequence[str], popularity: Sequence[int]) -> None:
        if len(texts) != len(popularity):
            raise ValueError(
                f"texts and popularity must be the same length, got {len(texts)} and "
                f"{len(popularity)}"
            )
        self._folded = [fold(text) for text in texts]
        self._spaced = [f" {name}" for name in self._folded]
        self._compact = [name.replace(" ", "") for name in self._folded]
        self._popularity = [int(p) for p in popularity]
        self._cached_find = lru_cache(SEARCH_CACHE_SIZE)(self._find)

    def find(self, text: str) -> tuple[int, ...]:
        """Indices of the names matching ``text``, best first; empty if nothing matches."""
        return self._cached_find(fold(text))

    def _find(self, query: str) -> tuple[int, ...]:
        if not query:
            return ()
        compact, words, spaced = query.replace(" ", ""), query.split(), f" {query}"
        ranked: list[tuple[int, int, str, int]] = []
        for i, name in enumerate(self._folded):
            if compact not in self._compact[i] and not all(w in name for w in words):
                continue
            if name == query or self._compact[i] == compact:
                rank = 0
            elif name.startswith(query):
                rank = 1
            elif spaced in self._spaced[i]:
                rank = 2
            else:
                rank = 3
            ranked.append((rank, -self._popularity[i], name, i))
        ranked.sort()
        return tuple(entry[3] for entry in ranked)
