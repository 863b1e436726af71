"""Explicit tempi in a prompt: "170 bpm", "120-130 bpm", "under 100 bpm", "bpm 90".

::

    tempo_at(["running", "at", "170", "bpm"], 2)   # ((170.0, 162.0, 178.0), 2)
    tempo_at(["under", "100", "bpm"], 1)           # ((88.0, 40.0, 100.0), 2)

Each answer is ``(target, low, high)`` in BPM, clamped to the profile's tempo scale, with how
many words it used. A single number gets a band of 8 BPM either side; "under"/"over" (and
"less than"/"more than") leave one end open and aim 12 BPM inside the bound.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from moodmix.engine.profile import SCALES

Tempo = tuple[float, float, float]
"""(target, low, high) in BPM."""

_UPPER_BOUND: Final = frozenset({"under", "below", "max", "maximum", "most", "beneath", "upto"})
_LOWER_BOUND: Final = frozenset({"over", "above", "min", "minimum", "least"})
_NUMBER = re.compile(r"\d{1,3}(?:\.\d+)?")
_BAND: Final = 8.0
"""BPM either side of a single number."""
_INSIDE: Final = 12.0
"""How far inside an open bound ("under 100") the target lies."""


def tempo_at(words: Sequence[str], i: int) -> tuple[Tempo, int] | None:
    """A tempo in BPM starting at ``words[i]``: ((target, low, high), words used)."""
    if words[i] == "bpm" and i + 1 < len(words) and (value := _number(words[i + 1])) is not None:
        return _tempo(value, value, words, i), 2
    first = _number(words[i])
    if first is None:
        return None
    j, second = i + 1, first
    joined = j + 1 < len(words) and words[j] in ("to", "and")
    if joined and (value := _number(words[j + 1])) is not None:
        second, j = value, j + 2
    elif j < len(words) and (value := _number(words[j])) is not None:
        second, j = value, j + 1
    if j < len(words) and words[j] == "bpm":
        return _tempo(first, second, words, i), j + 1 - i
    if tuple(words[j : j + 3]) == ("beats", "per", "minute"):
        return _tempo(first, second, words, i), j + 3 - i
    return None


def _number(word: str) -> float | None:
    return float(word) if _NUMBER.fullmatch(word) else None


def _tempo(first: float, second: float, words: Sequence[str], i: int) -> Tempo:
    low_scale, high_scale = SCALES["tempo"]

    def bpm(value: float) -> float:
        return min(high_scale, max(low_scale, value))

    low, high = sorted((bpm(first), bpm(second)))
    before = words[max(0, i - 2) : i]
    if before and (before[-1] in _UPPER_BOUND or before == ["less", "than"]):
        return bpm(high - _INSIDE), low_scale, high
    if before and (before[-1] in _LOWER_BOUND or before == ["more", "than"]):
        return bpm(low + _INSIDE), low, high_scale
    if low == high:
        return low, bpm(low - _BAND), bpm(low + _BAND)
    return (low + high) / 2, low, high
