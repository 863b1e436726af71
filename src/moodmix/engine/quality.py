"""Quality figures of a finished playlist.

::

    quality = measure(picked, profile, seed_values, candidates=187)
    quality.mean_distance      # mean weighted distance to the mood's target (lower is better)
    quality.artist_diversity   # distinct lead artists per track
    quality.seed_coverage      # share of seeds that are the nearest seed of some track
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from moodmix.engine.playlist import Quality
from moodmix.engine.profile import UNIT_FEATURES, MoodProfile
from moodmix.engine.scored import Scored
from moodmix.engine.scoring import Values, mean_distance, scaled

_SPACE = (*UNIT_FEATURES, "tempo")


def measure(
    picked: Sequence[Scored],
    profile: MoodProfile,
    seed_values: Mapping[str, Values],
    *,
    candidates: int,
) -> Quality:
    """The figures for ``picked``; ``seed_values`` maps seed id -> its feature values."""
    return Quality(
        mean_distance=mean_distance((item.values for item in picked), profile),
        artist_diversity=artist_diversity(picked),
        seed_coverage=seed_coverage(picked, seed_values),
        candidates=candidates,
        duration_ms=sum(item.track.duration_ms or 0 for item in picked),
    )


def artist_diversity(picked: Sequence[Scored]) -> float:
    """Distinct lead artists per track (0 for an empty playlist)."""
    if not picked:
        return 0.0
    leads = {item.artist_keys[0] if item.artist_keys else item.track.id for item in picked}
    return len(leads) / len(picked)


def seed_coverage(picked: Sequence[Scored], seed_values: Mapping[str, Values]) -> float:
    """Share of seeds (with known features) that are the nearest seed of at least one track."""
    seeds = {sid: _point(values) for sid, values in seed_values.items()}
    if not seeds or not picked:
        return 0.0
    hit = {
        min(seeds, key=lambda sid: (math.dist(_point(item.values), seeds[sid]), sid))
        for item in picked
    }
    return len(hit) / len(seeds)


def _point(values: Values) -> tuple[float, ...]:
    return tuple(scaled(name, values[name]) for name in _SPACE)
