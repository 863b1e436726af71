"""Refining: a change to a mood, read relative to the profile a playlist already has.

::

    current = analyse("rainy Sunday, mellow acoustic")
    change = refine_profile(current, "more upbeat, less vocals")
    change.moved    # ('energy up', 'valence up', 'danceability up', 'instrumentalness up', ...)
    refine_profile(current, "no Adele, make it an hour, more like track 3")
    # Refinement(moved=(), duration_s=3600.0, like_tracks=(3,), exclude_artists=('Adele',))

The text speaks of the playlist as it is. It is read (``read``) and graded as a first prompt
is; then each kind of hit moves the current profile its own way:

- a relative hit ("more upbeat", "slower", "less vocals", "not so loud") steps each feature
  its term leads somewhere from the *current* target (``combine.steps``): "a touch quicker"
  half a step, "much faster" 1.6 steps; a step goes at most ``MAX_SHARE`` of the way to the
  end of the scale, so a feature near the end still moves, a little;
- a comparison with a reference ("busier than a café") keeps a target already on the right
  side of the reference and otherwise puts it a step past it; the reference bounds the range;
- a plain word ("melancholic", "for dinner") keeps each feature it reaches that already lies
  in the range the word alone would give, and moves the others ``TOWARD`` of the way to the
  word's own target, a ruled-out either-or ("without vocals") ``TOWARD_RULED_OUT``: so
  "melancholic" lowers the valence of a mellow acoustic playlist and keeps its acousticness;
  the floors and ceilings a negation sets ("nothing sad") bound the range;
- an explicit tempo ("140 bpm") replaces the tempo.

A feature the text moves or names weighs more than before; its range follows its target and
narrows with the new weight as ``combine.settle`` would, never past a bound the text sets, and
always holds the target. What the text does not reach stays as it was; a move smaller than
``MOVED`` is not made. A length ("make it an hour", ``length``), tracks to sound like ("like
track 3", ``positions``) and artists ruled out ("no Adele") ride beside the profile.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Final

from moodmix.engine.mood.combine import (
    STEP,
    Comparison,
    Pulls,
    clamp,
    comparisons,
    flipped_term,
    from_unit,
    half_range,
    pull_hit,
    pulls_of,
    settle,
    steps,
    to_unit,
)
from moodmix.engine.mood.hits import Hit, Reading
from moodmix.engine.mood.length import length_in
from moodmix.engine.mood.positions import positions_in
from moodmix.engine.mood.reading import MAX_LISTED, read
from moodmix.engine.mood.recognised import recognise, unwanted_versions
from moodmix.engine.mood.tempo import Tempo
from moodmix.engine.profile import FEATURES, MoodProfile, Recognised
from moodmix.engine.vocabulary import Lexicon, lexicon

MAX_CHARS: Final = 10_000
"""Characters of a refinement read at most, as of a prompt."""
TOWARD: Final = 0.5
"""How far toward the text's own target a plain word moves a feature."""
TOWARD_RULED_OUT: Final = 0.8
"""How far a ruled-out either-or ("without vocals") moves toward its opposite."""
MAX_SHARE: Final = 0.5
"""The most of the way to the end of its scale one refinement's steps move a feature."""
WEIGHT_GAIN: Final = 0.3
"""The share of the way to 1 that a feature's weight gains when the text names it."""
MOVED: Final = 0.01
"""A move smaller than this (on 0..1) is not made, nor reported."""
TEMPO_WEIGHT: Final = 0.95
"""The weight of tempo when the text gives it in BPM."""


@dataclass(frozen=True)
class Refinement:
    """A refined profile and what the text asked for beside it.

    ``moved`` says which features changed, in words ("energy up"); ``duration_s`` is a length
    the text asks for ("make it an hour"); ``like_tracks`` are 1-based positions the text
    points at ("like track 3"); ``exclude_artists`` are artists it rules out ("no Adele");
    ``understood`` is false when nothing in the text could be read as a change.
    """

    profile: MoodProfile
    moved: tuple[str, ...] = ()
    duration_s: float | None = None
    like_tracks: tuple[int, ...] = ()
    exclude_artists: tuple[str, ...] = ()
    understood: bool = True


