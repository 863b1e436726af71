"""Why each track is in the playlist: what sets it apart, in words that agree with its numbers.

Each feature has bands (``BANDS``); a value is described by the band its shown number falls
in (``describe("energy", 0.21)`` -> ``'calm (energy 0.21)'``), so a reason cannot call a loud
track quiet. ``reasons`` writes one sentence per track of a finished playlist, naming what
distinguishes that track from the others: the feature on which it comes closest to the mood
(relative to the rest of the playlist), its relation to a seed (by a seed's artist, the
closest to a seed), and its place in the running order (opens, warms up, builds, the peak,
comes down, winds down, closes). No two tracks of a playlist get the same sentence::

    reasons(arranged, profile, seeds=playlist_seeds, seed_values=values, order="arc")
    # ['Opens the playlist: calm (energy 0.21), the nearest of all to the energy asked for.',
    #  'Warms up: acoustic (acousticness 0.83), among the nearest ...', ...]
    word_for("valence", 0.8)       # 'bright'
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping, Sequence
from typing import Final, Protocol

from moodmix.engine.order import arc_level
from moodmix.engine.playlist import Order, SeedTrack
from moodmix.engine.profile import FEATURES, UNIT_FEATURES, MoodProfile
from moodmix.engine.scored import artist_key
from moodmix.engine.scoring import Values, scaled


class Voiced(Protocol):
    """What a reason is written from: a track's feature values and its artists' names (a
    scored candidate, or a track of a stored playlist)."""

    @property
    def values(self) -> Mapping[str, float]: ...

    @property
    def artist_names(self) -> Sequence[str]: ...


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

ASPECTS: Final[Mapping[str, str]] = {
    "energy": "energy",
    "valence": "brightness",
    "danceability": "groove",
    "acousticness": "acoustic feel",
    "instrumentalness": "vocal balance",
    "speechiness": "amount of speech",
    "liveness": "live feel",
    "tempo": "tempo",
    "loudness": "loudness",
    "mode": "key",
}
"""How a listener would call what each feature measures."""

CLOSE: Final = 0.08
NEAR: Final = 0.2
"""Gaps to the target on one feature (0..1 scale) below which a track is "close to" / "near"
what was asked for; beyond, "further from"."""
WEIGHT_PULL: Final = 0.25
"""How much a feature's weight in the mood counts, beside how the track stands on it."""
SEED_CLOSE: Final = 0.12
"""Root-mean-square gap (0..1 scales) under which a track sounds "close" to a seed."""

_DIGITS: Final[Mapping[str, int]] = {"tempo": 0, "loudness": 1, "mode": 0}
_SPACE: Final = (*UNIT_FEATURES, "tempo")
_TITLE_CHARS: Final = 40


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


def closeness(gap: float) -> str:
    """``'close to'``, ``'near'`` or ``'further from'``, by the gap on one feature (0..1)."""
    if gap < CLOSE:
        return "close to"
    if gap < NEAR:
        return "near"
    return "further from"


def reasons(
    items: Sequence[Voiced],
    profile: MoodProfile,
    *,
    seeds: Sequence[SeedTrack] = (),
    seed_values: Mapping[str, Values] | None = None,
    order: Order = "arc",
) -> list[str]:
    """One sentence per track of ``items`` (in running order), no two alike."""
    seed_values = seed_values or {}
    standings = Standings(items, profile)
    relations = seed_relations(items, seeds, seed_values)
    used: set[str] = set()
    out: list[str] = []
    for index, item in enumerate(items):
        where = place(index, len(items), order)
        text = ""
        for name in standings.choices(index):
            text = _sentence(where, item, name, standings, index, relations[index])
            if text not in used:
                break
        if text in used:  # every feature taken: the position in the list tells it apart
            text = f"{text[:-1]} (track {index + 1})."
        used.add(text)
        out.append(text)
    return out


def place(index: int, count: int, order: Order) -> str | None:
    """Where the track sits in the running order, in words; ``None`` when unremarkable."""
    if count <= 1:
        return None
    last = count - 1
    if order == "score":
        return "The best fit of all" if index == 0 else None
    if index == 0:
        return "Opens the playlist"
    if index == last:
        return "Closes the playlist"
    if order == "smooth":
        return None
    peak = max(range(count), key=lambda p: (arc_level(p, count), -p))
    if index == peak:
        return "The peak"
    if index < peak:
        return "Warms up" if index < peak / 2 else "Builds toward the peak"
    return "Comes down from the peak" if index < (peak + last) / 2 else "Winds down"


