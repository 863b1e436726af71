"""Fit: how much closer to the mood the playlist is than the upstream's raw recommendations.

The raw recommendations are what ReccoBeats answers for the playlist's seeds, in its own
order, as many as the playlist holds: what a client showing the upstream's answer would give.
``baseline="plain"`` (the default) asks for the seeds alone, as a client without the engine
would (a few requests, cold); ``"targeted"`` repeats the playlist's own calls, with its targets
and ``featureWeight`` (answered by the cache, so free), and so isolates what scoring and
assembly add. Both sides are measured alike: the playlist's profile and scorer
(``scoring.mean_distance``), as many tracks, features from the same gateway::

    playlist = await make_playlist(gateway, request)
    report = await measure_fit(gateway, request, playlist)
    report.raw_distance, report.playlist_distance, report.improvement   # 0.30, 0.10, 0.67
    report.to_json()

How much lower the playlist can be at all is set by the catalog, not the engine: when the seeds
already lie near the target, so do their raw recommendations, and even the catalog's nearest
tracks are only a little closer (the playlists benchmark reports that ceiling per prompt).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from moodmix.engine.candidates import fetch_features, interleave, recommend
from moodmix.engine.pipeline import plan_for
from moodmix.engine.playlist import Playlist, PlaylistRequest
from moodmix.engine.scoring import feature_values, mean_distance
from moodmix.reccobeats.gateway import ReccoBeats

Baseline = Literal["targeted", "plain"]


@dataclass(frozen=True)
class FitReport:
    """Mean weighted distance to the target of the playlist and of the raw recommendations."""

    prompt: str
    baseline: Baseline
    playlist_distance: float
    raw_distance: float
    tracks: int
    raw_tracks: int

    @property
    def improvement(self) -> float:
        """How much lower the playlist's distance is, as a fraction of the raw one (0.3: 30%)."""
        if self.raw_distance <= 0:
            return 0.0
        return 1.0 - self.playlist_distance / self.raw_distance

    def to_json(self) -> dict[str, Any]:
        return {
            "prompt": self.prompt,
            "baseline": self.baseline,
            "playlist_distance": round(self.playlist_distance, 4),
            "raw_distance": round(self.raw_distance, 4),
            "improvement": round(self.improvement, 4),
            "tracks": self.tracks,
            "raw_tracks": self.raw_tracks,
        }


async def measure_fit(
    gateway: ReccoBeats,
    request: PlaylistRequest,
    playlist: Playlist,
    *,
    baseline: Baseline = "plain",
) -> FitReport:
    """Compare ``playlist`` (made for ``request``) with the raw recommendations for its seeds."""
    profile = playlist.profile
    plan = plan_for(request, profile, [s.id for s in playlist.seeds])
    if baseline == "plain":
        plan = replace(plan, targets={}, feature_weight=None)
    raw = interleave(await recommend(gateway, plan))[: len(playlist.tracks)]
    features = await fetch_features(gateway, [t.id for t in raw])
    raw_values = [feature_values(features[t.id]) for t in raw if t.id in features]
    return FitReport(
        prompt=request.prompt,
        baseline=baseline,
        playlist_distance=playlist.quality.mean_distance,
        raw_distance=mean_distance(raw_values, profile),
        tracks=len(playlist.tracks),
        raw_tracks=len(raw_values),
    )
