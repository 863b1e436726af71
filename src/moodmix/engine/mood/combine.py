"""Combining: the hits of a ``Reading`` -> per feature a target, an acceptable range, a weight.

Each hit nudges a few features toward a target with a strength (``vocabulary.Nudge``), scaled
by the hit's weight and stretched from neutral by its stretch. Per feature, the target is the
strength-weighted mean of its nudges; the weight grows with their combined strength (two
nudges of 0.5 give 0.75, never 1); the range narrows as the weight grows and widens when the
nudges disagree::

    settle("energy", pulls)         # (target, low, high, weight), all on 0..1
    combine(reading, lexicon())     # {"energy": (0.31, 0.18, 0.43, 0.94), ...}

A negated mood or sound word sets a floor or a ceiling (at 45% of the way from neutral to the
word's target; 75% when soft, "not too") with a gentle pull away, so "nothing sad" raises the
valence floor rather than asking for happy. Either-or words flip instead ("no vocals" asks for
instrumentals; a negated sound word asks for its opposite gently). The genres of artists the
text names pull at half strength.

A comparison with a point of reference ("busier than a café", ``comparisons``) sets a floor at
the reference's value (a ceiling for "calmer than a club") and pulls a ``STEP`` past it, graded
by the hit's step ("a bit busier": half of one), so "busier than a café, calmer than a club"
lands between the two. A relative hit without a reference ("more upbeat", "less vocals") is
read in a first prompt as its term, strengthened or softened; a refinement takes its
``steps`` instead: a signed step per feature, away from where the playlist is now.

Features no nudge reaches keep the whole scale as range and ``BASE_WEIGHT``, and take as target
the typical value of the genres the text names, its artists' included (``TYPICAL_SOUND``, mean
of them), or the neutral one without any: "ambient, instrumental" says nothing of valence, and
typical ambient music is not charged for its low valence. At that weight they hardly steer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final

from moodmix.engine.mood.hits import Hit, Reading
from moodmix.engine.profile import FEATURES, SCALES
from moodmix.engine.vocabulary import NEUTRAL, TYPICAL_SOUND, Lexicon, Nudge, Term, genre_family

BASE_WEIGHT: Final = 0.05
"""The weight of a feature the text says nothing about."""

GENTLE_FLIP: Final = 0.75
"""How much of its opposite a negated sound word asks for ("not loud": quiet, gently)."""
ARTIST_GENRE_PULL: Final = 0.5
"""How strongly a named artist's genre pulls, against a genre the text names."""
_MAX_STRENGTH: Final = 0.95
STEP: Final = 0.12
"""One step on the 0..1 scale of a feature: "slower" once, "busier than" past its reference."""
MIN_SHARE: Final = 0.3
"""A term's nudges weaker than this share of its strongest take no step."""
_DIRECTED: Final = 0.02
"""How far from neutral a nudge's target must lie to give a direction."""

PIVOT: Final = {
    name: (NEUTRAL[name] - SCALES[name][0]) / (SCALES[name][1] - SCALES[name][0])
    for name in FEATURES
}
"""Each feature's neutral value on 0..1: what intensifiers stretch away from."""

Settled = tuple[float, float, float, float]
"""(target, low, high, weight), on 0..1."""


@dataclass(frozen=True, slots=True)
class Comparison:
    """A feature compared with a reference, on 0..1: above ``bound`` (``direction`` 1) or
    below it (-1), aiming at ``goal``, a step past it, with ``strength``."""

    feature: str
    direction: int
    bound: float
    goal: float
    strength: float


