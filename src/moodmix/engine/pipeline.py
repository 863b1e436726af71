"""From a prompt to a playlist: mood, seeds, candidates, scoring and assembly, with progress.

::

    async with ReccoBeats.from_settings(settings) as gateway:
        playlist = await make_playlist(
            gateway,
            PlaylistRequest("rainy Sunday, mellow acoustic, nothing sad", size=30),
            on_progress=lambda event: print(event.to_json()),
        )
    playlist.to_json()

Everything upstream goes through the gateway, so a repeat of the same request is served from
its cache and costs no upstream request. Events come in stage order and end with ``done`` (or
``failed``, after which the error is raised).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Final

import structlog

from moodmix.engine.assemble import fill, rank, tolerance_ms
from moodmix.engine.candidates import (
    CHUNK,
    RecommendationPlan,
    as_candidates,
    fetch_features,
    interleave,
    recommend,
)
from moodmix.engine.duration import format_duration
from moodmix.engine.exclusions import Exclusions
from moodmix.engine.filters import dedupe, drop_versions
from moodmix.engine.mood import analyse as analyse_mood
from moodmix.engine.naming import description_for, name_for
from moodmix.engine.order import arrange
from moodmix.engine.playlist import Playlist, PlaylistRequest, PlaylistTrack, SeedTrack
from moodmix.engine.profile import MoodProfile
from moodmix.engine.progress import Progress, ProgressCallback, watch_quota
from moodmix.engine.quality import measure
from moodmix.engine.readers import MoodReader, Reading
from moodmix.engine.reasons import reasons
from moodmix.engine.scored import DEFAULT_DURATION_MS, Candidate, Scored
from moodmix.engine.scoring import Values, feature_values
from moodmix.engine.seeds import choose_seeds
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.reccobeats.models import AudioFeatures

Analyse = Callable[[str], MoodProfile]

log = structlog.get_logger("moodmix.engine")

POOL_FACTOR: Final = 6
"""Candidates asked for per track wanted: room for the filters, the artist cap and choice."""
MIN_POOL: Final = 60
MAX_POOL: Final = 200


async def make_playlist(
    gateway: ReccoBeats,
    request: PlaylistRequest,
    *,
    analyse: Analyse = analyse_mood,
    reader: MoodReader | None = None,
    on_progress: ProgressCallback | None = None,
) -> Playlist:
    """The playlist for ``request``; ``reader`` (else ``analyse``) turns the prompt into a
    profile unless the request carries one."""
    emit: ProgressCallback = on_progress or _ignore
    before = gateway.stats().upstream_requests
    try:
        async with watch_quota(gateway, emit):
            playlist = await _make(gateway, request, analyse, emit, reader)
        cost = gateway.stats().upstream_requests - before
    except Exception as exc:
        emit(Progress("failed", str(exc) or type(exc).__name__))
        raise
    playlist = replace(playlist, upstream_requests=cost)
    log.info(
        "playlist_made",
        tracks=len(playlist.tracks),
        candidates=playlist.quality.candidates,
        upstream_requests=cost,
        mean_distance=round(playlist.quality.mean_distance, 4),
    )
    emit(Progress("done", f"{len(playlist.tracks)} tracks, {cost} upstream requests"))
    return playlist


def tracks_wanted(request: PlaylistRequest) -> int:
    """How many tracks the request will likely hold (by duration: at about 3.5 min each)."""
    if request.duration_s is None:
        return request.size
    return max(1, math.ceil(request.duration_s * 1000 / DEFAULT_DURATION_MS))


def plan_for(
    request: PlaylistRequest, profile: MoodProfile, seed_ids: Sequence[str]
) -> RecommendationPlan:
    """The recommendation calls ``make_playlist`` makes for ``request`` from ``seed_ids``."""
    pool = min(MAX_POOL, max(MIN_POOL, tracks_wanted(request) * POOL_FACTOR))
    negative = Exclusions.of(request).negative_seeds
    return RecommendationPlan.for_profile(profile, seed_ids, pool=pool, negative_seeds=negative)


def top_up_plan(
    request: PlaylistRequest,
    profile: MoodProfile,
    picked: Sequence[Scored],
    seed_ids: Sequence[str],
) -> RecommendationPlan | None:
    """One more recommendation call when the playlist falls short: seeded from its best
    tracks (not seeds already), for the tracks still missing; ``None`` if there are none."""
    best = [item.track.id for item in picked if item.track.id not in seed_ids][:CHUNK]
    if not best:
        return None
    missing = max(1, tracks_wanted(request) - len(picked))
    pool = min(MAX_POOL, max(MIN_POOL, missing * POOL_FACTOR))
    negative = Exclusions.of(request).negative_seeds
    return RecommendationPlan.for_profile(profile, best, pool=pool, negative_seeds=negative)


def unwanted_versions(profile: MoodProfile) -> tuple[str, ...]:
    """The versions to drop: the profile's, plus live ones when it asks for studio only."""
    versions = tuple(profile.unwanted_versions)
    if profile.recognised.live is False and "live" not in versions:
        versions = (*versions, "live")
    return versions


