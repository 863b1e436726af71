"""The request is checked on construction; the result types serialise to JSON."""

from __future__ import annotations

import json

import pytest

from moodmix.engine.playlist import (
    Playlist,
    PlaylistRequest,
    PlaylistTrack,
    Quality,
    SeedTrack,
    SkippedSeed,
)
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile


def test_a_request_has_sensible_defaults() -> None:
    request = PlaylistRequest("rainy Sunday")
    assert (request.size, request.order, request.artist_cap, request.duration_s) == (
        30,
        "arc",
        2,
        None,
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"size": 0}, "size"),
        ({"size": 101}, "size"),
        ({"duration_s": 10.0}, "duration"),
        ({"order": "random"}, "order"),
        ({"artist_cap": 0}, "artist_cap"),
        ({"seeds": "00aqkszH1FdUiJJWvX6iEl"}, "list"),
        ({"seeds": tuple(str(i) for i in range(26))}, "at most 25"),
    ],
)
def test_bad_requests_say_what_is_wrong(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PlaylistRequest("x", **kwargs)  # type: ignore[arg-type]


def test_seeds_given_as_a_list_become_a_tuple() -> None:
    assert PlaylistRequest("x", seeds=["a", "b"]).seeds == ("a", "b")  # type: ignore[arg-type]


def test_a_playlist_serialises_with_the_documented_fields() -> None:
    profile = MoodProfile(
        "calm",
        {name: 0.5 for name in FEATURES},
        {name: SCALES[name] for name in FEATURES},
        {name: 0.5 for name in FEATURES},
    )
    track = PlaylistTrack(
        id="t1",
        spotify_id="00aqkszH1FdUiJJWvX6iEl",
        title="Song",
        artists=("Ann",),
        duration_ms=200_000,
        features={"energy": 0.2},
        score=0.91234,
        distance=0.05,
        reason="calm (energy 0.20), close to the calm target",
    )
    playlist = Playlist(
        tracks=(track,),
        profile=profile,
        seeds=(SeedTrack("s1", None, "Seed", ("Bo",), "anchor", "Bo"),),
        quality=Quality(0.05, 1.0, 1.0, 120, 200_000),
        upstream_requests=12,
        order="arc",
        skipped_seeds=(SkippedSeed("x", "unknown"),),
    )
    data = json.loads(json.dumps(playlist.to_json()))
    assert {"tracks", "profile", "seeds", "quality", "upstream_requests"} <= set(data)
    first = data["tracks"][0]
    assert {"id", "spotify_id", "title", "artists", "features", "score", "reason"} <= set(first)
    assert first["score"] == 0.9123
    assert data["seeds"][0]["source"] == "anchor"
    assert data["skipped_seeds"] == [{"seed": "x", "why": "unknown"}]
    assert data["quality"]["mean_distance"] == 0.05
