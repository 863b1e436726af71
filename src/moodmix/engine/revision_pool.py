"""The candidates a revision draws on: the first draft's pool, more like it, the best unused.

::

    pool = await revision_pool(gateway, playlist, request, emit)   # cached: no upstream call
    known = dict(pool.candidates)
    await add_more(gateway, plan, known, emit, "more like these")    # new recommendations
    best_unused(request, playlist, playlist.tracks, known, 10)       # up to 10 that fit best

The pool is made by the same upstream calls as ``make_playlist`` made, which the gateway
answers from its cache while they are fresh; the playlist's own tracks are added to it when
they are not among its candidates.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from moodmix.engine.candidates import (
    RecommendationPlan,
    as_candidates,
    fetch_features,
    interleave,
    recommend,
)
from moodmix.engine.exclusions import NothingLeft
from moodmix.engine.filters import base_title, identity
from moodmix.engine.folding import fold
from moodmix.engine.mood import analyse
from moodmix.engine.pipeline import Pool, assemble_candidates, candidate_pool
from moodmix.engine.playlist import MAX_TRACKS, Playlist, PlaylistRequest, PlaylistTrack
from moodmix.engine.progress import Progress, ProgressCallback
from moodmix.engine.scored import Candidate, Scored, artist_key
from moodmix.reccobeats.gateway import ReccoBeats


async def revision_pool(
    gateway: ReccoBeats, playlist: Playlist, request: PlaylistRequest, emit: ProgressCallback
) -> Pool:
    """The candidate pool, with the playlist's own tracks among the candidates."""
    profile = request.profile or analyse(request.prompt)
    emit(Progress("candidates", "gathering the candidates"))
    pool = await candidate_pool(gateway, request, profile, on_progress=emit)
    missing = [t.id for t in playlist.tracks if t.id not in pool.candidates]
    if missing:
        found = await gateway.get_tracks(missing)
        features = await fetch_features(gateway, missing)
        extra = {c.track.id: c for c in as_candidates(found, features)}
        pool = Pool({**pool.candidates, **extra}, pool.seeds, pool.seed_values)
    return pool


async def add_more(
    gateway: ReccoBeats,
    plan: RecommendationPlan,
    known: dict[str, Candidate],
    emit: ProgressCallback,
    what: str,
) -> None:
    """Recommendations for ``plan``, with their features, added to ``known``."""
    emit(Progress("candidates", f"asking for {what} ({len(plan.chunks)} calls)"))
    fresh = interleave(await recommend(gateway, plan), exclude=known)
    features = await fetch_features(gateway, [t.id for t in fresh])
    known.update((c.track.id, c) for c in as_candidates(fresh, features))


def best_unused(
    request: PlaylistRequest,
    playlist: Playlist,
    staying: Sequence[PlaylistTrack],
    candidates: dict[str, Candidate],
    count: int,
    *,
    exclude: Iterable[str] = (),
) -> list[Scored]:
    """Up to ``count`` best fitting candidates not in ``playlist`` and no duplicate of a track
    in ``staying``, within the artist cap counted with ``staying``."""
    in_use = {t.id for t in playlist.tracks} | set(exclude)
    songs = {(base_title(t.title), fold(t.artists[0]) if t.artists else "") for t in staying}
    unused = [c for i, c in candidates.items() if i not in in_use]
    shaped = replace(request, profile=playlist.profile, size=MAX_TRACKS, duration_s=None)
    try:
        ranked = assemble_candidates(shaped, playlist.profile, unused)
    except NothingLeft:
        return []
    per_artist = Counter(key for t in staying for key in _artist_keys(t, candidates.get(t.id)))
    picked: list[Scored] = []
    for item in ranked:
        if len(picked) >= count:
            break
        if identity(item.track) in songs:
            continue
        if any(per_artist[k] >= request.artist_cap for k in item.artist_keys):
            continue
        picked.append(item)
        per_artist.update(item.artist_keys)
    return picked


def _artist_keys(track: PlaylistTrack, candidate: Candidate | None) -> tuple[str, ...]:
    if candidate is not None:
        return tuple(dict.fromkeys(artist_key(a.id, a.name) for a in candidate.track.artists))
    return tuple(artist_key(None, name) for name in track.artists)
