"""The shape of one vocabulary entry, shared by the vocabulary's tables.

An entry names the words that mean it and how it nudges the audio features::

    Spec("calm, calming, peaceful", {"energy": 0.2, "loudness": (-15, 0.5)}, say="calm")

The first word is the entry's label (what ``Recognised`` reports); ``say`` is how the
explanation puts it (the label when empty). Each nudge is a target on the feature's own scale
(BPM for tempo, dB for loudness, 0..1 otherwise), alone (the table's default strength applies)
or with its strength in 0..1.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple, TypeAlias

Level: TypeAlias = float | tuple[float, float]
"""A target, or (target, strength)."""


class Spec(NamedTuple):
    """One vocabulary entry: its words, its nudges, and how the explanation says it."""

    words: str
    nudges: Mapping[str, Level]
    say: str = ""