async def _make(
    gateway: ReccoBeats,
    request: PlaylistRequest,
    analyse: Analyse,
    emit: ProgressCallback,
    reader: MoodReader | None = None,
) -> Playlist:
    emit(Progress("mood", "reading the mood"))
    reading = await _read(request, analyse, reader)
    profile = reading.profile

    emit(Progress("seeds", "choosing seeds"))
    chosen = await choose_seeds(gateway, profile, (*request.seeds, *reading.seed_ids))

    seed_ids = [s.id for s in chosen.seeds]
    known = {c.track.id: c for c in chosen.pool}
    features = await _gather(
        gateway, plan_for(request, profile, seed_ids), known, seed_ids, emit, "recommendations"
    )
    picked, excluded = _assemble(request, profile, known.values())
    notes = list(chosen.notes)
    if _short(request, picked) and (more := top_up_plan(request, profile, picked, seed_ids)):
        features |= await _gather(gateway, more, known, seed_ids, emit, "more recommendations")
        picked, excluded = _assemble(request, profile, known.values())
        notes.append(f"topped up with recommendations for {len(more.chunks[0])} of its tracks")
    notes.extend(excluded)
    emit(Progress("scoring", f"ordering {len(picked)} of {len(known)} candidates"))
    arranged = arrange(picked, request.order)

    seed_values = {
        sid: feature_values(found)
        for sid in seed_ids
        if (found := known[sid].features if sid in known else features.get(sid)) is not None
    }
    said = reasons(
        arranged, profile, seeds=chosen.seeds, seed_values=seed_values, order=request.order
    )
    return Playlist(
        tracks=tuple(_playlist_track(item, why) for item, why in zip(arranged, said, strict=True)),
        profile=profile,
        seeds=chosen.seeds,
        quality=measure(arranged, profile, seed_values, candidates=len(known)),
        upstream_requests=0,
        order=request.order,
        skipped_seeds=chosen.skipped,
        notes=_notes(notes, picked, request),
        name=name_for(profile),
        description=description_for(profile),
        reader=reading.report if request.profile is None else None,
    )


async def _read(request: PlaylistRequest, analyse: Analyse, reader: MoodReader | None) -> Reading:
    """The request's own profile, else the reader's (else ``analyse``'s) reading of it."""
    if request.profile is not None:
        return Reading(request.profile)
    if reader is not None:
        return await reader.read(request.prompt)
    return Reading(analyse(request.prompt))


@dataclass(frozen=True)
class Pool:
    """The candidates a playlist was chosen from: by track id, with its seeds' values."""

    candidates: dict[str, Candidate]
    seeds: tuple[SeedTrack, ...]
    seed_values: Mapping[str, Values]


async def candidate_pool(
    gateway: ReccoBeats,
    request: PlaylistRequest,
    profile: MoodProfile,
    *,
    on_progress: ProgressCallback | None = None,
) -> Pool:
    """The candidates ``make_playlist`` considers for ``request`` read as ``profile``.

    It makes the same upstream calls (seeds, recommendations, a top-up when short), so once
    that playlist is made they are answered from the gateway's cache: what a revision of the
    playlist draws on without asking the upstream again.
    """
    emit: ProgressCallback = on_progress or _ignore
    chosen = await choose_seeds(gateway, profile, request.seeds)
    seed_ids = [s.id for s in chosen.seeds]
    known = {c.track.id: c for c in chosen.pool}
    plan = plan_for(request, profile, seed_ids)
    features = await _gather(gateway, plan, known, seed_ids, emit, "recommendations")
    picked, _ = _assemble(request, profile, known.values())
    if _short(request, picked) and (more := top_up_plan(request, profile, picked, seed_ids)):
        features |= await _gather(gateway, more, known, seed_ids, emit, "more recommendations")
    seed_values = {
        sid: feature_values(found)
        for sid in seed_ids
        if (found := known[sid].features if sid in known else features.get(sid)) is not None
    }
    return Pool(known, chosen.seeds, seed_values)


