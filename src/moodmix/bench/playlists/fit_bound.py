"""The best fit a catalog allows: how close to a mood any playlist of its tracks could come.

Only the simulator's catalog is known track by track, so only against it can the playlists
benchmark say how much of the possible improvement the engine takes::

    bound = FitBound.of(catalog)                      # every track's features and artists
    best = bound.best_distance(profile, size=30, artist_cap=2)
    ceiling = 1 - best / report.raw_distance          # the most any playlist could improve

``best_distance`` is the mean distance to the profile's target (``engine.scoring``, as the
fit report measures it) of the ``size`` nearest tracks of the whole catalog, at most
``artist_cap`` per credited artist, like the playlist. Duplicates and unwanted versions are not
removed, so it is a floor: no playlist of the same size can be closer.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

from moodmix.engine import MoodProfile
from moodmix.engine.scoring import Scorer, feature_values
from moodmix.reccobeats.models import AudioFeatures
from moodmix.simulator.catalog import Catalog


@dataclass
class FitBound:
    """Every catalog track's feature values and artists, to find the nearest ones to a mood."""

    values: list[dict[str, float]]
    artists: list[tuple[str, ...]]
    _memo: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog) -> FitBound:
        """Read every track of ``catalog`` (a fraction of a second for 20,000 tracks)."""
        ids = list(catalog.track_ids())
        features = catalog.audio_features_many(ids)
        tracks = catalog.tracks(ids)
        return cls(
            values=[feature_values(AudioFeatures.model_validate(f)) for f in features],
            artists=[tuple(str(a["id"]) for a in t["artists"]) for t in tracks],
        )

    def best_distance(self, profile: MoodProfile, *, size: int, artist_cap: int) -> float:
        """Mean distance to ``profile`` of its ``size`` nearest tracks, ``artist_cap`` each."""
        key = json.dumps([profile.to_json(), size, artist_cap], sort_keys=True)
        if key not in self._memo:
            self._memo[key] = self._best(profile, size, artist_cap)
        return self._memo[key]

    def _best(self, profile: MoodProfile, size: int, artist_cap: int) -> float:
        scorer = Scorer(profile)
        distances = [scorer.distance(values) for values in self.values]
        per_artist: Counter[str] = Counter()
        taken: list[float] = []
        for index in sorted(range(len(distances)), key=distances.__getitem__):
            artists = self.artists[index]
            if any(per_artist[a] >= artist_cap for a in artists):
                continue
            per_artist.update(artists)
            taken.append(distances[index])
            if len(taken) == size:
                break
        return sum(taken) / len(taken) if taken else 0.0