@dataclass(slots=True)
class Pulls:
    """The nudges on one feature (unit scale), and the floor and ceiling negations set."""

    pulls: list[tuple[float, float]] = field(default_factory=list)
    floor: float = 0.0
    ceiling: float = 1.0

    def pull(self, nudge: Nudge, stretch: float, weight: float) -> None:
        """Toward ``nudge``'s target, stretched from neutral, at its strength times ``weight``."""
        pivot = PIVOT[nudge.feature]
        target = clamp(pivot + (nudge.target - pivot) * stretch)
        self.pulls.append((target, min(_MAX_STRENGTH, nudge.strength * weight)))

    def avoid(self, nudge: Nudge, weight: float, soft: bool) -> None:
        """A floor or ceiling short of ``nudge``'s target, and a gentle pull away from it."""
        pivot = PIVOT[nudge.feature]
        if abs(nudge.target - pivot) < 0.05:
            return
        bound = pivot + (nudge.target - pivot) * (0.75 if soft else 0.45)
        if nudge.target < pivot:
            self.floor = max(self.floor, bound)
        else:
            self.ceiling = min(self.ceiling, bound)
        away = clamp(pivot + (pivot - nudge.target) * (0.2 if soft else 0.4))
        strength = nudge.strength * weight * (0.4 if soft else 0.6)
        self.pulls.append((away, min(_MAX_STRENGTH, strength)))

    def compare(self, comparison: Comparison) -> None:
        """Beyond the reference: a floor or ceiling at it, and a pull a step past it."""
        if comparison.direction > 0:
            self.floor = max(self.floor, comparison.bound)
        else:
            self.ceiling = min(self.ceiling, comparison.bound)
        self.pulls.append((comparison.goal, min(_MAX_STRENGTH, comparison.strength)))


def combine(reading: Reading, lex: Lexicon) -> dict[str, Settled]:
    """Per feature, (target, low, high, weight) on 0..1 from the hits and named artists."""
    features = pulls_of(reading, lex)
    typical = typical_of(reading)
    return {name: settle(name, pulls, typical.get(name)) for name, pulls in features.items()}


def pulls_of(reading: Reading, lex: Lexicon) -> dict[str, Pulls]:
    """Per feature, the pulls, floor and ceiling of every hit and named artist."""
    features = {name: Pulls() for name in FEATURES}
    for hit in reading.hits:
        pull_hit(features, hit, lex)
    for genre in reading.artist_genres:
        like = lex.term("genre", genre)
        for nudge in like.nudges if like else ():
            features[nudge.feature].pull(nudge, 1.0, ARTIST_GENRE_PULL)
    return features


def pull_hit(features: dict[str, Pulls], hit: Hit, lex: Lexicon) -> None:
    """Add what ``hit`` asks of each feature to ``features``."""
    term, flipped = hit.term, flipped_term(hit, lex)
    if hit.reference is not None:
        for comparison in comparisons(hit):
            features[comparison.feature].compare(comparison)
    elif flipped is not None:
        gentle = GENTLE_FLIP if term.kind == "sound" else 1.0
        for nudge in flipped.nudges:
            features[nudge.feature].pull(nudge, gentle, hit.weight * gentle)
    elif hit.negated and term.kind in ("mood", "sound"):
        main = max(nudge.strength for nudge in term.nudges)
        for nudge in term.nudges:
            if nudge.strength >= main:
                features[nudge.feature].avoid(nudge, hit.weight, hit.soft)
    elif not hit.negated:
        for nudge in term.nudges:
            features[nudge.feature].pull(nudge, hit.stretch, hit.weight)


def comparisons(hit: Hit) -> list[Comparison]:
    """What a hit compared with a reference asks of each feature the two share: "busier than
    a café" is energy above the café's, a step past it."""
    if hit.reference is None:
        return []
    reference = {nudge.feature: nudge.target for nudge in hit.reference.nudges}
    out = []
    for nudge, direction in _directions(hit.term, hit.relative):
        bound = reference.get(nudge.feature)
        if bound is None:
            continue
        goal = clamp(bound + direction * STEP * hit.step)
        out.append(Comparison(nudge.feature, direction, bound, goal, nudge.strength * hit.weight))
    return out


