from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.reccobeats.models import Artist, AudioFeatures, Track
from moodmix.store import JsonCodec, ListCodec, ModelCodec

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


tracks = st.builds(
    Track,
    id=st.text(min_size=1, max_size=40),
    href=st.none() | st.text(max_size=60),
    track_title=st.text(max_size=40),
    artists=st.lists(
        st.builds(Artist, id=st.text(min_size=1, max_size=10), name=st.text(max_size=20)),
        max_size=3,
    ),
    duration_ms=st.none() | st.integers(0, 2**40),
    popularity=st.none() | st.integers(0, 100),
)


@given(values=st.lists(tracks, max_size=6))
def test_list_codec_writes_the_bytes_of_a_list_model_codec(values: list[Track]) -> None:
    as_list = ModelCodec(list[Track])
    for items in (ModelCodec(Track), ModelCodec(Track, remember=2)):
        codec = ListCodec(items)
        assert codec.encode(values) == as_list.encode(values)
        assert codec.encode(values) == as_list.encode(values)  # again, remembered or not
        assert codec.decode(codec.encode(values)) == values


def test_list_codec_keeps_extra_fields_as_a_list_model_codec_does() -> None:
    odd = Track.model_validate({"id": "x", "trackTitle": "t", "newField": [1, {"a": None}]})
    assert ListCodec(ModelCodec(Track)).encode([odd, TRACK]) == ModelCodec(list[Track]).encode(
        [odd, TRACK]
    )


def test_a_remembered_value_gives_its_bytes_again_and_an_equal_copy_is_encoded() -> None:
    codec = ModelCodec(Track, remember=2)
    first = codec.encode(TRACK)
    assert codec.encode(TRACK) is first  # the same object: the bytes kept
    copy = TRACK.model_copy()
    again = codec.encode(copy)
    assert again == first
    assert again is not first  # another object: encoded


def test_remembering_is_bounded_and_holds_what_it_remembers() -> None:
    codec = ModelCodec(Track, remember=2)
    values = [TRACK.model_copy(update={"track_title": f"t{i}"}) for i in range(3)]
    kept = [codec.encode(v) for v in values]
    assert codec.encode(values[2]) is kept[2]
    assert codec.encode(values[0]) is not kept[0]  # pushed out by the third
    assert codec.encode(values[0]) == kept[0]


@pytest.mark.parametrize("bad", [-1, 1.5, True, "2"])
def test_remember_must_be_a_count(bad: object) -> None:
    with pytest.raises(ValueError, match="remember must be an integer >= 0"):
        ModelCodec(Track, remember=bad)  # type: ignore[arg-type]


def test_list_codec_fails_on_what_is_not_a_list_as_a_list_model_codec_does() -> None:
    with pytest.raises(ValueError, match="validation error"):
        ListCodec(ModelCodec(Track)).decode(b'{"content": []}')
