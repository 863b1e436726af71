"""Merging a language model's answer into the built-in reading: the model nudges, the
built-in reader keeps what it is sure of.

::

    merged = merge_answer(analyse(text), answer, confirmed, model="llama3.2")
    merged.profile.targets["valence"]     # moved toward the model's by NUDGE, within range
    merged.from_model                     # ('danceability', 'genres: folk', 'artists: Bon Iver')

Per feature: where the built-in reader is sure (its weight above ``SURE``) its range stays and
its target moves ``NUDGE`` of the way toward the model's, never out of that range; where it
said little, the model's target, range (inside the built-in's, so a negation's floor holds)
and weight (at most ``MODEL_WEIGHT``) are taken. Things to avoid are read by the built-in
reader as negations ("no <thing>") and only narrow ranges and add unwanted versions. Genres
join when the built-in vocabulary knows them; artists only when ReccoBeats confirmed them.
The explanation says what came from where.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Final

from moodmix.engine.anchors import canonical_genre
from moodmix.engine.confirm import Confirmed
from moodmix.engine.mood import BASE_WEIGHT, analyse
from moodmix.engine.mood.combine import rounded
from moodmix.engine.profile import FEATURES, MoodProfile
from moodmix.llm.answer import FeatureAnswer, ModelAnswer

SURE: Final = 0.3
"""A built-in weight above this is a feature the built-in reader is sure of."""
NUDGE: Final = 0.25
"""How far toward the model's target a sure feature moves."""
MODEL_WEIGHT: Final = 0.8
"""The most weight the model alone gives a feature."""


@dataclass(frozen=True)
class Merged:
    profile: MoodProfile
    from_model: tuple[str, ...]


def merge_answer(
    base: MoodProfile, answer: ModelAnswer, confirmed: Confirmed, *, model: str
) -> Merged:
    """``base`` with ``answer`` merged in (see the module docstring)."""
    targets, ranges, weights = dict(base.targets), dict(base.ranges), dict(base.weights)
    moved: list[str] = []
    for name in FEATURES:
        given = answer.features.get(name)
        if given is not None and _merge_feature(name, given, targets, ranges, weights):
            moved.append(name)
    negations, versions = _avoid(answer.avoid, ranges, targets)
    genres = [g for g in answer.genres if canonical_genre(g) is not None]
    recognised = base.recognised
    recognised = replace(
        recognised,
        genres=_joined(recognised.genres, genres),
        artists=_joined(recognised.artists, confirmed.artists),
        negations=_joined(recognised.negations, negations),
    )
    from_model = [
        *moved,
        *([f"genres: {', '.join(genres)}"] if genres else []),
        *([f"artists: {', '.join(confirmed.artists)}"] if confirmed.artists else []),
        *([f"tracks: {', '.join(confirmed.tracks)}"] if confirmed.tracks else []),
        *([f"avoiding: {', '.join(negations + versions)}"] if negations or versions else []),
    ]
    profile = replace(
        base,
        targets=targets,
        ranges=ranges,
        weights=weights,
        recognised=recognised,
        unwanted_versions=tuple(dict.fromkeys([*base.unwanted_versions, *versions])),
        understood=base.understood or bool(moved or genres or confirmed.artists),
        suggested_name=base.suggested_name or answer.playlist_name,
        suggested_description=base.suggested_description or answer.playlist_description,
    )
    explanation = _explain(base, answer, confirmed, from_model, model)
    return Merged(replace(profile, explanation=explanation), tuple(from_model))


def _merge_feature(
    name: str,
    given: FeatureAnswer,
    targets: dict[str, float],
    ranges: dict[str, tuple[float, float]],
    weights: dict[str, float],
) -> bool:
    """Merge one feature in place; whether the model changed it."""
    low, high = ranges[name]
    before = (targets[name], ranges[name], weights[name])
    if weights[name] > SURE:
        target = targets[name] + (given.target - targets[name]) * NUDGE
    else:
        glow = low if given.low is None else given.low
        ghigh = high if given.high is None else given.high
        if max(low, glow) <= min(high, ghigh):
            low, high = max(low, glow), min(high, ghigh)
        target = given.target
        weights[name] = round(max(weights[name], min(MODEL_WEIGHT, given.weight)), 3)
    ranges[name] = (rounded(name, low), rounded(name, high))
    targets[name] = rounded(name, min(high, max(low, target)))
    return (targets[name], ranges[name], weights[name]) != before


def _avoid(
    things: Iterable[str], ranges: dict[str, tuple[float, float]], targets: dict[str, float]
) -> tuple[list[str], list[str]]:
    """Narrow ``ranges`` as the built-in reader reads "no <thing>"; the negations and versions."""
    negations: list[str] = []
    versions: list[str] = []
    for thing in things:
        read = analyse(f"no {thing}")
        if not read.understood:
            continue
        negations += [n for n in read.recognised.negations if n not in negations]
        versions += [v for v in read.unwanted_versions if v != "karaoke" and v not in versions]
        for name in FEATURES:
            if read.weights[name] <= BASE_WEIGHT:
                continue
            (low, high), (nlow, nhigh) = ranges[name], read.ranges[name]
            if max(low, nlow) <= min(high, nhigh):
                ranges[name] = (max(low, nlow), min(high, nhigh))
                targets[name] = min(ranges[name][1], max(ranges[name][0], targets[name]))
    return negations, versions


def _joined(first: tuple[str, ...], more: Iterable[str]) -> tuple[str, ...]:
    seen = {item.casefold() for item in first}
    return (*first, *(item for item in dict.fromkeys(more) if item.casefold() not in seen))


def _explain(
    base: MoodProfile,
    answer: ModelAnswer,
    confirmed: Confirmed,
    from_model: list[str],
    model: str,
) -> str:
    built_in = base.explanation if base.understood else "it recognised no mood words in the text."
    parts = [f"Built-in reader: {built_in}"]
    said = f" read it as: {answer.reading.rstrip('.')}." if answer.reading else " answered."
    parts.append(f"Language model ({model}){said}")
    if from_model:
        parts.append(f"From the model: {'; '.join(from_model)}.")
    else:
        parts.append("The model changed nothing the built-in reader was sure of.")
    if confirmed.unknown:
        parts.append(f"Not found on ReccoBeats, so not used: {', '.join(confirmed.unknown)}.")
    return " ".join(parts)
