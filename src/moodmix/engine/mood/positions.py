"""Tracks a refinement points at by their place in the playlist: "more like track 3 and 5".

::

    positions_in("more like track 3 and 5")        # (3, 5)
    positions_in("something like the second song")  # (2,)
    positions_in("similar to tracks #4, 7 or 9")    # (4, 7, 9)
    positions_in("track 3 is too loud")             # (): nothing says "like" it

Positions are 1-based, in text order, without repeats, at most ``MAX_POSITIONS``; only after a
likeness cue ("like", "similar to", "same vibe as", "closer to"), so "skip track 3" is not
one. Numbers may be digits, words up to twenty, or ordinals ("the third one"). A few
patterns, written here: no library reads these.
"""

from __future__ import annotations

import re
from typing import Final

MAX_POSITIONS: Final = 10
MAX_POSITION: Final = 500

_WORDS: Final = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
    "nineteen", "twenty",
)  # fmt: skip
_ORDINALS: Final = (
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
    "tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth",
    "seventeenth", "eighteenth", "nineteenth", "twentieth",
)  # fmt: skip
_NUMBER: Final = {word: n for n, word in enumerate(_WORDS, 1)} | {
    word: n for n, word in enumerate(_ORDINALS, 1)
}
_CUE = r"(?:like|similar to|same (?:vibe|feel|mood|sound) as|closer to|as|in the vein of)"
_ONE = rf"(?:#\s*)?(?:\d{{1,3}}|{'|'.join(_WORDS)})(?![\w.])(?!\s*(?:bpm|beats|min|hours?\b))"
_LIST = rf"{_ONE}(?:\s*(?:,|and|&|or|\+|/)\s*{_ONE})*"
_ORDINAL = rf"(?:\d{{1,3}}(?:st|nd|rd|th)|{'|'.join(_ORDINALS)})"
_POINTED = re.compile(
    rf"\b{_CUE}\s+(?:the\s+)?(?:(?:tracks?|songs?|numbers?|nos?\.?)\s*({_LIST})"
    rf"|({_ORDINAL})\s+(?:tracks?|songs?|ones?))(?![\w])"
)
_EACH = re.compile(rf"\d{{1,3}}|{'|'.join(_WORDS + _ORDINALS)}")


def positions_in(text: str) -> tuple[int, ...]:
    """The 1-based positions of the tracks ``text`` asks to sound like."""
    found: list[int] = []
    for match in _POINTED.finditer(text.casefold()):
        for each in _EACH.findall(match.group(1) or match.group(2)):
            position = int(each) if each.isdigit() else _NUMBER[each]
            if 1 <= position <= MAX_POSITION:
                found.append(position)
    return tuple(dict.fromkeys(found))[:MAX_POSITIONS]
