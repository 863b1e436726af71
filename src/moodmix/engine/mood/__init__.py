"""Mood analysis: free text -> a ``MoodProfile``, embedded, offline and deterministic.

::

    profile = analyse("rainy Sunday, mellow acoustic, nothing sad")
    profile.targets["acousticness"]   # 0.711: asked for
    profile.ranges["valence"]         # (0.329, 0.832): "nothing sad" raised the floor
    profile.recognised.settings       # ('rain', 'sunday')
    profile.explanation  # 'Mellow and acoustic for a rainy Sunday, steering clear of sad: ...'
    read("not too sad").hits[0]   # Hit(term=Term(label='sad', ...), negated=True, soft=True, ...)
    refine_profile(profile, "more upbeat, less vocals").moved   # ('energy up', ...)

How it reads, one module each: the text is cut into words (``vocabulary.tokenise``); ``reading``
finds the words and phrases the vocabulary knows, the artists and an explicit tempo
(``tempo``), and the scope of negations and modifiers around each (``hits``: intensifiers,
hedges, "but"); ``combine`` turns the hits into a target, a range and a weight per feature;
``recognised`` lists what was understood and the versions ruled out; ``explain`` says it all
in one sentence. Intensity and comparison are graded while reading, the same for a prompt and
a refinement: "a bit blue" is milder than "heartbroken", "a touch quicker" a smaller step than
"much faster", "busier than a café" a floor at the café's energy (``hits``, ``combine``).

``refine`` reads a change to a playlist ("more upbeat", "slower", "no Adele", "like track 3",
"make it an hour") relative to its current profile: each feature the text reaches moves from
where it is, the rest stays (``length`` and ``positions`` read lengths and track positions).

Nothing here is a model or a download: reading is linear in the text, which is cut at
``MAX_CHARS`` characters and ``vocabulary.tokens.MAX_TOKENS`` words.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from moodmix.engine.mood.combine import BASE_WEIGHT, combine, from_unit, rounded, to_unit
from moodmix.engine.mood.explain import explain
from moodmix.engine.mood.hits import Hit, Reading
from moodmix.engine.mood.reading import read
from moodmix.engine.mood.recognised import recognise, unwanted_versions
from moodmix.engine.mood.refine import Refinement, refine_profile
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.engine.vocabulary import NEUTRAL, lexicon

__all__ = [
    "BASE_WEIGHT",
    "MAX_CHARS",
    "Hit",
    "Reading",
    "Refinement",
    "analyse",
    "neutral",
    "read",
    "refine_profile",
]

MAX_CHARS: Final = 10_000
"""Characters of a text read at most."""

TEMPO_WEIGHT: Final = 0.95
"""The weight of tempo when the text gives it in BPM."""


def analyse(text: str) -> MoodProfile:
    """The ``MoodProfile`` of ``text``; a neutral one that says so when nothing is understood."""
    text = text[:MAX_CHARS]
    reading = read(text)
    if not reading.understood:
        return neutral(text)
    return _profile(text, reading)


def neutral(text: str = "") -> MoodProfile:
    """Typical targets, full ranges, low weights, ``understood=False``."""
    return MoodProfile(
        text=text,
        targets={name: rounded(name, NEUTRAL[name]) for name in FEATURES},
        ranges={name: SCALES[name] for name in FEATURES},
        weights=dict.fromkeys(FEATURES, BASE_WEIGHT),
        understood=False,
        explanation=(
            "No mood, activity, setting, genre, tempo or artist was recognised in the text, "
            "so this is a neutral profile: typical targets, wide ranges and low weights."
        ),
    )


def _profile(text: str, reading: Reading) -> MoodProfile:
    lex = lexicon()
    settled = combine(reading, lex)
    targets: dict[str, float] = {}
    ranges: dict[str, tuple[float, float]] = {}
    weights: dict[str, float] = {}
    for name in FEATURES:
        target, low, high, weight = settled[name]
        if name == "tempo" and reading.tempo is not None:
            target, low, high = (to_unit(name, bpm) for bpm in reading.tempo)
            weight = TEMPO_WEIGHT
        targets[name] = from_unit(name, target)
        ranges[name] = (from_unit(name, low), from_unit(name, high))
        weights[name] = round(weight, 3)
    recognised = recognise(reading, lex)
    profile = MoodProfile(
        text=text,
        targets=targets,
        ranges=ranges,
        weights=weights,
        recognised=recognised,
        unwanted_versions=unwanted_versions(reading, recognised.live),
    )
    return replace(profile, explanation=explain(profile, reading))
