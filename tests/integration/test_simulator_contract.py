"""Every simulator endpoint against the ReccoBeats contract and the documented examples.

The OpenAPI file and the two example bodies are copies kept in ``tests/contract/``. Where the
contract and the documented example disagree, the example wins (``RECCOBEATS.md``): the real
track example carries ``null`` for ``ean`` and ``upc``, so the schema is amended to allow
``null`` for the fields the example leaves null.
"""

from __future__ import annotations

import copy
import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

CONTRACT = Path(__file__).resolve().parents[1] / "contract"
SPEC: dict[str, Any] = yaml.safe_load((CONTRACT / "reccobeats-openapi.yml").read_text())
TRACK_EXAMPLE: dict[str, Any] = orjson.loads((CONTRACT / "track.json").read_bytes())
FEATURES_EXAMPLE: dict[str, Any] = orjson.loads((CONTRACT / "audio-features.json").read_bytes())
UNKNOWN_UUID = "00000000-0000-4000-8000-000000000000"


def amended_components() -> dict[str, Any]:
    components = copy.deepcopy(SPEC["components"])
    track = components["schemas"]["Track"]["properties"]
    for name, value in TRACK_EXAMPLE.items():
        if value is None:
            track[name]["nullable"] = True
    return components


COMPONENTS = amended_components()
FEATURES_LIST = {
    "type": "object",
    "properties": {
        "content": {"type": "array", "items": {"$ref": "#/components/schemas/AudioFeatures"}}
    },
}
"""``GET /audio-features`` is missing from the contract; its body is a list of features."""


def schema_for(path: str, method: str = "get") -> dict[str, Any]:
    if path == "/audio-features":
        schema: dict[str, Any] = FEATURES_LIST
    else:
        operation = SPEC["paths"][path][method]
        schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    return {**schema, "components": COMPONENTS}


def wav() -> bytes:
    frames = b"\x00\x01" * 800
    header = b"RIFF" + struct.pack("<I", 36 + len(frames)) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    return header + b"data" + struct.pack("<I", len(frames)) + frames


def calls(catalog: Catalog) -> list[tuple[str, str, dict[str, Any]]]:
    """(contract path, URL, request kwargs) for every endpoint, asked with known ids."""
    track_uuid, track_sid = catalog.track_ids()[0], catalog.track_spotify_ids()[1]
    artist_uuid, artist_sid = catalog.artist_ids()[0], catalog.artist_spotify_ids()[1]
    album_uuid = catalog.album_ids()[0]
    artist = catalog.artist(artist_uuid)
    album = catalog.album(album_uuid)
    assert artist is not None
    assert album is not None
    some_tracks = ",".join([*catalog.track_ids()[:20], *catalog.track_spotify_ids()[20:40]])
    return [
        ("/track", "/v1/track", {"params": {"ids": some_tracks}}),
        ("/track/{id}", f"/v1/track/{track_uuid}", {}),
        ("/track/{id}", f"/v1/track/{track_sid}", {}),
        ("/track/{id}/audio-features", f"/v1/track/{track_uuid}/audio-features", {}),
        ("/audio-features", "/v1/audio-features", {"params": {"ids": some_tracks}}),
        (
            "/track/recommendation",
            "/v1/track/recommendation",
            {"params": {"seeds": f"{track_uuid},{artist_sid}", "size": 30, "energy": 0.4}},
        ),
        ("/artist", "/v1/artist", {"params": {"ids": f"{artist_uuid},{artist_sid}"}}),
        ("/artist/{id}", f"/v1/artist/{artist_sid}", {}),
        ("/artist/search", "/v1/artist/search", {"params": {"searchText": artist["name"]}}),
        ("/artist/{id}/album", f"/v1/artist/{artist_uuid}/album", {}),
        ("/artist/{id}/track", f"/v1/artist/{artist_uuid}/track", {}),
        ("/album", "/v1/album", {"params": {"ids": album_uuid}}),
        ("/album/{id}", f"/v1/album/{album_uuid}", {}),
        ("/album/search", "/v1/album/search", {"params": {"searchText": album["albumTitle"]}}),
        ("/album/{id}/track", f"/v1/album/{album_uuid}/track", {}),
        (
            "/analysis/audio-features",
            "/v1/analysis/audio-features",
            {"files": {"audioFile": ("a.wav", wav())}},
        ),
    ]


