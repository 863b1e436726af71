"""A playlist length said in a sentence: "make it an hour", "45 minutes", "1h30".

::

    length_in("make it an hour, more upbeat")   # 3600.0
    length_in("45 minutes of jazz")             # 2700.0
    length_in("1h30")                           # 5400.0
    length_in("an hour and a half")             # 5400.0
    length_in("happy hour at 120 bpm")          # None

A number with its unit ("90 min", "2 hours", "1h 30m") is read by
``engine.duration.parse_duration``; spelt-out numbers ("an hour", "half an hour", "two hours",
"forty-five minutes") by ``_NUMBERS``. The first length in the text counts, and only one from
``MIN_S`` to ``MAX_S``. A few patterns, written here: no library reads lengths in prose.
"""

from __future__ import annotations

import re
from typing import Final

from moodmix.engine.duration import parse_duration

MIN_S: Final = 60.0
MAX_S: Final = 12 * 3600.0

_NUMBERS: Final = {
    "a": 1.0, "an": 1.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0,
    "six": 6.0, "ten": 10.0, "fifteen": 15.0, "twenty": 20.0, "thirty": 30.0, "forty": 40.0,
    "forty five": 45.0, "fifty": 50.0, "sixty": 60.0, "ninety": 90.0, "half an": 0.5,
    "a half": 0.5, "a couple of": 2.0, "couple of": 2.0, "a quarter of an": 0.25,
}  # fmt: skip
_SPELT = "|".join(sorted((re.escape(word) for word in _NUMBERS), key=len, reverse=True))
_UNIT = r"(?:hours?|hrs?|h|minutes?|mins?|m)(?![a-z])"
_DIGITS = re.compile(
    rf"(?<![\w.:])(\d+(?:\.\d+)?)\s*({_UNIT})(?:\s*(?:and\s+)?(\d{{1,2}})\s*(?:{_UNIT})?)?"
)
_WORDS = re.compile(
    rf"\b({_SPELT})\s+(hours?|minutes?)\b(\s+and\s+a\s+half)?|\b(half\s+(?:an\s+)?hour)\b"
)


def length_in(text: str) -> float | None:
    """Seconds of the first playlist length ``text`` asks for, or ``None``."""
    folded = re.sub(r"[-‐–]", " ", text.casefold())
    found = [(m.start(), _digits(m)) for m in _DIGITS.finditer(folded)]
    found += [(m.start(), _spelt(m)) for m in _WORDS.finditer(folded)]
    for _, seconds in sorted(found):
        if seconds is not None and MIN_S <= seconds <= MAX_S:
            return seconds
    return None


def _digits(match: re.Match[str]) -> float | None:
    number, unit, minutes = match.group(1), match.group(2)[0], match.group(3)
    written = f"{number}{unit}" + (f"{minutes}m" if minutes and unit == "h" else "")
    try:
        return parse_duration(written)
    except ValueError:
        return None


def _spelt(match: re.Match[str]) -> float:
    if match.group(4):
        return 1800.0
    amount = _NUMBERS[re.sub(r"\s+", " ", match.group(1))]
    unit = 3600.0 if match.group(2).startswith("hour") else 60.0
    return (amount + (0.5 if match.group(3) else 0.0)) * unit