class Standings:
    """How each track stands against the others on each feature: how many come closer to
    the target, and how many as close (at the precision a reason shows)."""

    def __init__(self, items: Sequence[Voiced], profile: MoodProfile) -> None:
        self._items = items
        self._profile = profile
        self._gaps = {
            name: [round(_feature_gap(item.values, profile, name), 3) for item in items]
            for name in FEATURES
            if all(name in item.values for item in items)
        }
        self._sorted = {name: sorted(gaps) for name, gaps in self._gaps.items()}

    @property
    def count(self) -> int:
        return len(self._items)

    def gap(self, index: int, name: str) -> float:
        """How far ``items[index]`` is from the target on ``name`` (0..1 scale)."""
        return self._gaps[name][index]

    def rank(self, index: int, name: str) -> tuple[int, int]:
        """(tracks closer than ``items[index]`` on ``name``, other tracks as close)."""
        mine = self._gaps[name][index]
        ordered = self._sorted[name]
        closer = bisect.bisect_left(ordered, mine)
        return closer, bisect.bisect_right(ordered, mine) - closer - 1

    def choices(self, index: int) -> list[str]:
        """The features to name for ``items[index]``, best first: where it comes closest to
        the mood relative to the other tracks, pulled toward the features the mood weighs."""
        weights = self._profile.weights
        known: list[str] = [n for n in FEATURES if n in self._gaps]
        weighed = [n for n in known if weights.get(n, 0.0) > 0]
        names = [n for n in weighed if n != "mode"] or weighed
        names = names or [n for n in ("energy", "valence") if n in self._gaps]
        others = max(1, len(self._items) - 1)

        def standing(name: str) -> float:
            closer, ties = self.rank(index, name)
            return (closer + ties / 2) / others - WEIGHT_PULL * weights.get(name, 0.0)

        return sorted(names, key=lambda n: (standing(n), FEATURES.index(n)))


def seed_relations(
    items: Sequence[Voiced], seeds: Sequence[SeedTrack], seed_values: Mapping[str, Values]
) -> list[str | None]:
    """Per track, how it relates to a seed, or ``None``: by a seed's artist, the closest of
    all to a seed, or close in sound to one."""
    out: list[str | None] = [None] * len(items)
    by_artist = {
        artist_key(None, name): seed
        for seed in seeds
        if seed.source != "explicit"
        for name in seed.artists[:1]
    }
    for i, item in enumerate(items):
        for name in item.artist_names:
            seed = by_artist.get(artist_key(None, name))
            if seed is not None:
                why = (
                    "named in your prompt"
                    if seed.source == "artist"
                    else "one of the artists this mood starts from"
                )
                out[i] = f"by {name}, {why}"
                break
    known = [seed for seed in seeds if seed.id in seed_values]
    if not known or not items:
        return out
    gaps = [[_gap(item.values, seed_values[seed.id]) for seed in known] for item in items]
    for s, seed in enumerate(known):
        closest = min(range(len(items)), key=lambda i: (gaps[i][s], i))
        if out[closest] is None and gaps[closest][s] < SEED_CLOSE:
            out[closest] = f"the closest of all in sound to {_seed_name(seed)}"
    for i in range(len(items)):
        if out[i] is None:
            s = min(range(len(known)), key=lambda k: (gaps[i][k], k))
            if gaps[i][s] < SEED_CLOSE:
                out[i] = f"close in sound to {_seed_name(known[s])}"
    return out


def _sentence(
    where: str | None,
    item: Voiced,
    name: str,
    standings: Standings,
    index: int,
    relation: str | None,
) -> str:
    closer, ties = standings.rank(index, name)
    aspect = ASPECTS[name]
    if standings.count > 1 and closer == 0 and ties == 0:
        standing = f"the nearest of all to the {aspect} asked for"
    elif standings.count > 1 and closer + ties < max(2, standings.count // 4):
        standing = f"among the nearest to the {aspect} asked for"
    else:
        standing = f"{closeness(standings.gap(index, name))} the {aspect} asked for"
    said = f"{describe(name, item.values[name])}, {standing}"
    parts = [part for part in (said, relation) if part]
    text = "; ".join(parts) if where is None else f"{where}: {'; '.join(parts)}"
    return text[:1].upper() + text[1:] + "."


def _feature_gap(values: Values, profile: MoodProfile, name: str) -> float:
    target = profile.targets.get(name)
    if target is None:
        return 0.0
    return abs(scaled(name, values[name]) - scaled(name, target))


def _gap(values: Values, seed: Values) -> float:
    """Root-mean-square difference over the unit features and tempo (0..1 scales)."""
    shared = [n for n in _SPACE if n in values and n in seed]
    if not shared:
        return math.inf
    total = sum((scaled(n, values[n]) - scaled(n, seed[n])) ** 2 for n in shared)
    return math.sqrt(total / len(shared))


def _seed_name(seed: SeedTrack) -> str:
    title = seed.title if len(seed.title) <= _TITLE_CHARS else seed.title[:_TITLE_CHARS] + "…"
    whose = "your seed" if seed.source == "explicit" else "the seed"
    by = f" by {seed.artists[0]}" if seed.artists else ""
    return f"{whose} \u201c{title}\u201d{by}"
