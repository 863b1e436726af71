"""Revising a playlist from its candidate pool: refine, replace, extend.

::

    made = await make_playlist(gateway, request)
    step = await refine(gateway, made, request, "more upbeat, less vocals")
    step.playlist, step.change          # the new playlist, "refined: energy up, ...; kept 21 of 30"
    step = await replace_track(gateway, step.playlist, request, track_id)
    step = await extend(gateway, step.playlist, request, 10)
    check_refinement(step.playlist, "slower")   # the quick check: RevisionError or the reading

The changes that ask nothing of the upstream (remove, move, pin) are in ``edits``; the
playlist after a change gets its reasons and quality written again by ``rebuild``.

``request`` is the one the playlist was made for, with ``profile`` set to the profile its
candidates were asked for (the first draft's): revisions draw on that candidate pool by making
the same upstream calls as ``make_playlist`` did, which the gateway answers from its cache, so a
revision costs no upstream request while those are fresh. Only "add more like these" beyond the
pool and "like track 3" ask the upstream for new recommendations.

Refine reads the text relative to the current profile (``mood.refine.refine_profile``), then
ranks the pool and the current tracks for the new profile: pinned tracks stay where they are,
current tracks that still rank among the best stay, the rest are replaced by better fitting
candidates, and the result is ordered as the request asks. It keeps the current number of
tracks unless the text asks for a length ("make it an hour"). Replace puts the best fitting
unused candidate (not a duplicate, within the artist cap) in the replaced track's place; extend
appends the best fitting unused ones.

Every function returns a ``Revised`` (``revised``): the new playlist and a short description
of the change. ``RevisionError`` (a ``ValueError``) says why a change cannot be made; nothing
is changed then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Final

from moodmix.engine.candidates import CHUNK, RecommendationPlan
from moodmix.engine.edits import position_of
from moodmix.engine.exclusions import NothingLeft
from moodmix.engine.folding import fold
from moodmix.engine.mood.refine import Refinement, refine_profile
from moodmix.engine.order import arrange
from moodmix.engine.pipeline import MIN_POOL, POOL_FACTOR, assemble_candidates, playlist_track
from moodmix.engine.playlist import (
    MAX_DURATION_S,
    MAX_TRACKS,
    Playlist,
    PlaylistRequest,
    PlaylistTrack,
)
from moodmix.engine.profile import MoodProfile
from moodmix.engine.progress import Progress, ProgressCallback
from moodmix.engine.rebuild import rebuilt
from moodmix.engine.revised import Revised, RevisionError, named
from moodmix.engine.revision_pool import add_more, best_unused, revision_pool
from moodmix.engine.scored import Candidate, Scored
from moodmix.reccobeats.gateway import ReccoBeats

MAX_REFINE_CHARS: Final = 500
"""The longest refinement text (as long as a prompt may be)."""


# --- changes that draw on the candidates --------------------------------------------------------


def check_refinement(playlist: Playlist, change: str | Refinement) -> Refinement:
    """How ``change`` reads for ``playlist``; ``RevisionError`` (nothing done) when it is
    empty, too long, unreadable, points at a track the playlist lacks or asks for a length
    out of range. ``refine`` checks the same; this is the quick check before a job."""
    refinement = _read(playlist.profile, change)
    _like_tracks(playlist, refinement.like_tracks)
    return refinement


async def refine(
    gateway: ReccoBeats,
    playlist: Playlist,
    request: PlaylistRequest,
    change: str | Refinement,
    *,
    exclude_artists: Sequence[str] = (),
    on_progress: ProgressCallback | None = None,
) -> Revised:
    """``playlist`` changed as ``change`` asks ("more upbeat, less vocals", "slower", "like
    track 3", "no Adele", "make it an hour"), or as an already read ``Refinement`` says;
    no track by an artist of ``exclude_artists`` (or of those the text rules out) stays
    unless pinned."""
    emit = on_progress or _ignore
    before = gateway.stats().upstream_requests
    emit(Progress("mood", "reading the change"))
    refinement = _read(playlist.profile, change)
    profile = refinement.profile
    likes = _like_tracks(playlist, refinement.like_tracks)
    pool = await revision_pool(gateway, playlist, request, emit)
    known = dict(pool.candidates)
    if likes:
        plan = RecommendationPlan.for_profile(profile, likes[:CHUNK], pool=MIN_POOL)
        await add_more(gateway, plan, known, emit, "tracks like those named")
    pinned = [t for t in playlist.tracks if t.pinned]
    pinned_ids = {t.id for t in pinned}
    excluded = {fold(name) for name in (*refinement.exclude_artists, *exclude_artists)}
    free = [
        c
        for c in known.values()
        if c.track.id not in pinned_ids and not excluded & {fold(a.name) for a in c.track.artists}
    ]
    shaped = _shape(request, profile, playlist, pinned, refinement.duration_s)
    try:
        picked = assemble_candidates(shaped, profile, free) if shaped is not None else []
    except NothingLeft as exc:
        raise RevisionError(f"{exc}; nothing was changed") from None
    if not picked and not pinned:
        raise RevisionError(
            f"no track fits {_text_of(change)!r} after the exclusions; nothing was changed"
        )
    emit(Progress("scoring", f"ordering {len(picked) + len(pinned)} of {len(known)} candidates"))
    arranged = [playlist_track(item) for item in arrange(picked, request.order)]
    tracks = _around_pins(playlist.tracks, arranged, profile, known)
    old = {t.id for t in playlist.tracks}
    kept = sum(1 for t in tracks if t.id in old)
    moved = ", ".join(refinement.moved) or "no feature moved"
    what = [moved]
    if refinement.exclude_artists:
        what.append(f"without {', '.join(refinement.exclude_artists)}")
    elif exclude_artists:
        count = len(exclude_artists)
        what.append(f"without the {count} artist{'s' if count != 1 else ''} excluded")
    what.append(f"kept {kept} of {len(playlist.tracks)}, {len(tracks) - kept} new")
    revised = rebuilt(playlist, tracks, profile, pool, len(known))
    cost = gateway.stats().upstream_requests - before
    emit(Progress("done", f"{len(tracks)} tracks, {cost} upstream requests"))
    return Revised(replace(revised, upstream_requests=cost), f"refined: {'; '.join(what)}")


async def replace_track(
    gateway: ReccoBeats,
    playlist: Playlist,
    request: PlaylistRequest,
    track_id: str,
    *,
    on_progress: ProgressCallback | None = None,
) -> Revised:
    """``playlist`` with ``track_id`` replaced, in its place, by the best fitting unused
    candidate; ``RevisionError`` if the track is not in it or no candidate is left."""
    emit = on_progress or _ignore
    index = position_of(playlist, track_id)
    before = gateway.stats().upstream_requests
    pool = await revision_pool(gateway, playlist, request, emit)
    others = playlist.tracks[:index] + playlist.tracks[index + 1 :]
    best = best_unused(request, playlist, others, pool.candidates, 1, exclude={track_id})
    if not best:
        raise RevisionError(
            "no unused candidate is left to replace it with; remove it, or add more like these"
        )
    new = playlist_track(best[0])
    tracks = (*playlist.tracks[:index], new, *playlist.tracks[index + 1 :])
    revised = rebuilt(playlist, tracks, playlist.profile, pool, len(pool.candidates))
    cost = gateway.stats().upstream_requests - before
    change = f"replaced {named(playlist.tracks[index])} by {named(new)}"
    return Revised(replace(revised, upstream_requests=cost), change)


async def extend(
    gateway: ReccoBeats,
    playlist: Playlist,
    request: PlaylistRequest,
    count: int,
    *,
    on_progress: ProgressCallback | None = None,
) -> Revised:
    """``playlist`` with up to ``count`` more tracks like its own appended: unused candidates
    first, then recommendations seeded from its best fitting tracks."""
    room = MAX_TRACKS - len(playlist.tracks)
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise RevisionError(f"count must be a whole number of at least 1, got {count!r}")
    if count > room:
        raise RevisionError(
            f"a playlist holds at most {MAX_TRACKS} tracks; this one has "
            f"{len(playlist.tracks)}, so at most {room} more"
        )
    emit = on_progress or _ignore
    before = gateway.stats().upstream_requests
    pool = await revision_pool(gateway, playlist, request, emit)
    known = dict(pool.candidates)
    added = best_unused(request, playlist, playlist.tracks, known, count)
    if len(added) < count:
        best = sorted(playlist.tracks, key=lambda t: -t.score)
        plan = RecommendationPlan.for_profile(
            playlist.profile,
            [t.id for t in best[:CHUNK]],
            pool=max(MIN_POOL, (count - len(added)) * POOL_FACTOR),
        )
        await add_more(gateway, plan, known, emit, "more like these")
        added = best_unused(request, playlist, playlist.tracks, known, count)
    if not added:
        raise RevisionError("no more tracks fit this playlist; nothing was added")
    new = tuple(playlist_track(item) for item in added)
    revised = rebuilt(playlist, (*playlist.tracks, *new), playlist.profile, pool, len(known))
    cost = gateway.stats().upstream_requests - before
    change = f"added {len(new)} like these"
    if len(new) < count:
        change += f" (of {count} asked: no more fit)"
    return Revised(replace(revised, upstream_requests=cost), change)


# --- internals ------------------------------------------------------------------------------------


def _read(current: MoodProfile, change: str | Refinement) -> Refinement:
    if isinstance(change, Refinement):
        refinement = change
    else:
        text = change.strip() if isinstance(change, str) else ""
        if not text:
            raise RevisionError("say how to change it, e.g. 'more upbeat' or 'less vocals'")
        if len(change) > MAX_REFINE_CHARS:
            raise RevisionError(
                f"the change is {len(change):,} characters; at most {MAX_REFINE_CHARS}"
            )
        refinement = refine_profile(current, text)
    if not refinement.understood:
        raise RevisionError(
            f"could not read a change in {_text_of(change)!r}; try e.g. 'more upbeat', "
            "'less vocals', 'slower', 'like track 3' or 'make it an hour'"
        )
    if refinement.duration_s is not None and not 60 <= refinement.duration_s <= MAX_DURATION_S:
        raise RevisionError(
            f"a playlist lasts from 1 minute to {MAX_DURATION_S // 3600} hours, "
            f"not {refinement.duration_s:g} s"
        )
    return refinement


def _text_of(change: str | Refinement) -> str:
    return change if isinstance(change, str) else change.profile.text


def _like_tracks(playlist: Playlist, positions: Sequence[int]) -> list[str]:
    count = len(playlist.tracks)
    for position in positions:
        if not 1 <= position <= count:
            raise RevisionError(f"there is no track {position}: the playlist has {count}")
    return list(dict.fromkeys(playlist.tracks[p - 1].id for p in positions))


def _shape(
    request: PlaylistRequest,
    profile: MoodProfile,
    playlist: Playlist,
    pinned: Sequence[PlaylistTrack],
    duration_s: float | None,
) -> PlaylistRequest | None:
    """The request the unpinned tracks are filled to; ``None`` when pins fill it already."""
    if duration_s is None:
        size = len(playlist.tracks) - len(pinned)
        return replace(request, profile=profile, size=size, duration_s=None) if size else None
    left = duration_s - sum((t.duration_ms or 0) for t in pinned) / 1000
    if left < 60:
        return None
    return replace(request, profile=profile, duration_s=left)


def _around_pins(
    current: Sequence[PlaylistTrack],
    arranged: Sequence[PlaylistTrack],
    profile: MoodProfile,
    known: dict[str, Candidate],
) -> tuple[PlaylistTrack, ...]:
    """``arranged`` with the pinned tracks of ``current`` back at their positions (their
    reasons read for ``profile`` when they are known candidates)."""
    total = len(arranged) + sum(1 for t in current if t.pinned)
    slots: list[PlaylistTrack | None] = [None] * total
    for index, track in enumerate(current):
        if track.pinned:
            at = min(index, total - 1)
            while slots[at] is not None:
                at -= 1
            candidate = known.get(track.id)
            fresh = track
            if candidate is not None:
                fresh = replace(playlist_track(Scored.of(candidate, profile)), pinned=True)
            slots[at] = fresh
    rest = iter(arranged)
    return tuple(slot if slot is not None else next(rest) for slot in slots)


def _ignore(_: Progress) -> None:
    return None
