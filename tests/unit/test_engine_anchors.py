"""Anchor artists: real names per genre and mood, picked for a profile."""

from __future__ import annotations

import pytest

from moodmix.data import ARTISTS
from moodmix.engine.anchors import (
    GENRE_ANCHORS,
    MOOD_ANCHORS,
    anchor_artists,
    canonical_genre,
    genre_of,
    genres_by_sound,
)
from moodmix.engine.folding import fold
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile, Recognised
from moodmix.engine.vocabulary.tables import GENRES, TYPICAL_SOUND


def make_profile(
    targets: dict[str, float] | None = None,
    weights: dict[str, float] | None = None,
    **recognised: tuple[str, ...],
) -> MoodProfile:
    base = {name: 0.5 for name in FEATURES} | {"tempo": 110.0, "loudness": -8.0, "mode": 1.0}
    return MoodProfile(
        text="test",
        targets=base | (targets or {}),
        ranges={name: SCALES[name] for name in FEATURES},
        weights={name: 0.0 for name in FEATURES} | (weights or {}),
        recognised=Recognised(**recognised),
    )


def test_every_mood_anchor_is_listed_under_a_genre() -> None:
    for word, names in MOOD_ANCHORS.items():
        for name in names:
            assert genre_of(name) is not None, (word, name)


def test_every_genre_has_anchors_and_a_sound() -> None:
    assert set(TYPICAL_SOUND) == set(GENRE_ANCHORS)
    assert all(len(names) >= 3 for names in GENRE_ANCHORS.values())


def test_every_genre_the_analyser_knows_has_anchors() -> None:
    for spec in GENRES:
        label = spec.words.split(",")[0]
        assert canonical_genre(label) in GENRE_ANCHORS, label


def test_anchors_are_artists_the_analyser_knows_under_the_same_genre() -> None:
    for genre, names in GENRE_ANCHORS.items():
        assert set(names) <= set(ARTISTS[genre]), genre


def test_each_artist_is_listed_once() -> None:
    names = [name for names in GENRE_ANCHORS.values() for name in names]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("name", "genre"),
    [
        ("Hip Hop", "hip-hop"),
        ("hip-hop", "hip-hop"),
        ("RnB", "r&b"),
        ("R&B", "r&b"),
        ("lofi", "lo-fi"),
        ("Lo-Fi", "lo-fi"),
        ("EDM", "electronic"),
        ("Classic Rock", "rock"),
        ("bossa nova", "latin"),
        ("polka", None),
    ],
)
def test_genre_names_are_understood_in_their_common_spellings(name: str, genre: str | None) -> None:
    assert canonical_genre(name) == genre


def test_fold_drops_case_accents_and_punctuation() -> None:
    assert fold("Sigur Rós!") == "sigur ros"
    assert fold("Simon & Garfunkel") == "simon and garfunkel"


def test_recognised_genres_come_first_and_take_turns() -> None:
    names = anchor_artists(make_profile(genres=("jazz", "hip hop")))
    assert names[:4] == ("Miles Davis", "Kendrick Lamar", "John Coltrane", "Drake")
    assert {genre_of(n) for n in names} == {"jazz", "hip-hop"}


def test_within_a_genre_the_mood_fitting_names_come_first() -> None:
    names = anchor_artists(make_profile(genres=("jazz",), settings=("rain",)))
    assert names[0] == "Norah Jones"


def test_without_genres_the_moods_settings_and_activities_pick_the_anchors() -> None:
    profile = make_profile(
        {"energy": 0.2, "acousticness": 0.85},
        {"energy": 1.0, "acousticness": 1.0},
        moods=("mellow",),
        settings=("rainy", "Sunday"),
    )
    names = anchor_artists(profile)
    suggested = {*MOOD_ANCHORS["mellow"], *MOOD_ANCHORS["rainy"], *MOOD_ANCHORS["sunday"]}
    assert set(names) == suggested
    nearest = genres_by_sound(profile, {genre_of(n) or "" for n in names})
    assert [genre_of(n) for n in names[:3]] == nearest[:3]


def test_words_inside_a_longer_term_are_looked_up_too() -> None:
    assert anchor_artists(make_profile(settings=("late night",)))[0] in MOOD_ANCHORS["night"]


def test_with_nothing_recognised_the_nearest_genres_by_sound_are_used() -> None:
    loud = make_profile({"energy": 0.95, "valence": 0.25, "acousticness": 0.0}, {"energy": 1.0})
    assert genres_by_sound(loud)[0] in {"metal", "punk"}
    names = anchor_artists(loud)
    assert genre_of(names[0]) == genres_by_sound(loud)[0]
    assert len({genre_of(n) for n in names[:3]}) == 3


def test_anchor_lists_hold_no_duplicates() -> None:
    names = anchor_artists(make_profile(moods=("calm", "relaxed", "chill")))
    assert len(names) == len(set(names))
