"""Duplicates and unwanted versions are dropped; the best-ranked copy stays."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.engine.filters import (
    base_title,
    dedupe,
    drop_versions,
    identity,
    unwanted_version,
)
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile
from moodmix.engine.scored import Candidate, Scored
from moodmix.reccobeats.models import Artist, AudioFeatures, Track

PROFILE = MoodProfile(
    "test",
    {name: 0.5 for name in FEATURES} | {"tempo": 110.0, "loudness": -8.0},
    {name: SCALES[name] for name in FEATURES},
    {name: 0.5 for name in FEATURES},
)


def item(id: str, title: str = "Song", artist: str = "Ann", *, isrc: str | None = None) -> Scored:
    track = Track(
        id=id,
        track_title=title,
        artists=[Artist(id=f"a-{artist}", name=artist)],
        isrc=isrc,
        duration_ms=200_000,
    )
    features = AudioFeatures(
        id=id,
        acousticness=0.5,
        danceability=0.5,
        energy=0.5,
        instrumentalness=0.5,
        liveness=0.1,
        loudness=-8.0,
        speechiness=0.05,
        tempo=110.0,
        valence=0.5,
    )
    return Scored.of(Candidate(track, features), PROFILE)


def ids(items: list[Scored]) -> list[str]:
    return [i.track.id for i in items]


def test_the_same_id_twice_keeps_the_first() -> None:
    assert ids(dedupe([item("1", "One"), item("2", "Two"), item("1", "One")])) == ["1", "2"]


def test_the_same_isrc_is_the_same_recording() -> None:
    ranked = [item("1", "One", isrc="USAB12300001"), item("2", "Uno", isrc="usab12300001 ")]
    assert ids(dedupe(ranked)) == ["1"]


def test_the_same_title_and_lead_artist_is_the_same_song() -> None:
    ranked = [
        item("1", "Yesterday", "The Beatles"),
        item("2", "Yesterday (Remastered 2009)", "the beatles"),
        item("3", "Yesterday - 2015 Mix", "The Beatles"),
        item("4", "Yesterday", "Another Band"),
        item("5", "Yesterday feat. Somebody", "The Beatles"),
    ]
    assert ids(dedupe(ranked)) == ["1", "4"]


def test_titles_differing_only_in_case_accents_and_punctuation_are_the_same() -> None:
    ranked = [item("1", "Café del Mar!", "Energy 52"), item("2", "cafe del mar", "ENERGY 52")]
    assert ids(dedupe(ranked)) == ["1"]


def test_base_title_drops_version_parts_and_features() -> None:
    assert base_title("Halo (Live) [Remastered] - Radio Edit") == "halo"
    assert base_title("Dancing with the Stars") == "dancing with the stars"
    assert base_title("Run ft. Someone") == "run"


@pytest.mark.parametrize(
    ("title", "unwanted", "found"),
    [
        ("Halo (Live at Wembley)", ("live",), "live"),
        ("Halo - Live", ("live",), "live"),
        ("Live Forever", ("live",), None),
        ("Alive", ("live",), None),
        ("Strobe (Club Mix)", ("remix",), "remix"),
        ("Strobe - Remix", ("remix",), "remix"),
        ("Strobe Remix", ("remix",), "remix"),
        ("Strobe (Original Mix)", ("remix",), None),
        ("Karaoke Night", ("karaoke",), "karaoke"),
        ("Hello [Karaoke Version]", ("karaoke",), "karaoke"),
        ("Hello (Acoustic)", ("karaoke", "acoustic"), "acoustic"),
        ("Hello (Unplugged)", ("live",), "live"),
        ("Hello (Sped Up)", ("sped up",), "sped up"),
        ("Hello", ("live", "remix", "karaoke"), None),
        ("Hello (Live)", (), None),
    ],
)
def test_versions_are_recognised_in_the_version_part(
    title: str, unwanted: tuple[str, ...], found: str | None
) -> None:
    assert unwanted_version(title, unwanted) == found


def test_drop_versions_keeps_order_and_the_wanted_ones() -> None:
    ranked = [item("1", "A (Live)"), item("2", "B"), item("3", "C - Remix"), item("4", "D")]
    assert ids(drop_versions(ranked, ("live", "remix"))) == ["2", "4"]
    assert ids(drop_versions(ranked, ())) == ["1", "2", "3", "4"]


rows = st.lists(
    st.tuples(
        st.sampled_from(["1", "2", "3", "4", "5", "6"]),
        st.sampled_from(["Song", "song!", "Song (Live)", "Other", "Third - Remix"]),
        st.sampled_from(["Ann", "ann", "Bo"]),
        st.sampled_from([None, "ISRC1", "isrc1", "ISRC2"]),
    ),
    max_size=25,
)


@given(rows)
def test_dedupe_keeps_a_subsequence_without_any_duplicate(
    given_rows: list[tuple[str, str, str, str | None]],
) -> None:
    ranked = [item(i, title, artist, isrc=isrc) for i, title, artist, isrc in given_rows]
    kept = dedupe(ranked)
    positions = [ranked.index(k) for k in kept]
    assert positions == sorted(positions)
    for n, a in enumerate(kept):
        for b in kept[n + 1 :]:
            assert a.track.id != b.track.id
            assert identity(a.track) != identity(b.track)
            if a.track.isrc and b.track.isrc:
                assert a.track.isrc.strip().upper() != b.track.isrc.strip().upper()
    dropped = [r for r in ranked if r not in kept]
    for d in dropped:  # each dropped one duplicates something kept before it
        assert any(
            k.track.id == d.track.id
            or identity(k.track) == identity(d.track)
            or (k.track.isrc or "x").upper() == (d.track.isrc or "y").upper()
            for k in kept
        )
