"""Exclusions: what a request may leave out, checked up front, and applied to real tracks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from moodmix.engine.exclusions import Exclusions, NothingLeft, explicit_flag, release_year
from moodmix.engine.playlist import PlaylistRequest
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.engine.scored import Candidate, Scored
from moodmix.reccobeats.models import AudioFeatures, Track

SPOTIFY_TRACK = "00aqkszH1FdUiJJWvX6iEl"
UUID = "8212bab8-5911-48a0-b177-24923ef2329a"
ARTIST_UUID = "9451b6b2-8746-4d43-abd7-c355ed1e3048"


def track(id: str = UUID, **extra: Any) -> Track:
    payload: dict[str, Any] = {
        "id": id,
        "trackTitle": "Wicked Games",
        "artists": [
            {
                "id": ARTIST_UUID,
                "name": "The Weeknd",
                "href": "https://open.spotify.com/artist/1Xyo4u8uXC1ZmMpatF05PJ",
            }
        ],
        "durationMs": 325_305,
        "isrc": "USUM72104140",
        "href": f"https://open.spotify.com/track/{SPOTIFY_TRACK}",
    }
    return Track.model_validate(payload | extra)


def scored(t: Track) -> Scored:
    features = AudioFeatures(
        id=t.id,
        acousticness=0.5,
        danceability=0.5,
        energy=0.5,
        instrumentalness=0.1,
        liveness=0.1,
        loudness=-8.0,
        speechiness=0.05,
        tempo=110.0,
        valence=0.5,
    )
    profile = MoodProfile(
        "x",
        {name: 0.5 for name in FEATURES} | {"tempo": 110.0, "loudness": -8.0},
        {name: SCALES[name] for name in FEATURES},
        {name: 0.5 for name in FEATURES},
    )
    return Scored.of(Candidate(t, features), profile)


def rules(**kwargs: Any) -> Exclusions:
    return Exclusions.of(PlaylistRequest("rainy Sunday", **kwargs))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"years": (2005, 1990)}, "run forward"),
        ({"years": (1990,)}, "[from, to]"),
        ({"years": (1800, 1990)}, "from 1900 to 2100"),
        ({"years": (1990.5, 2000)}, "whole years"),
        ({"max_track_s": -60}, "longest track"),
        ({"max_track_s": 10}, "longest track"),
        ({"exclude_artists": "Adele"}, "list"),
        ({"exclude_artists": ("",)}, "non-empty"),
        ({"exclude_tracks": tuple(f"t{i}" for i in range(51))}, "at most 50"),
        ({"explicit": "no"}, "true or false"),
        (
            {"seeds": (SPOTIFY_TRACK,), "exclude_tracks": (f"spotify:track:{SPOTIFY_TRACK}",)},
            "both",
        ),
    ],
)
def test_bad_exclusions_are_refused_with_a_clear_message(
    kwargs: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        PlaylistRequest("rainy Sunday", **kwargs)


def test_artists_match_by_name_folded_or_by_either_id() -> None:
    t = track()
    assert rules(exclude_artists=("the weeknd",)).why_out(t) == "by an excluded artist"
    assert rules(exclude_artists=("THE WEEKND!",)).why_out(t) == "by an excluded artist"
    assert rules(exclude_artists=(ARTIST_UUID,)).why_out(t) == "by an excluded artist"
    link = "https://open.spotify.com/artist/1Xyo4u8uXC1ZmMpatF05PJ"
    assert rules(exclude_artists=(link,)).why_out(t) == "by an excluded artist"
    assert rules(exclude_artists=("Weeknd Tribute Band",)).why_out(t) is None


def test_tracks_match_by_id_link_or_title() -> None:
    t = track()
    assert rules(exclude_tracks=(UUID,)).why_out(t) == "an excluded track"
    assert rules(exclude_tracks=(f"spotify:track:{SPOTIFY_TRACK}",)).why_out(t) is not None
    assert rules(exclude_tracks=("wicked games (remastered 2011)",)).why_out(t) is not None
    assert rules(exclude_tracks=("Wicked",)).why_out(t) is None


def test_excluded_ids_become_at_most_five_negative_seeds() -> None:
    ids = tuple(f"{SPOTIFY_TRACK[:-1]}{c}" for c in "ABCDEFG")
    found = rules(exclude_tracks=(*ids, "a title"), exclude_artists=(ARTIST_UUID,))
    assert found.negative_seeds == ids[:5]
    assert rules(exclude_artists=("Adele",)).negative_seeds == ()


def test_length_explicit_and_years_apply_where_the_data_has_them() -> None:
    assert rules(max_track_s=300).why_out(track()) == "too long"
    assert rules(max_track_s=330).why_out(track()) is None
    assert rules(explicit=False).why_out(track(explicit=True)) == "explicit"
    assert rules(explicit=False).why_out(track(explicit=False)) is None
    assert rules(explicit=False).why_out(track()) is None  # unknown: kept
    assert rules(years=(1990, 2000)).why_out(track()) == "from 2021"  # ISRC year 21
    assert rules(years=(2019, 2022)).why_out(track()) is None
    assert rules(years=(1990, 2000)).why_out(track(releaseDate="1997-05-01")) is None
    assert rules(years=(1990, 2000)).why_out(track(isrc=None)) is None  # unknown: kept


def test_the_isrc_year_is_the_latest_century_that_is_not_in_the_future() -> None:
    now = datetime(2026, 12, 7, tzinfo=UTC)
    assert release_year(track(isrc="GBAYE6900123"), now=now) == 1969
    assert release_year(track(isrc="USUM72604140"), now=now) == 2026
    assert release_year(track(isrc="USUM72704140"), now=now) == 1927
    assert release_year(track(isrc="not an isrc"), now=now) is None
    assert explicit_flag(track(explicit="yes")) is None


def test_apply_keeps_order_notes_what_was_unknown_and_refuses_to_leave_nothing() -> None:
    a, b = scored(track()), scored(track("1" * 8 + UUID[8:], trackTitle="Other", artists=[]))
    kept, notes = rules(exclude_artists=("The Weeknd",)).apply([a, b])
    assert kept == [b]
    assert notes == ()
    _, notes = rules(explicit=False).apply([a, b])
    assert notes == (
        "explicit content could not be left out: ReccoBeats does not say which tracks are explicit",
    )
    with pytest.raises(NothingLeft, match="leave none of the 2 candidate tracks"):
        rules(max_track_s=60).apply([a, scored(track(trackTitle="Long"))])
    assert rules().apply([a, b]) == ([a, b], ())
