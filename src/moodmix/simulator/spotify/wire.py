"""The ReccoBeats stand-in's catalog in Spotify's shapes: the same Spotify ids, so a playlist
made offline can be saved offline.

::

    wire = SpotifyWire(catalog)
    track = wire.track("6mMR4XfAqs96VNh8OcDmrF")    # {"id", "name", "uri", "artists", ...} or None
    wire.artist("2ezjVQncMdiemuyTPhmh9M")["uri"]    # 'spotify:artist:2ezjVQncMdiemuyTPhmh9M'
    wire.search_tracks("daft punk", 0, 10)          # (matching tracks, how many in all)
"""

from __future__ import annotations

from typing import Any, Final

from moodmix.simulator.catalog import Catalog

Json = dict[str, Any]
_OPEN: Final = "https://open.spotify.com/"


def _spotify_id(href: str | None, kind: str) -> str | None:
    prefix = f"{_OPEN}{kind}/"
    return href[len(prefix) :] if href and href.startswith(prefix) else None


class SpotifyWire:
    """Catalog items as Spotify tracks and artists, looked up by Spotify id."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._rank = {sid: i for i, sid in enumerate(catalog.track_spotify_ids())}

    @property
    def track_ids(self) -> list[str]:
        """Spotify ids of the tracks the catalog serves (not those it 'does not know')."""
        unknown = set(self._catalog.unknown_spotify_ids())
        return [sid for sid in self._catalog.track_spotify_ids() if sid not in unknown]

    @property
    def artist_ids(self) -> list[str]:
        return list(self._catalog.artist_spotify_ids())

    def track(self, spotify_id: str) -> Json | None:
        item = self._catalog.track(spotify_id)
        return None if item is None else self._track(item)

    def artist(self, spotify_id: str) -> Json | None:
        item = self._catalog.artist(spotify_id)
        return None if item is None else self._artist(item, full=True)

    def artist_tracks(self, spotify_id: str, size: int) -> list[Json]:
        page = self._catalog.artist_tracks(spotify_id, 0, size)
        return [self._track(t) for t in (page or {}).get("content", [])]

    def search_artists(self, text: str, offset: int, limit: int) -> tuple[list[Json], int]:
        artist, title = _filters(text)
        found = self._catalog.search_artists(artist or title, 0, 50)["content"]
        return [self._artist(a, full=True) for a in found[offset : offset + limit]], len(found)

    def search_tracks(self, text: str, offset: int, limit: int) -> tuple[list[Json], int]:
        """Tracks of the artists ``text`` finds (``artist:`` and ``track:`` filters allowed)."""
        artist, title = _filters(text)
        tracks: list[Json] = []
        for found in self._catalog.search_artists(artist or title, 0, 5)["content"]:
            sid = _spotify_id(found.get("href"), "artist")
            if sid is not None:
                tracks += self.artist_tracks(sid, 50)
        if artist and title:
            words = title.lower().split()
            tracks = [t for t in tracks if all(w in t["name"].lower() for w in words)]
        return tracks[offset : offset + limit], len(tracks)

    def _track(self, item: Json) -> Json:
        sid = _spotify_id(item.get("href"), "track") or ""
        rank = self._rank.get(sid, len(self._rank))
        return {
            "id": sid,
            "name": item.get("trackTitle", ""),
            "uri": f"spotify:track:{sid}",
            "type": "track",
            "artists": [self._artist(a) for a in item.get("artists", [])],
            "duration_ms": item.get("durationMs", 0),
            "explicit": False,
            "popularity": max(0, 100 - rank * 100 // max(1, len(self._rank))),
            "external_urls": {"spotify": f"{_OPEN}track/{sid}"},
        }

    def _artist(self, item: Json, *, full: bool = False) -> Json:
        sid = _spotify_id(item.get("href"), "artist") or ""
        artist: Json = {
            "id": sid,
            "name": item.get("name", ""),
            "uri": f"spotify:artist:{sid}",
            "type": "artist",
            "external_urls": {"spotify": f"{_OPEN}artist/{sid}"},
        }
        if full:
            genre = self._catalog.genre_of(sid)
            artist["genres"] = [genre] if genre else []
        return artist


def _filters(text: str) -> tuple[str, str]:
    """``(artist, title)`` from a query such as ``artist:daft punk track:one more``."""
    artist: list[str] = []
    title: list[str] = []
    plain: list[str] = []
    current: list[str] | None = None
    for word in text.split():
        if word.startswith("artist:"):
            current, word = artist, word[len("artist:") :]
        elif word.startswith("track:"):
            current, word = title, word[len("track:") :]
        (current if current is not None else plain).append(word)
    if not artist and not title:
        return "", " ".join(plain)
    return " ".join(artist), " ".join(title + plain)
