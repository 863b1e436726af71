"""Reasons: the words always agree with the numbers shown beside them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.engine.order import energy_arc
from moodmix.engine.playlist import SeedTrack
from moodmix.engine.profile import FEATURES, SCALES, MoodProfile, Recognised
from moodmix.engine.reasons import (
    BANDS,
    CLOSE,
    NEAR,
    closeness,
    describe,
    reasons,
    shown_value,
    word_for,
)
from moodmix.engine.scored import Candidate, Scored
from moodmix.reccobeats.models import AudioFeatures, Track

_PART = re.compile(
    r"(?P<word>[a-zA-Z][a-z-]*(?: [a-z-]+)?) \((?P<name>[a-z]+) (?P<value>-?[\d.]+)(?: BPM| dB)?\)"
)


def make_profile(
    text: str = "rainy Sunday, mellow acoustic",
    targets: dict[str, float] | None = None,
    weights: dict[str, float] | None = None,
    **recognised: object,
) -> MoodProfile:
    base = {name: 0.5 for name in FEATURES} | {"tempo": 110.0, "loudness": -8.0, "mode": 1.0}
    return MoodProfile(
        text=text,
        targets=base | (targets or {}),
        ranges={name: SCALES[name] for name in FEATURES},
        weights={name: 0.0 for name in FEATURES} | (weights or {}),
        recognised=Recognised(**recognised),  # type: ignore[arg-type]
    )


feature_sets = st.fixed_dictionaries(
    {
        **{name: st.floats(0, 1) for name in FEATURES if name not in ("tempo", "loudness", "mode")},
        "tempo": st.floats(40, 220),
        "loudness": st.floats(-60, 0),
        "mode": st.sampled_from([0.0, 1.0]),
    }
)
weight_sets = st.fixed_dictionaries({name: st.floats(0, 1) for name in FEATURES})


@pytest.mark.parametrize(
    ("name", "value", "word"),
    [
        ("energy", 0.1, "calm"),
        ("energy", 0.5, "steady"),
        ("energy", 0.9, "energetic"),
        ("valence", 0.2, "sombre"),
        ("valence", 0.8, "bright"),
        ("acousticness", 0.9, "acoustic"),
        ("acousticness", 0.1, "electric"),
        ("instrumentalness", 0.9, "instrumental"),
        ("speechiness", 0.5, "rap-like"),
        ("tempo", 80.0, "slow"),
        ("tempo", 170.0, "fast"),
        ("loudness", -20.0, "quiet"),
        ("loudness", -4.0, "loud"),
        ("mode", 0.0, "in a minor key"),
    ],
)
def test_each_band_has_its_word(name: str, value: float, word: str) -> None:
    assert word_for(name, value) == word


def test_the_word_comes_from_the_number_shown_not_the_raw_value() -> None:
    assert describe("energy", 0.349999) == "steady (energy 0.35)"
    assert describe("tempo", 89.6) == "mid-tempo (tempo 90 BPM)"
    assert describe("loudness", -14.04) == "moderately loud (loudness -14.0 dB)"


def test_closeness_follows_the_gap_on_one_feature() -> None:
    assert closeness(CLOSE / 2) == "close to"
    assert closeness((CLOSE + NEAR) / 2) == "near"
    assert closeness(NEAR + 0.1) == "further from"


@given(st.lists(feature_sets, min_size=1, max_size=12), feature_sets, weight_sets)
def test_every_reason_is_consistent_with_the_features_and_none_repeats(
    tracks: list[dict[str, float]], targets: dict[str, float], weights: dict[str, float]
) -> None:
    profile = make_profile(targets=targets, weights=weights)
    items = [_scored(str(i), values, profile) for i, values in enumerate(tracks)]
    said = reasons(items, profile, order="arc")
    assert len(set(said)) == len(said)
    for text, values in zip(said, tracks, strict=True):
        parts = list(_PART.finditer(text))
        modes = [w for w in ("in a minor key", "in a major key") if w in text]
        assert parts or modes, text
        for part in parts:
            name, shown = part["name"], float(part["value"])
            assert shown == pytest.approx(shown_value(name, values[name]), abs=1e-9)
            word = part["word"].lower()
            assert word == word_for(name, shown)
            low = max((b for b, _ in BANDS[name] if b <= shown), default=float("-inf"))
            assert dict((w, b) for b, w in BANDS[name])[word] > shown >= low
        for phrase in modes:
            assert phrase == word_for("mode", values["mode"])


def _scored(id: str, values: dict[str, float], profile: MoodProfile) -> Scored:
    track = Track.model_validate({"id": id, "trackTitle": f"Song {id}", "artists": []})
    features = AudioFeatures(
        id=id, **{k: v for k, v in values.items() if k != "mode"}, mode=int(values["mode"])
    )
    return Scored.of(Candidate(track, features), profile)


def _item(id: str, energy: float, valence: float, artist: str = "Someone") -> Scored:
    track = Track.model_validate(
        {"id": id, "trackTitle": f"Song {id}", "artists": [{"id": f"a-{artist}", "name": artist}]}
    )
    features = AudioFeatures(
        id=id,
        acousticness=0.5,
        danceability=0.5,
        energy=energy,
        instrumentalness=0.1,
        liveness=0.1,
        loudness=-8.0,
        speechiness=0.05,
        tempo=110.0,
        valence=valence,
        mode=1,
    )
    return Scored.of(Candidate(track, features), PLAIN)


PLAIN = make_profile(targets={"energy": 0.3, "valence": 0.6}, weights={"energy": 1, "valence": 1})


def test_each_track_says_what_sets_it_apart_and_where_it_sits() -> None:
    items = [_item("a", 0.30, 0.20), _item("b", 0.60, 0.60), _item("c", 0.90, 0.90)]
    said = reasons(items, PLAIN, order="arc")
    assert said[0].startswith("Opens the playlist: calm (energy 0.30), the nearest of all")
    assert said[1].startswith("The peak: bittersweet (valence 0.60), the nearest of all")
    assert said[2].startswith("Closes the playlist:")
    assert "mean distance" not in " ".join(said)


def test_no_two_tracks_share_a_sentence_even_when_they_are_alike() -> None:
    items = [_item(str(i), 0.5, 0.5) for i in range(6)]
    said = reasons(items, PLAIN, order="smooth")
    assert len(set(said)) == len(said)


def test_seed_relations_are_named() -> None:
    seed = SeedTrack("s", None, "Rain Song", ("Seed Artist",), "explicit", "s")
    anchor = SeedTrack("t", None, "Anchor Song", ("Anchor Artist",), "anchor", "Anchor Artist")
    items = [_item("a", 0.3, 0.6), _item("b", 0.9, 0.1, artist="Anchor Artist")]
    values = {"s": dict(items[0].values)}
    said = reasons(items, PLAIN, seeds=[seed, anchor], seed_values=values, order="score")
    assert said[0].startswith("The best fit of all")
    assert (
        "the closest of all in sound to your seed \u201cRain Song\u201d by Seed Artist" in said[0]
    )
    assert "by Anchor Artist, one of the artists this mood starts from" in said[1]


@pytest.mark.parametrize("count", [2, 3, 7, 10, 31])
def test_the_peak_is_the_most_energetic_track_of_the_arc(count: int) -> None:
    items = energy_arc([_item(str(i), (i * 37 % 101) / 100, 0.5) for i in range(count)])
    said = reasons(items, PLAIN, order="arc")
    peaks = [i for i, text in enumerate(said) if text.startswith("The peak:")]
    top = max(range(count), key=lambda i: items[i].values["energy"])
    assert peaks == ([top] if count > 2 else [])
    assert said[0].startswith("Opens the playlist:")
    assert said[-1].startswith("Closes the playlist:")
