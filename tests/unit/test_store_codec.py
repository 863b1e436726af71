from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.reccobeats.models import Artist, AudioFeatures, Track
from moodmix.store import JsonCodec, ModelCodec

TRACK = Track(
    id="6f0d4a3e-53a5-4a6b-8a93-2f0c6a1f7a9b",
    href="https://open.spotify.com/track/00aqkszH1FdUiJJWvX6iEl",
    track_title="Rainy Sunday",
    artists=[Artist(id="a-1", name="Someone", href=None)],
    duration_ms=201_000,
    popularity=40,
)

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(), inner, max_size=5),
    max_leaves=20,
)


@given(value=json_values)
def test_json_codec_round_trips_json_values(value: Any) -> None:
    codec = JsonCodec()
    assert codec.decode(codec.encode(value)) == value


def test_json_codec_writes_models_in_wire_form() -> None:
    codec = JsonCodec()
    decoded = codec.decode(codec.encode({"content": [TRACK]}))
    assert decoded == {"content": [TRACK.to_wire()]}
    assert decoded["content"][0]["trackTitle"] == "Rainy Sunday"


def test_json_codec_rejects_what_json_cannot_hold() -> None:
    with pytest.raises(TypeError):
        JsonCodec().encode({"x": object()})


def test_model_codec_round_trips_a_model_and_a_list_of_models() -> None:
    one = ModelCodec(Track)
    assert one.decode(one.encode(TRACK)) == TRACK
    assert b'"trackTitle"' in one.encode(TRACK)
    many = ModelCodec(list[Track])
    assert many.decode(many.encode([TRACK, TRACK])) == [TRACK, TRACK]


@given(
    values=st.lists(st.floats(0, 1, allow_nan=False), min_size=9, max_size=9),
    key=st.none() | st.integers(-1, 11),
)
def test_model_codec_round_trips_audio_features(values: list[float], key: int | None) -> None:
    names = [
        "acousticness",
        "danceability",
        "energy",
        "instrumentalness",
        "liveness",
        "loudness",
        "speechiness",
        "tempo",
        "valence",
    ]
    features = AudioFeatures(**dict(zip(names, values, strict=True)), key=key)
    codec = ModelCodec(AudioFeatures)
    assert codec.decode(codec.encode(features)) == features


def test_model_codec_rejects_bytes_of_another_shape() -> None:
    with pytest.raises(ValueError, match="validation error"):
        ModelCodec(Track).decode(b'{"nope": 1}')
