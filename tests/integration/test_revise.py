"""Revising a playlist against the simulator over loopback: refine, replace, extend, edits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from statistics import mean
from typing import Any

import pytest

from moodmix.engine.edits import move_track, pin_track, remove_track
from moodmix.engine.mood import analyse
from moodmix.engine.mood.refine import Refinement, refine_profile
from moodmix.engine.pipeline import make_playlist
from moodmix.engine.playlist import Playlist, PlaylistRequest
from moodmix.engine.revise import extend, refine, replace_track
from moodmix.engine.revised import RevisionError
from moodmix.engine.stored import playlist_from_json
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings
from moodmix.simulator import SimulatorServer


@pytest.fixture
async def gateway(simulator: SimulatorServer) -> AsyncIterator[ReccoBeats]:
    values: dict[str, Any] = {"rate_per_min": 60_000, "burst": 50, "cache_backend": "memory"}
    gw = ReccoBeats.from_settings(Settings(reccobeats_url=simulator.url, **values))
    yield gw
    await gw.aclose()


def _request(prompt: str, **kwargs: Any) -> PlaylistRequest:
    return PlaylistRequest(prompt, profile=analyse(prompt), **kwargs)


def _mean(playlist: Playlist, name: str) -> float:
    return mean(t.features[name] for t in playlist.tracks)


async def test_refine_moves_the_playlist_and_costs_nothing_warm(gateway: ReccoBeats) -> None:
    request = _request("rainy Sunday, mellow acoustic", size=20)
    made = await make_playlist(gateway, request)
    before = gateway.stats().upstream_requests
    step = await refine(gateway, made, request, "more upbeat")
    assert gateway.stats().upstream_requests == before
    assert step.playlist.upstream_requests == 0
    assert _mean(step.playlist, "energy") > _mean(made, "energy")
    assert _mean(step.playlist, "valence") > _mean(made, "valence")
    assert len(step.playlist.tracks) == len(made.tracks)
    assert step.change.startswith("refined: ")
    assert "energy up" in step.change
    assert all(t.reason and t.features for t in step.playlist.tracks)
    slower = await refine(gateway, made, request, "slower")
    assert _mean(slower.playlist, "tempo") < _mean(made, "tempo")


async def test_refine_keeps_pinned_tracks_in_place(gateway: ReccoBeats) -> None:
    request = _request("workout, high energy hip hop", size=15)
    made = await make_playlist(gateway, request)
    pinned = pin_track(made, made.tracks[3].id).playlist
    step = await refine(gateway, pinned, request, "slower, calmer")
    assert step.playlist.tracks[3].id == made.tracks[3].id
    assert step.playlist.tracks[3].pinned
    assert len({t.id for t in step.playlist.tracks}) == len(step.playlist.tracks)


async def test_refine_refuses_what_it_cannot_read(gateway: ReccoBeats) -> None:
    request = _request("deep focus for coding", size=10)
    made = await make_playlist(gateway, request)
    for text in ("", "   ", "x" * 10_000, "qwzx vbnm"):
        with pytest.raises(RevisionError):
            await refine(gateway, made, request, text)


async def test_replace_takes_the_best_unused_candidate_from_the_cache(
    gateway: ReccoBeats,
) -> None:
    request = _request("late night jazz, smoky and slow", size=12)
    made = await make_playlist(gateway, request)
    before = gateway.stats().upstream_requests
    gone = made.tracks[5]
    step = await replace_track(gateway, made, request, gone.id)
    assert gateway.stats().upstream_requests == before
    ids = [t.id for t in step.playlist.tracks]
    assert gone.id not in ids
    assert len(ids) == len(set(ids)) == len(made.tracks)
    assert ids[:5] == [t.id for t in made.tracks[:5]]
    assert step.change.startswith("replaced ")
    with pytest.raises(RevisionError, match="not in this playlist"):
        await replace_track(gateway, made, request, "no-such-track")


async def test_extend_adds_tracks_like_these(gateway: ReccoBeats) -> None:
    request = _request("sunny beach party", size=10)
    made = await make_playlist(gateway, request)
    step = await extend(gateway, made, request, 5)
    ids = [t.id for t in step.playlist.tracks]
    assert ids[:10] == [t.id for t in made.tracks]
    assert len(ids) == 15 == len(set(ids))
    assert step.change.startswith("added 5")
    with pytest.raises(RevisionError, match="at most"):
        await extend(gateway, made, request, 91)
    with pytest.raises(RevisionError):
        await extend(gateway, made, request, 0)


async def test_pure_edits_and_a_json_round_trip(gateway: ReccoBeats) -> None:
    request = _request("rainy Sunday, mellow acoustic", size=6)
    made = await make_playlist(gateway, request)
    again = playlist_from_json(made.to_json())
    assert again.to_json() == made.to_json()
    first, last = made.tracks[0], made.tracks[-1]
    moved = move_track(made, first.id, 5).playlist
    assert moved.tracks[5].id == first.id
    assert len(moved.tracks) == 6
    removed = remove_track(made, last.id)
    assert [t.id for t in removed.playlist.tracks] == [t.id for t in made.tracks[:-1]]
    assert removed.playlist.quality.duration_ms == made.quality.duration_ms - (
        last.duration_ms or 0
    )
    with pytest.raises(RevisionError):
        move_track(made, first.id, 6)
    with pytest.raises(RevisionError):
        remove_track(made, "nope")
    single = replace(made, tracks=made.tracks[:1])
    with pytest.raises(RevisionError, match="at least one"):
        remove_track(single, first.id)


async def test_a_read_refinement_seeds_lengthens_and_excludes(gateway: ReccoBeats) -> None:
    request = _request("sunny beach party", size=10)
    made = await make_playlist(gateway, request)
    shifted = refine_profile(made.profile, "calmer").profile
    liked = Refinement(profile=shifted, moved=("energy down",), like_tracks=(2,))
    step = await refine(gateway, made, request, liked)
    assert len(step.playlist.tracks) == 10
    assert step.change.startswith("refined: energy down")
    assert step.playlist.upstream_requests > 0  # recommendations seeded from track 2

    hour = Refinement(profile=made.profile, duration_s=3600)
    longer = await refine(gateway, made, request, hour)
    total = sum(t.duration_ms or 0 for t in longer.playlist.tracks) / 1000
    assert abs(total - 3600) <= 90
    assert longer.playlist.quality.duration_ms == round(total * 1000)

    lead = made.tracks[0].artists[0]
    without = Refinement(profile=made.profile, exclude_artists=(lead,))
    cleaned = await refine(gateway, made, request, without)
    assert all(lead not in t.artists for t in cleaned.playlist.tracks)
    assert f"without {lead}" in cleaned.change

    with pytest.raises(RevisionError, match="no track 11"):
        await refine(gateway, made, request, Refinement(profile=shifted, like_tracks=(11,)))
    with pytest.raises(RevisionError, match="could not read"):
        await refine(gateway, made, request, Refinement(profile=shifted, understood=False))


async def test_extend_beyond_the_pool_asks_for_more_like_these(gateway: ReccoBeats) -> None:
    request = _request("calm piano for sleep", size=10)
    made = await make_playlist(gateway, request)
    before = gateway.stats().upstream_requests
    step = await extend(gateway, made, request, 80)
    assert gateway.stats().upstream_requests > before  # the pool alone holds too few
    ids = [t.id for t in step.playlist.tracks]
    assert len(ids) == len(set(ids)) > 10
    assert step.playlist.upstream_requests == gateway.stats().upstream_requests - before
