"""Playlists end to end against the simulator over loopback, through the gateway."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from moodmix.engine.filters import identity
from moodmix.engine.fit import measure_fit
from moodmix.engine.order import arc_level
from moodmix.engine.pipeline import make_playlist
from moodmix.engine.playlist import Playlist, PlaylistRequest, PlaylistTrack
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile, Recognised
from moodmix.engine.progress import Progress
from moodmix.engine.reasons import word_for
from moodmix.engine.seeds import SeedError
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.reccobeats.models import Track
from moodmix.settings import Settings
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

Gateway = Callable[..., ReccoBeats]

_PART = re.compile(
    r"(?P<word>[a-zA-Z][a-z-]*(?: [a-z-]+)?) \((?P<name>[a-z]+) (?P<value>-?[\d.]+)(?: BPM| dB)?\)"
)


def make_profile(
    text: str,
    targets: dict[str, float],
    weights: dict[str, float],
    **recognised: Any,
) -> MoodProfile:
    base = {name: 0.5 for name in FEATURES} | {"tempo": 115.0, "loudness": -9.0, "mode": 1.0}
    ranges = {
        name: (max(low, t - spread), min(high, t + spread))
        for name, t in (base | targets).items()
        for low, high in [SCALES[name]]
        for spread in [(high - low) * 0.25]
    }
    return MoodProfile(
        text=text,
        targets=base | targets,
        ranges=ranges,
        weights={name: 0.1 for name in FEATURES} | weights,
        recognised=Recognised(**recognised),
    )


RAINY = make_profile(
    "rainy Sunday, mellow acoustic, nothing sad",
    {"energy": 0.25, "acousticness": 0.8, "valence": 0.45, "tempo": 95.0},
    {"energy": 0.9, "acousticness": 0.8, "valence": 0.5, "tempo": 0.4},
    moods=("mellow",),
    settings=("rain", "sunday"),
    negations=("sad",),
)
WORKOUT = make_profile(
    "workout, high energy hip hop",
    {"energy": 0.85, "danceability": 0.8, "tempo": 125.0, "speechiness": 0.25},
    {"energy": 0.9, "danceability": 0.7, "tempo": 0.6, "speechiness": 0.4},
    activities=("workout",),
    genres=("hip hop",),
)
FOCUS = make_profile(
    "deep focus for coding",
    {"energy": 0.3, "instrumentalness": 0.85, "speechiness": 0.04},
    {"energy": 0.6, "instrumentalness": 0.9, "speechiness": 0.6},
    activities=("focus",),
)
ADELE = make_profile(
    "like Adele, heartbroken",
    {"energy": 0.35, "valence": 0.2},
    {"energy": 0.6, "valence": 0.9},
    moods=("heartbroken",),
    artists=("Adele",),
)


@pytest.fixture
async def gateway(simulator: SimulatorServer) -> AsyncIterator[Gateway]:
    """``gateway(**settings)``: a gateway on the simulator, in-memory cache, generous rate."""
    opened: list[ReccoBeats] = []

    def make(**overrides: Any) -> ReccoBeats:
        values: dict[str, Any] = {"rate_per_min": 60_000, "burst": 50, "cache_backend": "memory"}
        gw = ReccoBeats.from_settings(
            Settings(reccobeats_url=simulator.url, **{**values, **overrides})
        )
        opened.append(gw)
        return gw

    yield make
    for gw in opened:
        await gw.aclose()


def request(profile: MoodProfile, **kwargs: Any) -> PlaylistRequest:
    return PlaylistRequest(profile.text, profile=profile, **kwargs)


def assert_reason_consistent(track: PlaylistTrack) -> None:
    """Every feature the reason names is described by the band of the value shown."""
    parts = list(_PART.finditer(track.reason))
    modes = [w for w in ("in a minor key", "in a major key") if w in track.reason]
    assert parts or modes, track.reason
    for part in parts:
        name, shown = part["name"], float(part["value"])
        slack = {"tempo": 0.51, "loudness": 0.051}.get(name, 0.0051)
        assert shown == pytest.approx(track.features[name], abs=slack), track.reason
        assert part["word"].lower() == word_for(name, shown), track.reason
    for phrase in modes:
        assert phrase == word_for("mode", track.features["mode"]), track.reason


def assert_well_formed(playlist: Playlist, tracks: dict[str, Track], cap: int = 2) -> None:
    ids = [t.id for t in playlist.tracks]
    assert len(set(ids)) == len(ids)
    isrcs = [tracks[i].isrc for i in ids if tracks[i].isrc]
    assert len(set(isrcs)) == len(isrcs)
    songs = [identity(tracks[i]) for i in ids]
    assert len(set(songs)) == len(songs)
    per_artist = Counter(a.id for i in ids for a in tracks[i].artists)
    assert max(per_artist.values()) <= cap
    for track in playlist.tracks:
        assert_reason_consistent(track)


async def tracks_of(gw: ReccoBeats, playlist: Playlist) -> dict[str, Track]:
    return {t.id: t for t in await gw.get_tracks([t.id for t in playlist.tracks])}


@pytest.mark.parametrize("profile", [RAINY, WORKOUT, FOCUS, ADELE], ids=lambda p: p.text)
async def test_a_30_track_playlist_end_to_end(gateway: Gateway, profile: MoodProfile) -> None:
    gw = gateway()
    playlist = await make_playlist(gw, request(profile))
    assert len(playlist.tracks) == 30
    assert_well_formed(playlist, await tracks_of(gw, playlist))
    assert playlist.seeds
    assert playlist.profile is profile
    assert 0 < playlist.quality.mean_distance < 0.3
    assert playlist.quality.artist_diversity > 0.5
    assert 0 < playlist.quality.seed_coverage <= 1
    data = playlist.to_json()
    assert {"tracks", "profile", "seeds", "quality", "upstream_requests"} <= set(data)
    assert {"id", "spotify_id", "title", "artists", "features", "score", "reason"} <= set(
        data["tracks"][0]
    )


async def test_cold_costs_at_most_15_requests_and_a_warm_repeat_none(
    gateway: Gateway, simulator: SimulatorServer
) -> None:
    gw = gateway()
    cold = await make_playlist(gw, request(RAINY))
    assert 0 < cold.upstream_requests <= 15
    before = simulator.counters.total
    assert before <= 15
    warm = await make_playlist(gw, request(RAINY))
    assert warm.upstream_requests == 0
    assert simulator.counters.total == before
    assert [t.id for t in warm.tracks] == [t.id for t in cold.tracks]
    await gw.aclose()
    assert simulator.counters.total <= 15  # background work included


@pytest.mark.parametrize("profile_name", ["seed", "legacy", "adaptive"])
async def test_every_profile_stays_within_the_cold_budget(
    gateway: Gateway, simulator: SimulatorServer, profile_name: str
) -> None:
    gw = gateway(profile=profile_name, rate_per_min=60_000, burst=50)
    playlist = await make_playlist(gw, request(WORKOUT))
    assert len(playlist.tracks) == 30
    await gw.aclose()
    assert simulator.counters.total <= 15


async def test_explicit_seeds_are_accepted_in_every_form(
    gateway: Gateway, catalog: Catalog
) -> None:
    sids = catalog.track_spotify_ids()
    uuids = catalog.track_ids()
    given = (
        sids[0],
        f"spotify:track:{sids[1]}",
        f"https://open.spotify.com/track/{sids[2]}?si=abc123",
        f"https://open.spotify.com/intl-de/track/{sids[3]}",
        uuids[4],
        uuids[5].upper(),
    )
    playlist = await make_playlist(gateway(), request(RAINY, seeds=given))
    explicit = [s for s in playlist.seeds if s.source == "explicit"]
    assert [s.given for s in explicit] == list(given)
    assert [s.id for s in explicit] == [uuids[i] for i in range(6)]
    assert all(s.source == "explicit" for s in playlist.seeds)  # no anchors needed
    assert not playlist.skipped_seeds
    assert len(playlist.tracks) == 30
    assert not {s.id for s in playlist.seeds} & {t.id for t in playlist.tracks}


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("not-a-track", "is not a Spotify id"),
        ("spotify:track:short", "spotify:track"),
        (
            "https://open.spotify.com/artist/4tZwfgrHOc3mvqYlEYSvVi",
            "is a Spotify artist, not a track",
        ),
    ],
)
async def test_a_malformed_seed_is_named_with_the_reason(
    gateway: Gateway, simulator: SimulatorServer, catalog: Catalog, bad: str, why: str
) -> None:
    events: list[Progress] = []
    good = catalog.track_spotify_ids()[0]
    with pytest.raises(SeedError, match=why) as caught:
        await make_playlist(gateway(), request(RAINY, seeds=(good, bad)), on_progress=events.append)
    assert caught.value.seed == bad
    assert repr(bad) in str(caught.value)
    assert events[-1].stage == "failed"
    assert simulator.counters.total == 0  # refused before asking anything


async def test_unknown_seeds_are_skipped_while_others_remain(
    gateway: Gateway, catalog: Catalog
) -> None:
    unknown = catalog.unknown_spotify_ids()[:2]
    known = catalog.track_spotify_ids()[10]
    playlist = await make_playlist(gateway(), request(RAINY, seeds=(unknown[0], known, unknown[1])))
    assert [s.spotify_id for s in playlist.seeds] == [known]
    assert [s.seed for s in playlist.skipped_seeds] == list(unknown)
    assert all("does not know" in s.why for s in playlist.skipped_seeds)
    assert len(playlist.tracks) == 30


async def test_only_unknown_seeds_is_an_error_naming_them(
    gateway: Gateway, catalog: Catalog
) -> None:
    unknown = catalog.unknown_spotify_ids()[:2]
    with pytest.raises(SeedError, match="knows none of the seeds") as caught:
        await make_playlist(gateway(), request(RAINY, seeds=tuple(unknown)))
    assert all(u in str(caught.value) for u in unknown)


async def test_artists_named_in_the_prompt_seed_the_playlist(gateway: Gateway) -> None:
    playlist = await make_playlist(gateway(), request(ADELE))
    assert playlist.seeds
    assert all(s.source == "artist" and s.given == "Adele" for s in playlist.seeds)
    assert all("Adele" in s.artists for s in playlist.seeds)


async def test_without_seeds_or_artists_anchor_artists_seed_it(gateway: Gateway) -> None:
    playlist = await make_playlist(gateway(), request(WORKOUT))
    assert {s.source for s in playlist.seeds} == {"anchor"}
    assert {s.given for s in playlist.seeds} <= {"Kendrick Lamar", "Drake", "Kanye West", "Eminem"}
    assert len(playlist.seeds) <= 10


async def test_progress_events_come_in_order_and_end_with_done(gateway: Gateway) -> None:
    events: list[Progress] = []
    playlist = await make_playlist(gateway(), request(FOCUS), on_progress=events.append)
    stages = [e.stage for e in events if e.stage != "waiting"]
    assert stages[:2] == ["mood", "seeds"]
    assert stages[-2:] == ["scoring", "done"]
    chunks = [e for e in events if e.stage == "candidates"]
    total = chunks[0].total
    assert total is not None
    assert [e.current for e in chunks] == [*range(total + 1), total]  # calls, then features
    assert all(e.total == total for e in chunks)
    assert all(json.loads(json.dumps(e.to_json()))["stage"] == e.stage for e in events)
    assert str(len(playlist.tracks)) in events[-1].message


async def test_quota_waits_are_reported_with_their_expected_length(gateway: Gateway) -> None:
    events: list[Progress] = []
    gw = gateway(rate_per_min=120, burst=1)  # a request every 0.5 s: a cold run queues
    await make_playlist(gw, request(RAINY, size=5), on_progress=events.append)
    waits = [e for e in events if e.stage == "waiting"]
    assert waits
    assert all(e.wait_s is not None and e.wait_s > 0 for e in waits)
    assert events[-1].stage == "done"


async def test_fill_to_a_duration(gateway: Gateway) -> None:
    playlist = await make_playlist(gateway(), request(RAINY, duration_s=45 * 60))
    total = playlist.quality.duration_ms
    assert abs(total - 45 * 60_000) <= 90_000
    assert playlist.to_json()["quality"]["duration_ms"] == total


@pytest.mark.parametrize("size", [5, 60])
async def test_other_sizes_are_met(gateway: Gateway, size: int) -> None:
    gw = gateway()
    playlist = await make_playlist(gw, request(WORKOUT, size=size))
    assert len(playlist.tracks) == size
    assert_well_formed(playlist, await tracks_of(gw, playlist))


async def test_each_order_mode_orders_the_same_tracks(gateway: Gateway) -> None:
    gw = gateway()
    arc = await make_playlist(gw, request(RAINY, order="arc"))
    smooth = await make_playlist(gw, request(RAINY, order="smooth"))
    scored = await make_playlist(gw, request(RAINY, order="score"))
    assert sorted(t.id for t in arc.tracks) == sorted(t.id for t in smooth.tracks)
    assert sorted(t.id for t in arc.tracks) == sorted(t.id for t in scored.tracks)
    assert smooth.upstream_requests == scored.upstream_requests == 0
    scores = [t.score for t in scored.tracks]
    assert scores == sorted(scores, reverse=True)
    energies = [t.features["energy"] for t in arc.tracks]
    peak = energies.index(max(energies))
    assert energies[: peak + 1] == sorted(energies[: peak + 1])
    assert energies[peak:] == sorted(energies[peak:], reverse=True)
    assert arc_level(peak, len(energies)) > 0.9


async def test_the_artist_cap_can_be_changed(gateway: Gateway) -> None:
    gw = gateway()
    playlist = await make_playlist(gw, request(FOCUS, artist_cap=1))
    assert_well_formed(playlist, await tracks_of(gw, playlist), cap=1)


async def test_fit_against_the_raw_recommendations(
    gateway: Gateway, simulator: SimulatorServer
) -> None:
    gw = gateway()
    req = request(WORKOUT)
    playlist = await make_playlist(gw, req)
    before = simulator.counters.total
    targeted = await measure_fit(gw, req, playlist, baseline="targeted")
    assert simulator.counters.total == before  # the same calls, answered by the cache
    assert targeted.raw_tracks == targeted.tracks == 30
    assert targeted.playlist_distance == playlist.quality.mean_distance
    assert targeted.raw_distance > 0
    plain = await measure_fit(gw, req, playlist)
    assert plain.raw_distance > playlist.quality.mean_distance
    assert plain.improvement > 0
    assert plain.to_json()["baseline"] == "plain"


async def test_a_playlist_that_falls_short_is_topped_up_once_and_says_so(
    gateway: Gateway,
) -> None:
    gw = gateway()
    playlist = await make_playlist(gw, request(RAINY, size=100, artist_cap=1))
    assert len(playlist.tracks) < 100
    assert any("topped up" in note for note in playlist.notes)
    assert any(note.startswith(f"only {len(playlist.tracks)} tracks") for note in playlist.notes)
    assert_well_formed(playlist, await tracks_of(gw, playlist), cap=1)


async def test_an_artist_not_found_is_noted_and_anchors_step_in(gateway: Gateway) -> None:
    profile = dataclasses.replace(
        ADELE, recognised=Recognised(moods=("heartbroken",), artists=("Qqzzx Nobody",))
    )
    playlist = await make_playlist(gateway(), request(profile))
    assert playlist.notes == ("no artist found for 'Qqzzx Nobody'",)
    assert {s.source for s in playlist.seeds} == {"anchor"}
    assert len(playlist.tracks) == 30
