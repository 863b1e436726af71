"""A short reason for each track, in words that always agree with its numbers.

Each feature has bands (``BANDS``); a track is described by the band its value falls in, for
the two features that matter most to the mood and that it matches best, followed by how close
it is to the mood's target overall::

    reason(values, profile, fit)
    # 'calm (energy 0.21) and acoustic (acousticness 0.83), close to the rainy Sunday target'
    describe("tempo", 84.0)        # 'slow (tempo 84 BPM)'
    word_for("valence", 0.8)       # 'bright'

Because the word comes from the value itself, a reason cannot call a loud track quiet.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from moodmix.engine.profile import FEATURES, MoodProfile
from moodmix.engine.scoring import Fit, Values, scaled

Band = tuple[float, str]
"""(upper bound, word): the word applies to values below the bound."""

BANDS: Final[Mapping[str, tuple[Band, ...]]] = {
    "energy": ((0.35, "calm"), (0.65, "steady"), (float("inf"), "energetic")),
    "valence": ((0.35, "sombre"), (0.65, "bittersweet"), (float("inf"), "bright")),
    "danceability": ((0.4, "free-flowing"), (0.65, "swaying"), (float("inf"), "danceable")),
    "acousticness": ((0.35, "electric"), (0.65, "part-acoustic"), (float("inf"), "acoustic")),
    "instrumentalness": ((0.3, "vocal"), (0.6, "sparsely sung"), (float("inf"), "instrumental")),
    "speechiness": ((0.33, "low-speech"), (0.66, "rap-like"), (float("inf"), "spoken")),
    "liveness": ((0.35, "studio-made"), (0.7, "roomy"), (float("inf"), "live")),
    "tempo": ((90.0, "slow"), (125.0, "mid-tempo"), (float("inf"), "fast")),
    "loudness": ((-14.0, "quiet"), (-7.0, "moderately loud"), (float("inf"), "loud")),
    "mode": ((0.5, "in a minor key"), (float("inf"), "in a major key")),
}
"""Per feature, ascending bands of raw values and the word for each."""

CLOSE: Final = 0.12
NEAR: Final = 0.22
"""Distances below which a track is "close to" / "near" the target; beyond, "further from"."""

_DIGITS: Final[Mapping[str, int]] = {"tempo": 0, "loudness": 1, "mode": 0}
_MENTIONED: Final = 2
_LABEL_CHARS: Final = 32
_FILLER_WORDS: Final = (
    "a an some something like likes similar sounds sound vibe vibes style songs song music "
    "tracks track playlist mix for to me play give i want need please"
)
_FILLER: Final = frozenset(_FILLER_WORDS.split())


def word_for(name: str, value: float) -> str:
    """The band word for ``value`` of feature ``name``."""
    for bound, word in BANDS[name]:
        if value < bound:
            return word
    return BANDS[name][-1][1]


def describe(name: str, value: float) -> str:
    """``'calm (energy 0.21)'``: the band word of the number shown, and the number."""
    shown = shown_value(name, value)
    if name == "mode":
        return word_for(name, shown)
    unit = {"tempo": " BPM", "loudness": " dB"}.get(name, "")
    digits = _DIGITS.get(name, 2)
    return f"{word_for(name, shown)} ({name} {shown:.{digits}f}{unit})"


def shown_value(name: str, value: float) -> float:
    """``value`` rounded as a reason shows it (the word is chosen from this number)."""
    return round(value, _DIGITS.get(name, 2)) + 0.0  # + 0.0 turns -0.0 into 0.0


def closeness(distance: float) -> str:
    """``'close to'``, ``'near'`` or ``'further from'``, by the distance to the target."""
    if distance < CLOSE:
        return "close to"
    if distance < NEAR:
        return "near"
    return "further from"


def target_label(profile: MoodProfile) -> str:
    """What the target is called in reasons: the prompt's first phrase about the mood.

    Artist names and filler ("like", "music for", "vibes") are left out, so "like Adele,
    heartbroken" gives "heartbroken"; long phrases are shortened.
    """
    if not profile.understood:
        return "neutral"
    for phrase in re.split(r"[,.;:!?\n()]+", profile.text):
        for artist in profile.recognised.artists:
            phrase = re.sub(re.escape(artist), " ", phrase, flags=re.IGNORECASE)
        words = re.sub(r"[^\w'&-]+", " ", phrase).split()
        while words and words[0].casefold() in _FILLER:
            words.pop(0)
        while words and words[-1].casefold() in _FILLER:
            words.pop()
        label = " ".join(words)
        if label:
            if len(label) > _LABEL_CHARS:
                label = label[:_LABEL_CHARS].rsplit(" ", 1)[0] + "…"
            return label
    found = profile.recognised
    terms = (*found.moods, *found.activities, *found.settings, *found.genres, *found.artists)
    return terms[0] if terms else "mood"


def telling_features(values: Values, profile: MoodProfile) -> list[str]:
    """The features a reason mentions: weighty for the mood and well matched by the track."""

    def merit(name: str) -> float:
        target = profile.targets.get(name)
        match = (
            1.0 if target is None else 1.0 - abs(scaled(name, values[name]) - scaled(name, target))
        )
        return profile.weights.get(name, 0.0) * match

    present = [name for name in FEATURES if name in values and profile.weights.get(name, 0.0) > 0]
    if not present:
        present = [name for name in ("energy", "valence") if name in values]
    ranked = sorted(present, key=lambda name: (-merit(name), FEATURES.index(name)))
    return ranked[:_MENTIONED]


def reason(values: Values, profile: MoodProfile, fit: Fit) -> str:
    """One sentence on why this track is here, consistent with ``values``."""
    parts = [describe(name, values[name]) for name in telling_features(values, profile)]
    said = " and ".join(parts) if parts else "a fit"
    return f"{said}, {closeness(fit.distance)} the {target_label(profile)} target"
