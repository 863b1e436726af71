"""The models read the API's real bodies, speak both spellings, and refuse wrong types."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from moodmix.reccobeats.models import (
    FEATURE_NAMES,
    Album,
    Artist,
    AudioFeatures,
    ItemList,
    Page,
    Track,
)

CONTRACT = Path(__file__).parents[1] / "contract"
SID = "00aqkszH1FdUiJJWvX6iEl"


def example(name: str) -> dict[str, Any]:
    payload = json.loads((CONTRACT / name).read_text())
    assert isinstance(payload, dict)
    return payload


@pytest.fixture
def track_payload() -> dict[str, Any]:
    return example("track.json")


@pytest.fixture
def features_payload() -> dict[str, Any]:
    return example("audio-features.json")


# --- the documented bodies -----------------------------------------------------------------


def test_the_documented_track_parses(track_payload: dict[str, Any]) -> None:
    track = Track.model_validate(track_payload)
    assert track.id == "8212bab8-5911-48a0-b177-24923ef2329a"
    assert track.track_title == "Wicked Games"
    assert track.duration_ms == 325_305
    assert track.popularity == 69
    assert track.ean is None
    assert track.upc is None
    assert track.available_countries is not None
    assert "DE" in track.available_countries.split(",")
    assert track.spotify_id == SID
    [artist] = track.artists
    assert artist.name == "The Weeknd"
    assert artist.spotify_id == "1Xyo4u8uXC1ZmMpatF05PJ"


def test_the_documented_audio_features_parse(features_payload: dict[str, Any]) -> None:
    features = AudioFeatures.model_validate(features_payload)
    assert features.tempo == pytest.approx(147.7849)
    assert features.loudness == pytest.approx(-6.0411)
    assert features.id is None
    assert features.href is None
    assert features.spotify_id is None
    assert {name: getattr(features, name) for name in FEATURE_NAMES} == features_payload


def test_batch_audio_features_carry_the_track_id_and_href(features_payload: dict[str, Any]) -> None:
    item = {**features_payload, "id": "x", "href": f"https://open.spotify.com/track/{SID}"}
    [features] = ItemList[AudioFeatures].model_validate({"content": [item]}).content
    assert features.id == "x"
    assert features.spotify_id == SID


# --- spellings -----------------------------------------------------------------------------


def test_to_wire_gives_back_the_api_spelling(track_payload: dict[str, Any]) -> None:
    wire = Track.model_validate(track_payload).to_wire()
    assert wire == track_payload
    assert "trackTitle" in wire
    assert "track_title" not in wire


def test_features_round_trip_through_the_wire_form(features_payload: dict[str, Any]) -> None:
    features = AudioFeatures.model_validate(features_payload)
    assert AudioFeatures.model_validate(features.to_wire()) == features


def test_snake_case_is_accepted_when_parsing() -> None:
    by_alias = Track.model_validate({"id": "a", "trackTitle": "T", "durationMs": 1})
    by_name = Track.model_validate({"id": "a", "track_title": "T", "duration_ms": 1})
    assert by_alias == by_name == Track(id="a", track_title="T", duration_ms=1)


def test_page_fields_use_the_api_spelling() -> None:
    payload = {
        "content": [{"id": "a", "name": "N"}],
        "page": 2,
        "size": 1,
        "totalElements": 7,
        "totalPages": 7,
    }
    page = Page[Artist].model_validate(payload)
    assert (page.page, page.size, page.total_elements, page.total_pages) == (2, 1, 7, 7)
    assert page.content == [Artist(id="a", name="N")]
    assert page.to_wire()["totalElements"] == 7


def test_album_parses_with_release_date_and_artists() -> None:
    album = Album.model_validate(
        {
            "id": "b",
            "albumTitle": "Kiss Land",
            "releaseDate": "2013-09-10",
            "artists": [{"id": "a", "name": "N"}],
            "href": f"https://open.spotify.com/album/{SID}",
        }
    )
    assert album.album_title == "Kiss Land"
    assert album.release_date == "2013-09-10"
    assert album.spotify_id == SID
    assert album.to_wire()["albumTitle"] == "Kiss Land"


def test_unknown_fields_are_kept_and_written_back(track_payload: dict[str, Any]) -> None:
    track = Track.model_validate({**track_payload, "explicitContent": True})
    assert track.to_wire()["explicitContent"] is True


def test_models_are_immutable(track_payload: dict[str, Any]) -> None:
    track = Track.model_validate(track_payload)
    with pytest.raises(ValidationError):
        track.track_title = "other"  # type: ignore[misc]


# --- spotify_id ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("href", "expected"),
    [
        (f"https://open.spotify.com/track/{SID}", SID),
        (f"https://open.spotify.com/intl-de/track/{SID}?si=1", SID),
        ("https://example.com/track/x", None),
        (None, None),
        ("", None),
    ],
)
def test_spotify_id_comes_from_href(href: str | None, expected: str | None) -> None:
    assert Track(id="a", track_title="T", href=href).spotify_id == expected


# --- what a broken body looks like ---------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("durationMs", "oops"),
        ("popularity", "oops"),
        ("id", 12_345),
        ("trackTitle", 12_345),
        ("artists", "oops"),
        ("href", 12_345),
    ],
)
def test_a_track_with_a_wrong_type_is_refused(
    track_payload: dict[str, Any], field: str, value: object
) -> None:
    with pytest.raises(ValidationError) as info:
        Track.model_validate({**track_payload, field: value})
    assert info.value.errors()[0]["loc"][0] == field


@pytest.mark.parametrize("name", FEATURE_NAMES)
def test_audio_features_need_every_feature_as_a_number(
    features_payload: dict[str, Any], name: str
) -> None:
    with pytest.raises(ValidationError):
        AudioFeatures.model_validate({**features_payload, name: "oops"})
    missing = {key: value for key, value in features_payload.items() if key != name}
    with pytest.raises(ValidationError):
        AudioFeatures.model_validate(missing)


def test_a_list_whose_content_is_not_a_list_is_refused() -> None:
    with pytest.raises(ValidationError):
        ItemList[Track].model_validate({"content": "oops"})


def test_a_truncated_body_is_refused(track_payload: dict[str, Any]) -> None:
    body = json.dumps({"content": [track_payload]})
    for cut in (1, len(body) // 2, len(body) - 1):
        with pytest.raises(ValidationError):
            ItemList[Track].model_validate_json(body[:cut])
