"""Shaping real playlists against the simulator: every public prompt's playlist has its own
name and no reason twice; exclusions leave out what they name and nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from moodmix.bench.playlists.plan import PROMPTS
from moodmix.engine.candidates import RecommendationPlan, recommend
from moodmix.engine.exclusions import NothingLeft, release_year
from moodmix.engine.mood import analyse
from moodmix.engine.pipeline import make_playlist, plan_for
from moodmix.engine.playlist import PlaylistRequest
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings
from moodmix.simulator import SimulatorServer


@pytest.fixture
async def gw(simulator: SimulatorServer) -> AsyncIterator[ReccoBeats]:
    settings = Settings(
        reccobeats_url=simulator.url, rate_per_min=60_000, burst=50, cache_backend="memory"
    )
    async with ReccoBeats.from_settings(settings) as gateway:
        yield gateway


async def test_every_public_prompt_gets_its_own_name_and_distinct_reasons(
    gw: ReccoBeats,
) -> None:
    names: dict[str, str] = {}
    for prompt in PROMPTS:
        playlist = await make_playlist(gw, PlaylistRequest(prompt, size=30))
        said = [t.reason for t in playlist.tracks]
        assert len(said) > 10, prompt
        assert len(set(said)) == len(said), (prompt, said)
        assert all("target" not in r and "distance" not in r for r in said), said
        assert playlist.name, prompt
        assert playlist.description, prompt
        data = playlist.to_json()
        assert data["name"] == playlist.name
        assert data["description"] == playlist.description
        assert all({"features", "reason"} <= set(t) for t in data["tracks"])
        names[prompt] = playlist.name
    assert len(set(names.values())) == len(names), names


async def test_exclusions_leave_out_what_they_name(gw: ReccoBeats) -> None:
    prompt = "sad but hopeful indie"
    first = await make_playlist(gw, PlaylistRequest(prompt, size=20))
    artist = first.tracks[0].artists[0]
    song = first.tracks[1]
    longest = max(t.duration_ms or 0 for t in first.tracks)
    limit_s = max(60, (longest // 1000) - 30)
    shaped = await make_playlist(
        gw,
        PlaylistRequest(
            prompt,
            size=20,
            exclude_artists=(artist.upper(),),
            exclude_tracks=(song.id,),
            max_track_s=limit_s,
            years=(1990, 2010),
            explicit=False,
        ),
    )
    assert shaped.tracks
    assert all(artist not in t.artists for t in shaped.tracks)
    assert song.id not in {t.id for t in shaped.tracks}
    assert all((t.duration_ms or 0) <= limit_s * 1000 for t in shaped.tracks)
    tracks = await gw.get_tracks([t.id for t in shaped.tracks])
    years = [release_year(t) for t in tracks]
    assert all(y is None or 1990 <= y <= 2010 for y in years), years
    assert any("explicit content could not be left out" in n for n in shaped.notes)


async def test_excluded_ids_steer_the_recommendations_away(gw: ReccoBeats) -> None:
    profile = analyse("sad but hopeful indie")
    seed = (await make_playlist(gw, PlaylistRequest(profile.text, size=10))).seeds[0].id
    plain = await recommend(gw, RecommendationPlan.for_profile(profile, [seed], pool=60))
    unwanted = [t.id for t in plain[0][:3]]
    request = PlaylistRequest(profile.text, exclude_tracks=tuple(unwanted))
    steered = await recommend(gw, plan_for(request, profile, [seed]))
    assert plan_for(request, profile, [seed]).negative_seeds == tuple(unwanted)
    assert not {t.id for t in steered[0]} & set(unwanted)


async def test_excluding_everything_is_refused(gw: ReccoBeats) -> None:
    with pytest.raises(NothingLeft, match="leave none"):
        await make_playlist(gw, PlaylistRequest("calm piano for sleep", years=(1900, 1901)))