def assemble_candidates(
    request: PlaylistRequest, profile: MoodProfile, candidates: Iterable[Candidate]
) -> list[Scored]:
    """``candidates`` ranked for ``profile``, filtered as ``request`` asks and filled to its
    size or length: how ``make_playlist`` picks its tracks (``NothingLeft`` if the request's
    exclusions leave none)."""
    picked, _ = _assemble(request, profile, candidates)
    return picked


def playlist_track(item: Scored, reason: str = "") -> PlaylistTrack:
    """The playlist's view of a scored candidate: features, fit and ``reason`` (written for
    the whole playlist by ``reasons.reasons`` once its order is known)."""
    return _playlist_track(item, reason)


async def _gather(
    gateway: ReccoBeats,
    plan: RecommendationPlan,
    known: dict[str, Candidate],
    seed_ids: Sequence[str],
    emit: ProgressCallback,
    what: str,
) -> dict[str, AudioFeatures]:
    """Recommendations for ``plan`` and their features; new candidates are added to ``known``.

    Returns the features fetched, seeds' included (for seeds not already known).
    """
    total = len(plan.chunks)
    emit(Progress("candidates", f"asking for {what} ({total} calls)", 0, total))
    lists = await recommend(
        gateway,
        plan,
        on_chunk=lambda done, of: emit(Progress("candidates", f"{what} {done}/{of}", done, of)),
    )
    fresh = interleave(lists, exclude={*known, *seed_ids})
    extra = [i for i in seed_ids if i not in known]
    emit(Progress("candidates", f"audio features of {len(fresh)} candidates", total, total))
    features = await fetch_features(gateway, [*(t.id for t in fresh), *extra])
    known.update((c.track.id, c) for c in as_candidates(fresh, features))
    return features


def _assemble(
    request: PlaylistRequest, profile: MoodProfile, candidates: Iterable[Candidate]
) -> tuple[list[Scored], tuple[str, ...]]:
    """The candidates ranked, filtered and filled to the request's size or length, with notes
    on exclusions that could not be applied."""
    ranked = dedupe(drop_versions(rank(candidates, profile), unwanted_versions(profile)))
    ranked, notes = Exclusions.of(request).apply(ranked)
    return fill(
        ranked,
        size=None if request.duration_s is not None else request.size,
        duration_ms=None if request.duration_s is None else round(request.duration_s * 1000),
        artist_cap=request.artist_cap,
    ), notes


def _short(request: PlaylistRequest, picked: Sequence[Scored]) -> bool:
    """Whether ``picked`` falls short of the request."""
    if request.duration_s is None:
        return len(picked) < request.size
    total = sum(item.duration_ms for item in picked)
    target = round(request.duration_s * 1000)
    return total < target - tolerance_ms(target)


def _playlist_track(item: Scored, reason: str) -> PlaylistTrack:
    track = item.track
    features = {name: round(value, 4) for name, value in item.values.items()}
    if item.key is not None:
        features["key"] = float(item.key)
    return PlaylistTrack(
        id=track.id,
        spotify_id=track.spotify_id,
        title=track.track_title,
        artists=tuple(a.name for a in track.artists),
        duration_ms=track.duration_ms,
        features=features,
        score=item.fit.score,
        distance=item.fit.distance,
        reason=reason,
    )


def _notes(notes: list[str], picked: Sequence[Scored], request: PlaylistRequest) -> tuple[str, ...]:
    if _short(request, picked):
        wanted = (
            f"{request.size} tracks"
            if request.duration_s is None
            else format_duration(request.duration_s)
        )
        removed = (
            "unwanted versions, exclusions"
            if Exclusions.of(request).active
            else ("unwanted versions")
        )
        notes.append(
            f"only {len(picked)} tracks fit of the {wanted} asked for, after removing duplicates, "
            f"{removed} and more than {request.artist_cap} per artist"
        )
    return tuple(notes)


def _ignore(_: Progress) -> None:
    return None
