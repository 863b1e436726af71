"""The explanation: one sentence saying what the text asked for and how that reads as sound.

::

    explain(profile, reading)
    # 'Mellow and acoustic for a rainy Sunday, steering clear of sad: high acousticness, ...'

What it asked for (moods and sound, comparisons such as "busier than a coffee shop", the kind
of music and era, versions), in the vein of which
artists, for which activity and setting, what it steers clear of and what "not too"; then the
features that weigh most (at least 0.3, at most four), each as a word ("slow tempo", "quiet").
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Final

from moodmix.engine.mood.hits import Hit, Reading
from moodmix.engine.profile import FEATURES, MoodProfile
from moodmix.engine.vocabulary import lexicon


def explain(profile: MoodProfile, reading: Reading) -> str:
    """One sentence: what the text asked for, for what, avoiding what, and the main features."""
    said: dict[str, list[str]] = {key: [] for key in _SAID}
    for hit in reading.hits:
        said[_said_as(hit)].append(_say(hit))
    said["avoid"].extend(reading.avoided_artists)
    unique = {key: list(dict.fromkeys(words)) for key, words in said.items()}
    head = " ".join(
        part for part in (_described(reading), _kind(unique["era"], unique["noun"])) if part
    )
    if unique["version"]:
        versions = _join(unique["version"][:2])
        head = f"{versions} of {head}" if head else versions
    head = head or "music"
    if reading.artists:
        head += f" in the vein of {_join(reading.artists[:3])}"
    place = _setting_phrase(unique["adj"][:2], unique["at"][:3])
    acts = _join(unique["act"][:2])
    if acts:
        head += f" for {acts}" + (f" on {place}" if place else "")
    elif place:
        head += f" for {place}"
    if unique["avoid"]:
        head += f", steering clear of {_join(unique['avoid'][:4])}"
    if unique["temper"]:
        head += f", not too {_join(unique['temper'][:3], 'or')}"
    return f"{head[:1].upper()}{head[1:]}: {_summary(profile, reading)}."


_SAID: Final = ("describe", "noun", "era", "version", "act", "adj", "at", "avoid", "temper")
_SAID_AS: Final = {
    "mood": "describe",
    "sound": "describe",
    "vocals": "describe",
    "live": "describe",
    "genre": "noun",
    "era": "era",
    "version": "version",
    "activity": "act",
}


def _said_as(hit: Hit) -> str:
    if hit.reference is not None:
        return "describe"
    if hit.negated:
        return "temper" if hit.soft else "avoid"
    if hit.term.kind == "setting":
        return "adj" if hit.term.adjective else "at"
    return _SAID_AS[hit.term.kind]


def _say(hit: Hit) -> str:
    if hit.reference is not None:
        comparative = lexicon().comparative_of(hit.term) if hit.relative > 0 else None
        compared = comparative or f"{'more' if hit.relative > 0 else 'less'} {hit.term.say}"
        return f"{compared} than {hit.reference.say}"
    if hit.negated and hit.term.kind == "sound":
        return hit.term.label
    if hit.negated or hit.term.kind not in ("mood", "sound"):
        return hit.term.say
    if hit.stretch < 1.0:
        return f"slightly {hit.term.say}"
    if hit.stretch > 1.0:
        return f"very {hit.term.say}"
    return hit.term.say


def _kind(eras: list[str], genres: list[str]) -> str:
    """The kind of music: "1980s synth-pop", "jazz and soul", "1970s music", or none."""
    kind = _join(genres[:2]) or ("music" if eras else "")
    return f"{eras[0]} {kind}" if eras else kind


def _described(reading: Reading) -> str:
    """The mood and sound words, at most three, clauses joined by "but": "sad but hopeful"."""
    clauses: dict[int, list[str]] = {}
    seen: set[str] = set()
    for hit in reading.hits:
        if _said_as(hit) == "describe" and len(seen) < 3 and (say := _say(hit)) not in seen:
            seen.add(say)
            clauses.setdefault(hit.clause, []).append(say)
    return " but ".join(_join(words) for words in clauses.values())


def _setting_phrase(adjectives: list[str], nouns: list[str]) -> str:
    if not adjectives and not nouns:
        return ""
    nouns = nouns or ["a day"]
    article, first = _split_article(nouns[0])
    rest = [_split_article(noun)[1] for noun in nouns[1:2] if noun.split()[-1] in _TIMES_OF_DAY]
    words = " ".join([*adjectives, first, *rest])
    if article in ("a", "an") or (not article and adjectives):
        article = "an" if words[:1].lower() in "aeiou" else "a"
    return f"{article} {words}".strip()


_TIMES_OF_DAY: Final = frozenset({"morning", "afternoon", "evening", "night"})


def _split_article(noun: str) -> tuple[str, str]:
    head, _, rest = noun.partition(" ")
    return (head, rest) if head in ("a", "an", "the") and rest else ("", noun)


def _summary(profile: MoodProfile, reading: Reading) -> str:
    def weight(name: str) -> float:
        return profile.weights[name]

    ranked = sorted(FEATURES, key=lambda name: (-weight(name), FEATURES.index(name)))
    shown = [name for name in ranked if weight(name) >= 0.3][:4] or ranked[:2]
    return ", ".join(_describe(name, profile, reading) for name in shown)


def _describe(name: str, profile: MoodProfile, reading: Reading) -> str:
    value = profile.targets[name]
    if name == "tempo":
        if reading.tempo is not None:
            return f"tempo around {value:.0f} BPM"
        return f"{_band(value, _TEMPO_WORDS)} tempo"
    if name == "loudness":
        return _band(value, _LOUDNESS_WORDS)
    if name == "mode":
        return _band(value, _MODE_WORDS)
    if name == "liveness":
        return _band(value, _LIVENESS_WORDS)
    if name == "speechiness":
        return _band(value, _SPEECH_WORDS)
    return f"{_band(value, _LEVELS)} {name}"


_LEVELS: Final = (
    (0.15, "very low"),
    (0.35, "low"),
    (0.45, "low-to-mid"),
    (0.55, "mid"),
    (0.65, "mid-to-high"),
    (0.85, "high"),
    (math.inf, "very high"),
)
_TEMPO_WORDS: Final = (
    (85.0, "slow"),
    (105.0, "relaxed"),
    (125.0, "moderate"),
    (145.0, "brisk"),
    (math.inf, "fast"),
)
_LOUDNESS_WORDS: Final = ((-13.0, "quiet"), (-7.0, "moderate volume"), (math.inf, "loud"))
_MODE_WORDS: Final = ((0.35, "minor key"), (0.65, "either key"), (math.inf, "major key"))
_SPEECH_WORDS: Final = (
    (0.12, "little speech"),
    (0.33, "some rapped or spoken lines"),
    (0.66, "rap-like speech"),
    (math.inf, "mostly spoken"),
)
_LIVENESS_WORDS: Final = ((0.3, "studio sound"), (0.6, "some live feel"), (math.inf, "live feel"))


def _band(value: float, bands: Iterable[tuple[float, str]]) -> str:
    return next(word for bound, word in bands if value < bound)


def _join(words: Sequence[str], last: str = "and") -> str:
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"
