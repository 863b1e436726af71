"""How well a track fits a mood: weighted distance to the targets and to the acceptable ranges.

Every feature is first scaled to 0..1 by ``SCALES``, so a tempo step and an energy step are
comparable; then the profile's weights say how much each one counts::

    values = feature_values(features)             # {"energy": 0.21, "tempo": 84.0, ...}
    fit = score(values, profile)
    fit.distance   # weighted RMS distance to the targets, 0 (on target) .. 1
    fit.excess     # weighted RMS distance outside the acceptable ranges, 0 when inside all
    fit.score      # 1 - distance - excess, floored at 0: higher is better

``distance`` alone is the figure quality and the fit benchmark report ("mean distance to
target"); ``score`` is what the playlist is chosen by.

``mode`` is binary (a track is minor or major), so a target in between reads as a lean: a
track's gap is how much further it lies than the nearer mode could (0.5 is indifferent, 0.8
prefers major: minor is 0.6 off, major 0), and a range admits the modes it reaches half-way to.
Without that, a target of 0.5 would charge every track 0.5 and hide real differences.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.reccobeats.models import AudioFeatures

Values = Mapping[str, float]
"""Feature name -> raw value (tempo in BPM, loudness in dB), as ``feature_values`` gives."""


@dataclass(frozen=True, slots=True)
class Fit:
    """A track's fit to a profile; see the module docstring."""

    distance: float
    excess: float

    @property
    def score(self) -> float:
        return max(0.0, 1.0 - self.distance - self.excess)


def feature_values(features: AudioFeatures) -> dict[str, float]:
    """The profile's features of ``features`` (``mode`` left out when the upstream omits it)."""
    values = {name: float(getattr(features, name)) for name in FEATURES if name != "mode"}
    if features.mode is not None:
        values["mode"] = float(features.mode)
    return values


def scaled(name: str, value: float) -> float:
    """``value`` of feature ``name`` on 0..1 (clamped)."""
    low, high = SCALES[name]
    return min(1.0, max(0.0, (value - low) / (high - low)))


BINARY: Final = frozenset({"mode"})
"""Features a track has as 0 or 1, with targets and ranges read as leanings."""


def binary_gap(point: float, target: float) -> float:
    """How much further ``point`` (0 or 1) is from ``target`` than the nearer of 0 and 1."""
    return max(0.0, abs(point - target) - min(target, 1.0 - target))


def binary_excess(point: float, low: float, high: float) -> float:
    """0 if the range reaches half-way to ``point`` (0 or 1), else how far it stops short."""
    if point >= 0.5:
        return 0.0 if high >= 0.5 else point - high
    return 0.0 if low <= 0.5 else low - point


class Scorer:
    """``score`` for one profile, prepared once, for scoring many tracks::

    scorer = Scorer(profile)
    fits = [scorer(values) for values in tracks]
    """

    def __init__(self, profile: MoodProfile) -> None:
        self.profile = profile
        self._terms: list[tuple[str, float, float | None, float, float]] = []
        for name, weight in profile.weights.items():
            if weight <= 0 or name not in SCALES:
                continue
            target = profile.targets.get(name)
            bounds = profile.ranges.get(name, SCALES[name])
            self._terms.append(
                (
                    name,
                    weight,
                    None if target is None else scaled(name, target),
                    scaled(name, bounds[0]),
                    scaled(name, bounds[1]),
                )
            )

    def __call__(self, values: Values) -> Fit:
        gaps = outside = weights = 0.0
        for name, weight, target, low, high in self._terms:
            if name not in values:
                continue
            point = scaled(name, values[name])
            if name in BINARY:
                gap = 0.0 if target is None else binary_gap(point, target)
                beyond = binary_excess(point, low, high)
            else:
                gap = 0.0 if target is None else point - target
                beyond = max(0.0, low - point, point - high)
            gaps += weight * gap * gap
            outside += weight * beyond * beyond
            weights += weight
        if weights <= 0:
            return Fit(0.0, 0.0)
        return Fit(math.sqrt(gaps / weights), math.sqrt(outside / weights))

    def distance(self, values: Values) -> float:
        """``target_distance`` of ``values``."""
        return self(values).distance


def target_distance(values: Values, profile: MoodProfile) -> float:
    """Weighted RMS distance of ``values`` to the profile's targets, 0..1."""
    return Scorer(profile).distance(values)


def range_excess(values: Values, profile: MoodProfile) -> float:
    """Weighted RMS of how far ``values`` lie outside the profile's ranges (0 inside all)."""
    return Scorer(profile)(values).excess


def score(values: Values, profile: MoodProfile) -> Fit:
    """Distance to the targets and to the ranges, together."""
    return Scorer(profile)(values)


def mean_distance(tracks: Iterable[Values], profile: MoodProfile) -> float:
    """Mean ``target_distance`` over ``tracks`` (0 for none)."""
    scorer = Scorer(profile)
    distances = [scorer.distance(values) for values in tracks]
    return sum(distances) / len(distances) if distances else 0.0