def refine_profile(current: MoodProfile, text: str) -> Refinement:
    """``current`` changed as ``text`` asks; unchanged with ``understood=False`` if unread."""
    text = text[:MAX_CHARS]
    reading = read(text)
    length, tracks = length_in(text), positions_in(text)
    if not (reading.understood or length is not None or tracks):
        return Refinement(profile=current, understood=False)
    lex = lexicon()
    plain = Reading(
        hits=[hit for hit in reading.hits if not hit.relative and hit.reference is None],
        artists=reading.artists,
        artist_genres=reading.artist_genres,
        avoided_artists=reading.avoided_artists,
        tempo=reading.tempo,
    )
    moves = _Moves.of(current)
    moves.toward(plain, lex)
    for hit in reading.hits:
        for comparison in comparisons(hit):
            moves.compare(comparison)
    moves.step([hit for hit in reading.hits if hit.reference is None], lex)
    if reading.tempo is not None:
        moves.set_tempo(reading.tempo)
    profile, moved = moves.profile(current)
    asked = recognise(plain, lex)
    recognised = _merged(current.recognised, asked, tempo_moved=moves.moved("tempo"))
    profile = replace(
        profile,
        text=f"{current.text}; {text}",
        recognised=recognised,
        unwanted_versions=_versions(current.unwanted_versions, reading, asked.live),
        understood=current.understood or bool(moves.named),
        explanation=_explained(current.explanation, moved, reading.avoided_artists, tracks),
    )
    return Refinement(
        profile=profile,
        moved=moved,
        duration_s=length,
        like_tracks=tracks,
        exclude_artists=tuple(reading.avoided_artists),
    )


@dataclass
class _Moves:
    """The features of a profile on 0..1 as the refinement moves them."""

    now: dict[str, float]
    ranges: dict[str, tuple[float, float]]
    weights: dict[str, float]
    target: dict[str, float] = field(default_factory=dict)
    named: dict[str, float] = field(default_factory=dict)
    """Feature -> how strongly the text names it (0..1): what its weight gains."""
    floor: dict[str, float] = field(default_factory=dict)
    ceiling: dict[str, float] = field(default_factory=dict)
    asked: dict[str, float] = field(default_factory=dict)
    """Feature -> the weight the plain words alone give it: the least it weighs after."""
    tempo: Tempo | None = None

    @classmethod
    def of(cls, profile: MoodProfile) -> _Moves:
        now = {name: to_unit(name, profile.targets[name]) for name in FEATURES}
        ranges = {
            name: (to_unit(name, profile.ranges[name][0]), to_unit(name, profile.ranges[name][1]))
            for name in FEATURES
        }
        return cls(now, ranges, dict(profile.weights), target=dict(now))

    def toward(self, plain: Reading, lex: Lexicon) -> None:
        """Each feature the plain words reach, part of the way to their own target."""
        pulls = pulls_of(plain, lex)
        share = {name: 0.0 for name in FEATURES}
        for hit in plain.hits:
            for name in _reached(hit, lex):
                ruled_out = flipped_term(hit, lex) is not None
                share[name] = max(share[name], TOWARD_RULED_OUT if ruled_out else TOWARD)
        for name, pulled in pulls.items():
            if not pulled.pulls:
                continue
            goal, low, high, weight = settle(name, pulled)
            if not low <= self.target[name] <= high:
                self.target[name] += (goal - self.target[name]) * (share[name] or TOWARD)
            self._name(name, weight)
            self.asked[name] = weight
            self._bound(name, pulled.floor, pulled.ceiling)

    def compare(self, comparison: Comparison) -> None:
        """Past the reference if not there yet; the reference bounds the range either way."""
        name, bound = comparison.feature, comparison.bound
        if comparison.direction * (self.target[name] - bound) <= 0:
            self.target[name] = comparison.goal
        if comparison.direction > 0:
            self._bound(name, bound, 1.0)
        else:
            self._bound(name, 0.0, bound)
        self._name(name, 1.0)

    def step(self, hits: Iterable[Hit], lex: Lexicon) -> None:
        """The steps of every relative hit, added per feature, from where each feature is."""
        total = {name: 0.0 for name in FEATURES}
        for hit in hits:
            for name, size in steps(hit, lex).items():
                total[name] += size
                self._name(name, min(1.0, abs(size) / STEP))
        for name, size in total.items():
            if size:
                end = 1.0 if size > 0 else 0.0
                most = abs(end - self.target[name]) * MAX_SHARE
                self.target[name] += max(-most, min(most, size))

    def set_tempo(self, tempo: Tempo) -> None:
        self.tempo = tempo
        self.target["tempo"] = to_unit("tempo", tempo[0])
        self._name("tempo", TEMPO_WEIGHT)

    def moved(self, name: str) -> bool:
        return abs(self.target[name] - self.now[name]) >= MOVED

    def profile(self, current: MoodProfile) -> tuple[MoodProfile, tuple[str, ...]]:
        """``current`` with the moved and named features changed, and the moves in words."""
        targets, ranges, weights = (
            dict(current.targets),
            dict(current.ranges),
            dict(current.weights),
        )
        said: list[str] = []
        for name in FEATURES:
            if name not in self.named:
                continue
            target, (low, high), weight = self._settled(name)
            targets[name] = from_unit(name, target)
            ranges[name] = (from_unit(name, low), from_unit(name, high))
            weights[name] = round(weight, 3)
            if targets[name] != current.targets[name] and self.moved(name):
                said.append(f"{name} {'up' if target > self.now[name] else 'down'}")
        return replace(current, targets=targets, ranges=ranges, weights=weights), tuple(said)

    def _settled(self, name: str) -> tuple[float, tuple[float, float], float]:
        """(target, range, weight) of a named feature; a move under ``MOVED`` is undone."""
        if name == "tempo" and self.tempo is not None:  # an explicit tempo wins over the rest
            target, low, high = (to_unit(name, bpm) for bpm in self.tempo)
            self.target[name] = target
            return target, (low, high), max(self.weights[name], TEMPO_WEIGHT)
        floor, ceiling = self.floor.get(name, 0.0), self.ceiling.get(name, 1.0)
        now = self.now[name]
        target = clamp(self.target[name], floor, ceiling)
        if not self.moved(name) and floor <= now <= ceiling:
            target = now
        self.target[name] = target
        weight = self.weights[name]
        gained = weight + (1.0 - weight) * WEIGHT_GAIN * self.named[name]
        weight = min(1.0, max(gained, self.asked.get(name, 0.0)))
        shift, half = target - now, half_range(weight)
        low = max(self.ranges[name][0] + shift, target - half, floor, 0.0)
        high = min(self.ranges[name][1] + shift, target + half, ceiling, 1.0)
        return target, (min(low, target), max(high, target)), weight

    def _name(self, name: str, strength: float) -> None:
        self.named[name] = max(self.named.get(name, 0.0), strength)

    def _bound(self, name: str, floor: float, ceiling: float) -> None:
        self.floor[name] = max(self.floor.get(name, 0.0), floor)
        self.ceiling[name] = min(self.ceiling.get(name, 1.0), ceiling)


