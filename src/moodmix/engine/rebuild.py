"""A changed playlist's reasons and quality, written again for its tracks as they now stand.

::

    tracks = (*playlist.tracks, *new)
    again = rebuilt(playlist, tracks, profile, pool, candidates=len(known))   # after a draw
    again = with_tracks(playlist, tracks)      # after an edit that asked nothing upstream
    again.tracks[0].reason, again.quality.mean_distance

Every reason is written again (places in the order, what sets each track apart, none alike)
and the quality measured again from the stored tracks' features and artists' names. Without
the seeds' values (an edit) a reason names a seed's artist but not its sound, and the seed
coverage stays as it was.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Final

from moodmix.engine.folding import fold
from moodmix.engine.pipeline import Pool
from moodmix.engine.playlist import Playlist, PlaylistTrack, Quality
from moodmix.engine.profile import UNIT_FEATURES, MoodProfile
from moodmix.engine.reasons import reasons
from moodmix.engine.scoring import Values, mean_distance, scaled

_SPACE: Final = (*UNIT_FEATURES, "tempo")


def rebuilt(
    playlist: Playlist,
    tracks: Sequence[PlaylistTrack],
    profile: MoodProfile,
    pool: Pool,
    candidates: int,
) -> Playlist:
    """``playlist`` with ``tracks`` for ``profile``, drawn from ``pool`` (of ``candidates``)."""
    quality = _quality(tracks, profile, pool.seed_values, candidates)
    voiced = _reasoned(tracks, profile, playlist, pool.seed_values)
    return replace(playlist, tracks=voiced, profile=profile, quality=quality)


def with_tracks(playlist: Playlist, tracks: tuple[PlaylistTrack, ...]) -> Playlist:
    """``playlist`` with ``tracks`` after an edit that asked nothing of the upstream."""
    old = playlist.quality
    quality = _quality(tracks, playlist.profile, {}, old.candidates, coverage=old.seed_coverage)
    voiced = _reasoned(tracks, playlist.profile, playlist, {})
    return replace(playlist, tracks=voiced, quality=quality, upstream_requests=0)


def _reasoned(
    tracks: Sequence[PlaylistTrack],
    profile: MoodProfile,
    playlist: Playlist,
    seed_values: Mapping[str, Values],
) -> tuple[PlaylistTrack, ...]:
    """``tracks`` with every reason written again for the playlist as it now stands (their
    places in the order, what sets each apart), none alike. Without ``seed_values`` (a change
    that asked nothing of the gateway) a reason names a seed's artist but not its sound."""
    said = reasons(
        tracks, profile, seeds=playlist.seeds, seed_values=seed_values, order=playlist.order
    )
    return tuple(replace(t, reason=why) for t, why in zip(tracks, said, strict=True))


def _quality(
    tracks: Sequence[PlaylistTrack],
    profile: MoodProfile,
    seed_values: Mapping[str, Values],
    candidates: int,
    *,
    coverage: float | None = None,
) -> Quality:
    """``quality.measure`` over stored tracks (their features and artists' names)."""
    leads = {fold(t.artists[0]) if t.artists else t.id for t in tracks}
    return Quality(
        mean_distance=mean_distance((t.features for t in tracks), profile),
        artist_diversity=len(leads) / len(tracks) if tracks else 0.0,
        seed_coverage=coverage if coverage is not None else _coverage(tracks, seed_values),
        candidates=candidates,
        duration_ms=sum(t.duration_ms or 0 for t in tracks),
    )


def _coverage(tracks: Sequence[PlaylistTrack], seed_values: Mapping[str, Values]) -> float:
    """Share of seeds that are the nearest seed of at least one track."""

    def point(values: Values) -> tuple[float, ...]:
        return tuple(scaled(name, values.get(name, 0.0)) for name in _SPACE)

    seeds = {sid: point(values) for sid, values in seed_values.items()}
    if not seeds or not tracks:
        return 0.0
    hit = {
        min(seeds, key=lambda sid: (math.dist(point(t.features), seeds[sid]), sid)) for t in tracks
    }
    return len(hit) / len(seeds)
