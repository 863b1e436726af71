"""Round trips and fault shapes: what the cache stores decodes to what was stored, and the
simulator's batch faults change a batch only as documented."""

from __future__ import annotations

import random
from typing import Any

import orjson
from hypothesis import given
from hypothesis import strategies as st

from moodmix.reccobeats.models import Artist, AudioFeatures, Track
from moodmix.simulator.faults import add_items, drop_items
from moodmix.store import ModelCodec

texts = st.text(max_size=40)
optional_ints = st.none() | st.integers(0, 2**31)
unit = st.floats(0, 1, allow_nan=False)

artists = st.builds(
    Artist, id=texts, name=texts, href=st.none() | texts.map(lambda t: f"https://x/{t}")
)
tracks = st.builds(
    Track,
    id=texts,
    href=st.none() | st.just("https://open.spotify.com/track/00aqkszH1FdUiJJWvX6iEl"),
    track_title=texts,
    artists=st.lists(artists, max_size=3),
    duration_ms=optional_ints,
    isrc=st.none() | texts,
    popularity=st.none() | st.integers(0, 100),
)
features = st.builds(
    AudioFeatures,
    id=st.none() | texts,
    acousticness=unit,
    danceability=unit,
    energy=unit,
    instrumentalness=unit,
    liveness=unit,
    speechiness=unit,
    valence=unit,
    loudness=st.floats(-60, 2, allow_nan=False),
    tempo=st.floats(0, 250, allow_nan=False),
)


@given(track=tracks)
def test_a_track_survives_the_cache_codec(track: Track) -> None:
    codec = ModelCodec(Track)
    assert codec.decode(codec.encode(track)) == track


@given(items=st.lists(tracks, max_size=5))
def test_a_list_of_tracks_survives_the_cache_codec(items: list[Track]) -> None:
    codec = ModelCodec(list[Track])
    assert codec.decode(codec.encode(items)) == items


@given(value=features)
def test_audio_features_survive_the_cache_codec(value: AudioFeatures) -> None:
    codec = ModelCodec(AudioFeatures)
    assert codec.decode(codec.encode(value)) == value


batches = st.lists(
    st.fixed_dictionaries({"id": st.uuids().map(str), "energy": unit}), min_size=1, max_size=40
)


@given(content=batches, seed=st.integers(0, 2**32))
def test_drop_items_leaves_out_some_but_never_all_and_keeps_order(
    content: list[dict[str, Any]], seed: int
) -> None:
    out = orjson.loads(drop_items(orjson.dumps({"content": content}), random.Random(seed)))
    kept = out["content"]
    assert len(kept) < len(content)
    assert len(kept) >= len(content) // 2
    positions = [content.index(item) for item in kept]
    assert positions == sorted(positions)


@given(content=batches, seed=st.integers(0, 2**32))
def test_add_items_keeps_every_item_and_adds_one_to_three(
    content: list[dict[str, Any]], seed: int
) -> None:
    out = orjson.loads(add_items(orjson.dumps({"content": content}), random.Random(seed)))
    grown = out["content"]
    assert 1 <= len(grown) - len(content) <= 3
    for item in content:
        assert item in grown


@given(body=st.binary(max_size=200), seed=st.integers(0, 2**32))
def test_batch_faults_leave_other_bodies_alone(body: bytes, seed: int) -> None:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        payload = None
    if isinstance(payload, dict) and isinstance(payload.get("content"), list):
        return
    assert drop_items(body, random.Random(seed)) == body
    assert add_items(body, random.Random(seed)) == body