def _reached(hit: Hit, lex: Lexicon) -> set[str]:
    features = {name: Pulls() for name in FEATURES}
    pull_hit(features, hit, lex)
    return {name for name, pulls in features.items() if pulls.pulls}


def _merged(old: Recognised, asked: Recognised, tempo_moved: bool) -> Recognised:
    """What was recognised before and what the text asks outright ("melancholic", "no jazz",
    not "more upbeat"): the new wins where they disagree ("sad", then "nothing sad")."""

    def join(before: tuple[str, ...], now: tuple[str, ...], drop: Iterable[str]) -> tuple[str, ...]:
        dropped = set(drop)
        return tuple(w for w in dict.fromkeys((*before, *now)) if w not in dropped)[:MAX_LISTED]

    ruled_out = asked.negations
    wanted = (*asked.moods, *asked.activities, *asked.settings, *asked.genres, *asked.artists)
    if asked.tempo_bpm is not None or not tempo_moved:
        tempo_bpm = asked.tempo_bpm if asked.tempo_bpm is not None else old.tempo_bpm
    else:
        tempo_bpm = None
    return Recognised(
        moods=join(old.moods, asked.moods, ruled_out),
        activities=join(old.activities, asked.activities, ruled_out),
        settings=join(old.settings, asked.settings, ruled_out),
        genres=join(old.genres, asked.genres, ruled_out),
        eras=join(old.eras, asked.eras, ruled_out),
        artists=join(old.artists, asked.artists, ruled_out),
        negations=join(old.negations, ruled_out, wanted),
        vocals=asked.vocals or old.vocals,
        live=old.live if asked.live is None else asked.live,
        tempo_bpm=tempo_bpm,
    )


def _versions(before: tuple[str, ...], reading: Reading, live: bool | None) -> tuple[str, ...]:
    """The versions ruled out before and now, less the ones the text asks for."""
    asked = {
        hit.term.label for hit in reading.hits if hit.term.kind == "version" and not hit.negated
    }
    if live:
        asked.add("live")
    unwanted = dict.fromkeys((*before, *unwanted_versions(reading, live)))
    return tuple(version for version in unwanted if version not in asked)


def _explained(
    before: str, moved: tuple[str, ...], avoided: Iterable[str], tracks: tuple[int, ...]
) -> str:
    said = [*moved, *(f"without {name}" for name in avoided)]
    if tracks:
        said.append("more like track " + ", ".join(str(n) for n in tracks))
    return f"{before} Refined: {', '.join(said) or 'as asked'}."