@pytest.fixture
async def http(simulator: SimulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        yield client


async def fetch(http: httpx.AsyncClient, path: str, url: str, kwargs: dict[str, Any]) -> Any:
    method = "post" if path == "/analysis/audio-features" else "get"
    response = await http.request(method, url, **kwargs)
    assert response.status_code == 200, (url, response.text)
    return response.json()


async def test_every_endpoint_matches_its_response_schema(
    http: httpx.AsyncClient, catalog: Catalog
) -> None:
    checked = set()
    for path, url, kwargs in calls(catalog):
        body = await fetch(http, path, url, kwargs)
        method = "post" if path == "/analysis/audio-features" else "get"
        validator = OAS30Validator(schema_for(path, method))
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(body)
        ]
        assert errors == [], (url, errors[:5])
        if "content" in body:
            assert body["content"], f"{url} returned nothing to check"
        checked.add(path)
    assert checked == set(SPEC["paths"]) | {"/audio-features"}


def test_the_schemas_can_fail() -> None:
    validator = OAS30Validator(schema_for("/track"))
    assert not validator.is_valid({"content": "oops"})
    assert not validator.is_valid({"content": [{**TRACK_EXAMPLE, "durationMs": "3:25"}]})
    assert validator.is_valid({"content": [TRACK_EXAMPLE]})


def same_shape(ours: Any, example: Any, where: str) -> list[str]:
    """Where ``ours`` differs from ``example`` in keys or JSON types (null matches a string)."""
    if example is None:
        return [] if ours is None or isinstance(ours, str) else [f"{where}: {ours!r} not null/str"]
    if isinstance(example, dict):
        if not isinstance(ours, dict) or set(ours) != set(example):
            got = sorted(ours) if isinstance(ours, dict) else type(ours).__name__
            return [f"{where}: keys {got} != {sorted(example)}"]
        return [p for key in example for p in same_shape(ours[key], example[key], f"{where}.{key}")]
    if isinstance(example, list):
        if not isinstance(ours, list) or not ours:
            return [f"{where}: expected a non-empty list"]
        return [
            p for i, item in enumerate(ours) for p in same_shape(item, example[0], f"{where}[{i}]")
        ]
    number = (int, float)
    if isinstance(example, float):
        return (
            []
            if isinstance(ours, number) and not isinstance(ours, bool)
            else [f"{where}: not a number"]
        )
    return (
        []
        if type(ours) is type(example)
        else [f"{where}: {type(ours).__name__} != {type(example).__name__}"]
    )


async def test_tracks_have_the_example_track_shape(
    http: httpx.AsyncClient, catalog: Catalog
) -> None:
    for path, url, kwargs in calls(catalog):
        if path not in {
            "/track",
            "/track/{id}",
            "/track/recommendation",
            "/artist/{id}/track",
            "/album/{id}/track",
        }:
            continue
        body = await fetch(http, path, url, kwargs)
        tracks = body.get("content", [body])
        problems = [p for t in tracks for p in same_shape(t, TRACK_EXAMPLE, url)]
        assert problems == [], problems[:5]


async def test_audio_features_carry_the_example_features(
    http: httpx.AsyncClient, catalog: Catalog
) -> None:
    for path, url, kwargs in calls(catalog):
        if "audio-features" not in path:
            continue
        body = await fetch(http, path, url, kwargs)
        items = body.get("content", [body])
        for features in items:
            shown = {key: features.get(key) for key in FEATURES_EXAMPLE}
            assert same_shape(shown, FEATURES_EXAMPLE, url) == []
            if path == "/analysis/audio-features":
                assert "id" not in features
            else:
                assert isinstance(features["id"], str)
                assert features["href"].startswith("https://open.spotify.com/track/")


async def test_paged_answers_carry_paging(http: httpx.AsyncClient, catalog: Catalog) -> None:
    for path, url, kwargs in calls(catalog):
        if not path.endswith(("search", "}/track")):
            continue
        body = await fetch(http, path, url, kwargs)
        for key in ("page", "size", "totalElements", "totalPages"):
            assert isinstance(body[key], int), (url, key)