def steps(hit: Hit, lex: Lexicon) -> dict[str, float]:
    """The signed step on 0..1 a relative hit asks of each feature, from where it is now:
    "more upbeat" raises energy and valence, "less vocals" is a step toward instrumental."""
    term, relative = hit.term, hit.relative
    flipped = lex.flip(term) if term.kind in ("vocals", "live") else None
    if relative < 0 and flipped is not None:
        term, relative = flipped, 1
    if not relative or not term.nudges:
        return {}
    main = max(nudge.strength for nudge in term.nudges)
    return {
        nudge.feature: direction * STEP * hit.step * nudge.strength / main
        for nudge, direction in _directions(term, relative)
    }


def _directions(term: Term, relative: int) -> list[tuple[Nudge, int]]:
    """The nudges of ``term`` that lead somewhere, each with the way a step goes."""
    if not relative or not term.nudges:
        return []
    main = max(nudge.strength for nudge in term.nudges)
    out = []
    for nudge in term.nudges:
        away = nudge.target - PIVOT[nudge.feature]
        if nudge.strength >= MIN_SHARE * main and abs(away) >= _DIRECTED:
            out.append((nudge, relative if away > 0 else -relative))
    return out


def typical_of(reading: Reading) -> dict[str, float]:
    """Per feature on 0..1, the mean typical value of the genres the text and its artists name."""
    named = [
        hit.term.label if hit.term.kind == "genre" else hit.term.genre
        for hit in reading.hits
        if not hit.negated and (hit.term.kind == "genre" or hit.term.genre)
    ]
    families = dict.fromkeys(genre_family(g) for g in [*named, *reading.artist_genres] if g)
    sounds = [TYPICAL_SOUND[f] for f in families if f in TYPICAL_SOUND]
    if not sounds:
        return {}
    return {
        name: sum(to_unit(name, sound[name]) for sound in sounds) / len(sounds)
        for name in sounds[0]
    }


def flipped_term(hit: Hit, lex: Lexicon) -> Term | None:
    """The opposite a negated hit asks for ("no vocals" -> instrumental), if it has one."""
    if not hit.negated or (hit.soft and hit.term.kind == "sound"):
        return None
    return lex.flip(hit.term)


def settle(name: str, pulls: Pulls, typical: float | None = None) -> Settled:
    """(target, low, high, weight) of feature ``name`` on the unit scale; ``typical`` is the
    target when no nudge reaches it (neutral when ``None``)."""
    total = sum(strength for _, strength in pulls.pulls)
    if total <= 0:
        target, spread, weight = PIVOT[name] if typical is None else typical, 0.5, BASE_WEIGHT
    else:
        target = sum(t * s for t, s in pulls.pulls) / total
        spread = math.sqrt(sum(s * (t - target) ** 2 for t, s in pulls.pulls) / total)
        missing = math.prod(1.0 - s for _, s in pulls.pulls)
        weight = BASE_WEIGHT + (1.0 - BASE_WEIGHT) * (1.0 - missing)
    half = 1.0 if total <= 0 else half_range(weight, spread)
    low, high = max(0.0, target - half), min(1.0, target + half)
    low = max(low, pulls.floor)
    high = min(max(high, low), pulls.ceiling)
    low = min(low, high)
    return clamp(target, low, high), low, high, weight


def half_range(weight: float, spread: float = 0.0) -> float:
    """Half the width of a range on 0..1: narrower as the weight grows, wider with ``spread``,
    the disagreement of the nudges."""
    return min(0.45, max(0.08, 0.3 - 0.2 * weight + spread))


def clamp(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def to_unit(name: str, value: float) -> float:
    """``value`` of feature ``name`` on 0..1 (clamped)."""
    low, high = SCALES[name]
    return clamp((value - low) / (high - low))


def from_unit(name: str, unit: float) -> float:
    """``unit`` (0..1) back on feature ``name``'s own scale, rounded."""
    low, high = SCALES[name]
    return rounded(name, low + unit * (high - low))


def rounded(name: str, value: float) -> float:
    """Tempo and loudness to 0.1, the rest to 0.001."""
    return round(value, 1 if name in ("tempo", "loudness") else 3)
