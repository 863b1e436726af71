"""A playlist as a file other players read: M3U8, XSPF, JSPF, CSV, or bare Spotify URIs.

::

    body = export(playlist.to_json(), "xspf", title="rainy Sunday")   # bytes
    MEDIA_TYPES["xspf"]                                               # 'application/xspf+xml'
    format_for("mix.m3u8")                                            # 'm3u8'

Tracks without a Spotify id have no location any player knows: M3U8 and the URI list leave
them out; XSPF, JSPF and CSV keep them with what is known (title, artists, duration).
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Final, Literal, get_args

import orjson

ExportFormat = Literal["m3u8", "xspf", "jspf", "csv", "uris"]
FORMATS: Final[tuple[str, ...]] = get_args(ExportFormat)
MEDIA_TYPES: Final[dict[str, str]] = {
    "m3u8": "audio/x-mpegurl; charset=utf-8",
    "xspf": "application/xspf+xml",
    "jspf": "application/json",
    "csv": "text/csv; charset=utf-8",
    "uris": "text/plain; charset=utf-8",
}
_XSPF_NS: Final = "http://xspf.org/ns/0/"


@dataclass(frozen=True)
class ExportTrack:
    title: str
    artists: tuple[str, ...]
    duration_ms: int | None
    spotify_id: str | None
    reccobeats_id: str
    reason: str = ""

    @property
    def uri(self) -> str | None:
        return f"spotify:track:{self.spotify_id}" if self.spotify_id else None

    @property
    def url(self) -> str | None:
        return f"https://open.spotify.com/track/{self.spotify_id}" if self.spotify_id else None

    @property
    def creator(self) -> str:
        return ", ".join(self.artists)


def tracks_of(result: Mapping[str, Any]) -> list[ExportTrack]:
    """The tracks of a playlist as ``Playlist.to_json()`` (and the service) give it."""
    tracks = []
    for t in result.get("tracks", []):
        duration = t.get("duration_ms")
        tracks.append(
            ExportTrack(
                title=str(t.get("title", "")),
                artists=tuple(str(a) for a in t.get("artists", [])),
                duration_ms=duration if isinstance(duration, int) else None,
                spotify_id=t.get("spotify_id") or None,
                reccobeats_id=str(t.get("id", "")),
                reason=str(t.get("reason", "")),
            )
        )
    return tracks


def format_for(path: str) -> ExportFormat:
    """The format a file name's extension asks for (``.txt`` for URIs, ``.m3u`` as M3U8)."""
    suffix = PurePath(path).suffix.lower().lstrip(".")
    named = {"m3u": "m3u8", "txt": "uris", "json": "jspf"}.get(suffix, suffix)
    if named not in FORMATS:
        raise ValueError(
            f"cannot tell the format of {path!r}: use .m3u8, .xspf, .jspf, .csv or .txt (URIs)"
        )
    return named  # type: ignore[return-value]


def export(result: Mapping[str, Any], fmt: str, *, title: str) -> bytes:
    """The playlist ``result`` in format ``fmt``, named ``title``."""
    tracks = tracks_of(result)
    if fmt == "m3u8":
        return _m3u8(tracks, title)
    if fmt == "xspf":
        return _xspf(tracks, title)
    if fmt == "jspf":
        return _jspf(tracks, title)
    if fmt == "csv":
        return _csv(tracks)
    if fmt == "uris":
        return "".join(f"{t.uri}\n" for t in tracks if t.uri).encode()
    raise ValueError(f"format must be one of {', '.join(FORMATS)}, got {fmt!r}")


def _m3u8(tracks: Sequence[ExportTrack], title: str) -> bytes:
    lines = ["#EXTM3U", f"#PLAYLIST:{_one_line(title)}"]
    for t in tracks:
        if t.url is None:
            continue
        seconds = -1 if t.duration_ms is None else round(t.duration_ms / 1000)
        lines += [f"#EXTINF:{seconds},{_one_line(t.creator)} - {_one_line(t.title)}", t.url]
    return ("\n".join(lines) + "\n").encode()


def _xspf(tracks: Sequence[ExportTrack], title: str) -> bytes:
    root = ET.Element("playlist", {"version": "1", "xmlns": _XSPF_NS})
    ET.SubElement(root, "title").text = title
    listed = ET.SubElement(root, "trackList")
    for t in tracks:
        track = ET.SubElement(listed, "track")
        if t.url is not None:
            ET.SubElement(track, "location").text = t.url
            ET.SubElement(track, "identifier").text = t.uri
        ET.SubElement(track, "title").text = t.title
        ET.SubElement(track, "creator").text = t.creator
        if t.duration_ms is not None:
            ET.SubElement(track, "duration").text = str(t.duration_ms)
        if t.reason:
            ET.SubElement(track, "annotation").text = t.reason
    body: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return body


def _jspf(tracks: Sequence[ExportTrack], title: str) -> bytes:
    listed = []
    for t in tracks:
        track: dict[str, Any] = {"title": t.title, "creator": t.creator}
        if t.url is not None:
            track["location"] = [t.url]
            track["identifier"] = [t.uri]
        if t.duration_ms is not None:
            track["duration"] = t.duration_ms
        if t.reason:
            track["annotation"] = t.reason
        listed.append(track)
    body: bytes = orjson.dumps(
        {"playlist": {"title": title, "track": listed}}, option=orjson.OPT_INDENT_2
    )
    return body


def _csv(tracks: Sequence[ExportTrack]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["position", "title", "artists", "duration_ms", "spotify_uri", "reccobeats_id", "reason"]
    )
    for n, t in enumerate(tracks, start=1):
        writer.writerow(
            [n, t.title, t.creator, t.duration_ms or "", t.uri or "", t.reccobeats_id, t.reason]
        )
    return out.getvalue().encode()


def _one_line(text: str) -> str:
    return " ".join(text.split())
