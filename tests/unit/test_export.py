"""Playlist files: names tell the format; tracks without a Spotify id; text that needs escaping."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import orjson
import pytest

from moodmix.engine.export import FORMATS, MEDIA_TYPES, export, format_for

RESULT = {
    "tracks": [
        {
            "id": "a1",
            "spotify_id": "6mMR4XfAqs96VNh8OcDmrF",
            "title": 'Rock & "Roll" <Live>',
            "artists": ["Ünïcode", "B, Jr."],
            "duration_ms": 187_400,
            "reason": "close, calm",
        },
        {
            "id": "b2",
            "spotify_id": None,
            "title": "Unlinked",
            "artists": ["C"],
            "duration_ms": None,
        },
    ]
}


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("mix.m3u8", "m3u8"),
        ("MIX.M3U", "m3u8"),
        ("a/b.xspf", "xspf"),
        ("x.json", "jspf"),
        ("x.jspf", "jspf"),
        ("x.csv", "csv"),
        ("uris.txt", "uris"),
    ],
)
def test_the_extension_names_the_format(name: str, fmt: str) -> None:
    assert format_for(name) == fmt


def test_an_unknown_extension_says_which_ones_work() -> None:
    with pytest.raises(ValueError, match=r"\.m3u8, \.xspf"):
        format_for("mix.mp3")
    with pytest.raises(ValueError, match="format must be one of"):
        export(RESULT, "mp3", title="t")
    assert set(MEDIA_TYPES) == set(FORMATS)


def test_players_get_only_tracks_they_can_find() -> None:
    assert export(RESULT, "uris", title="t") == b"spotify:track:6mMR4XfAqs96VNh8OcDmrF\n"
    m3u = export(RESULT, "m3u8", title="a\nb").decode().splitlines()
    assert m3u == [
        "#EXTM3U",
        "#PLAYLIST:a b",
        '#EXTINF:187,Ünïcode, B, Jr. - Rock & "Roll" <Live>',
        "https://open.spotify.com/track/6mMR4XfAqs96VNh8OcDmrF",
    ]


def test_xspf_jspf_and_csv_keep_every_track_and_escape_text() -> None:
    ns = "{http://xspf.org/ns/0/}"
    root = ET.fromstring(export(RESULT, "xspf", title="<title & more>"))
    assert root.find(f"{ns}title").text == "<title & more>"  # type: ignore[union-attr]
    tracks = list(root.iter(f"{ns}track"))
    assert [t.find(f"{ns}title").text for t in tracks] == [  # type: ignore[union-attr]
        'Rock & "Roll" <Live>',
        "Unlinked",
    ]
    assert tracks[1].find(f"{ns}location") is None
    jspf = orjson.loads(export(RESULT, "jspf", title="t"))["playlist"]["track"]
    assert jspf[0]["duration"] == 187_400
    assert "location" not in jspf[1]
    rows = list(csv.DictReader(io.StringIO(export(RESULT, "csv", title="t").decode())))
    assert [r["artists"] for r in rows] == ["Ünïcode, B, Jr.", "C"]
    assert rows[1]["spotify_uri"] == ""
    assert rows[1]["duration_ms"] == ""
