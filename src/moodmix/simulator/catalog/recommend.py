"""Recommendations: nearest tracks, in normalised feature space, to a steered query point.

The query starts at the seeds' centroid (each seed weighs the same, an artist or album seed by
its tracks' mean), is pushed away from the negative seeds' centroid, and is pulled toward each
feature target, more strongly and with more weight on that feature the higher the
``feature_weight``. Scores add a slight preference for popular tracks and a penalty near the
negative seeds; no artist fills more than a quarter of the list while others are left::

    space = FeatureSpace(tables.features, tables.key, tables.mode, tables.popularity,
                         tables.track_artist)
    space.recommend([np.array([12])], size=10, targets={"energy": 0.9})  # track indices

No randomness: the same request always gives the same tracks.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Final

import numpy as np
import numpy.typing as npt

from moodmix.reccobeats.models import FEATURE_NAMES

Ints = npt.NDArray[np.int64]
Points = npt.NDArray[np.float32]

TARGET_RANGES: Final[Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        "acousticness": (0.0, 1.0),
        "danceability": (0.0, 1.0),
        "energy": (0.0, 1.0),
        "instrumentalness": (0.0, 1.0),
        "liveness": (0.0, 1.0),
        "speechiness": (0.0, 1.0),
        "valence": (0.0, 1.0),
        "tempo": (0.0, 250.0),
        "loudness": (-60.0, 2.0),
        "key": (-1.0, 11.0),
        "mode": (0.0, 1.0),
        "popularity": (0.0, 100.0),
    }
)
"""Every target ``recommend`` accepts, with its allowed range."""
FEATURE_WEIGHT_RANGE: Final = (1.0, 5.0)
DEFAULT_FEATURE_WEIGHT: Final = 2.5

_BOUNDED: Final = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "liveness",
    "speechiness",
    "valence",
)
DIMENSIONS: Final = (*_BOUNDED, "tempo", "loudness", "mode", "popularity")
_BASE_WEIGHT: Final = (1.0, 1.0, 1.0, 1.0, 0.5, 0.8, 1.0, 0.7, 0.5, 0.15, 0.0)
_POPULARITY_PREFERENCE: Final = 0.03  # score bonus for a track of popularity 100
_NEGATIVE_PUSH: Final = 0.25  # how far the query moves away from the negative centroid
_NEGATIVE_PENALTY: Final = 0.15
_NEGATIVE_RADIUS: Final = 0.05  # squared weighted distance at which the penalty fades
_KEY_PENALTY: Final = 0.02  # per unit of (1 + feature weight), for a track in another key
_POOL: Final = (6, 32)  # candidates considered: size * a + b


def normalise(name: str, value: float) -> float:
    """A feature value on the scale of ``DIMENSIONS`` (about 0-1)."""
    if name == "tempo":
        return (value - 50.0) / 170.0
    if name == "loudness":
        return (value + 30.0) / 30.0
    if name == "popularity":
        return value / 100.0
    return value


def check_targets(targets: Mapping[str, float]) -> None:
    """``ValueError`` naming the first unknown target or value out of range."""
    for name, value in targets.items():
        if name not in TARGET_RANGES:
            allowed = ", ".join(TARGET_RANGES)
            raise ValueError(f"targets: unknown feature {name!r}; allowed: {allowed}")
        low, high = TARGET_RANGES[name]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"targets[{name!r}] must be a number, got {value!r}")
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(f"targets[{name!r}] must be from {low:g} to {high:g}, got {value!r}")


def check_feature_weight(feature_weight: float | None) -> float:
    """The weight to use: ``DEFAULT_FEATURE_WEIGHT`` for ``None``, else 1-5 or ``ValueError``."""
    if feature_weight is None:
        return DEFAULT_FEATURE_WEIGHT
    low, high = FEATURE_WEIGHT_RANGE
    if isinstance(feature_weight, bool) or not isinstance(feature_weight, int | float):
        raise ValueError(f"feature_weight must be a number from 1 to 5, got {feature_weight!r}")
    if not (math.isfinite(feature_weight) and low <= feature_weight <= high):
        raise ValueError(f"feature_weight must be from {low:g} to {high:g}, got {feature_weight!r}")
    return float(feature_weight)


class FeatureSpace:
    """All tracks as points in normalised feature space, ready for nearest-neighbour queries."""

    def __init__(
        self,
        features: npt.NDArray[np.float64],
        key: npt.NDArray[np.int8],
        mode: npt.NDArray[np.int8],
        popularity: Ints,
        track_artist: Ints,
    ) -> None:
        points = np.empty((len(features), len(DIMENSIONS)), dtype=np.float32)
        for d, name in enumerate(DIMENSIONS[:-2]):
            points[:, d] = normalise(name, features[:, FEATURE_NAMES.index(name)])  # type: ignore[arg-type]
        points[:, DIMENSIONS.index("mode")] = mode
        points[:, DIMENSIONS.index("popularity")] = popularity / 100.0
        self._points: Points = points
        self._key = key
        self._artist = track_artist

    def recommend(
        self,
        seeds: Sequence[Ints],
        size: int,
        *,
        targets: Mapping[str, float] | None = None,
        negative: Ints | None = None,
        exclude: Ints | None = None,
        feature_weight: float | None = None,
    ) -> Ints:
        """Up to ``size`` track indices near the seeds (groups of track indices), best first."""
        targets = targets or {}
        check_targets(targets)
        weight_of_targets = check_feature_weight(feature_weight)
        if not seeds or any(len(group) == 0 for group in seeds):
            raise ValueError("seeds must be one or more non-empty groups of track indices")
        query = np.mean([self._points[group].mean(axis=0) for group in seeds], axis=0)
        weights = np.asarray(_BASE_WEIGHT, dtype=np.float32)
        has_negative = negative is not None and len(negative) > 0
        if has_negative:
            away = self._points[negative].mean(axis=0)
            query = query + _NEGATIVE_PUSH * (query - away)
        query, weights = self._steer(query, weights, targets, weight_of_targets)

        score = ((self._points - query) ** 2 @ weights).astype(np.float64)
        if "popularity" not in targets:
            score -= _POPULARITY_PREFERENCE * self._points[:, DIMENSIONS.index("popularity")]
        if "key" in targets:
            score += _KEY_PENALTY * (1 + weight_of_targets) * (self._key != int(targets["key"]))
        if has_negative:
            near = (self._points - away) ** 2 @ weights
            score += _NEGATIVE_PENALTY * np.exp(-near / _NEGATIVE_RADIUS)
        if exclude is not None and len(exclude):
            score[exclude] = np.inf
        return self._best(score, size)

    def _steer(
        self,
        query: Points,
        weights: Points,
        targets: Mapping[str, float],
        feature_weight: float,
    ) -> tuple[Points, Points]:
        pull = 1.0 - 0.6**feature_weight
        query, weights = query.copy(), weights.copy()
        for name, value in targets.items():
            if name == "key":
                continue
            d = DIMENSIONS.index(name)
            query[d] += pull * (normalise(name, value) - query[d])
            weights[d] = max(float(weights[d]), 1.0) * (1.0 + feature_weight)
        return query, weights

    def _best(self, score: npt.NDArray[np.float64], size: int) -> Ints:
        pool = min(len(score), size * _POOL[0] + _POOL[1])
        candidates = np.argpartition(score, pool - 1)[:pool]
        ordered = candidates[np.lexsort((candidates, score[candidates]))]
        ordered = ordered[np.isfinite(score[ordered])]
        cap = max(2, math.ceil(size / 4))
        taken: list[int] = []
        held: list[int] = []
        per_artist: dict[int, int] = {}
        for track in ordered.tolist():
            artist = int(self._artist[track])
            if per_artist.get(artist, 0) < cap:
                per_artist[artist] = per_artist.get(artist, 0) + 1
                taken.append(track)
                if len(taken) == size:
                    break
            else:
                held.append(track)
        taken += held[: size - len(taken)]
        return np.asarray(taken, dtype=np.int64)
