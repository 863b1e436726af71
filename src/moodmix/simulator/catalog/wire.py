"""Wire-form dicts (the API's camelCase JSON shapes) made from catalog columns on demand.

Items are built the first time they are asked for and kept in bounded LRU caches, so a large
catalog costs memory only for what is served::

    wire = WireForms(tables)
    wire.track(0)      # {"id", "trackTitle", "artists", "durationMs", "isrc", ..., "popularity"}
    wire.features(0)   # {"id", "href", "acousticness", ..., "valence", "key", "mode"}
    wire.artist(3), wire.album(5)

The dicts are shared between callers (and threads): treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, Final

from moodmix.simulator.catalog.features import feature_dict
from moodmix.simulator.catalog.markets import MARKETS
from moodmix.simulator.catalog.tables import Tables
from moodmix.simulator.catalog.titles import track_title

SPOTIFY_URL: Final = "https://open.spotify.com/"
CACHE_SIZE: Final = 16_384
"""Most items of each kind kept built at once."""

Item = dict[str, Any]


class WireForms:
    """Builds and caches the wire dicts of one catalog's tracks, features, artists and albums."""

    def __init__(self, tables: Tables, *, cache_size: int = CACHE_SIZE) -> None:
        self._tables = tables
        cached: Callable[[Callable[[int], Item]], Callable[[int], Item]] = lru_cache(cache_size)
        self.track = cached(self._track)
        self.features = cached(self._features)
        self.artist = cached(self._artist)
        self.album = cached(self._album)

    def _artist(self, i: int) -> Item:
        t = self._tables
        return {
            "id": t.artist_uuid[i],
            "name": t.artist_name[i],
            "href": f"{SPOTIFY_URL}artist/{t.artist_sid[i]}",
        }

    def _track(self, i: int) -> Item:
        t = self._tables
        artist, featured, album = (
            int(t.track_artist[i]),
            int(t.track_featured[i]),
            int(t.track_album[i]),
        )
        artists = (
            [self.artist(artist)] if featured < 0 else [self.artist(artist), self.artist(featured)]
        )
        genre = t.genre_names[int(t.artist_genre[artist])]
        year = int(t.album_year[album]) % 100
        isrc = f"{t.artist_isrc_prefix[artist]}{year:02d}{int(t.isrc_serial[i]):05d}"
        return {
            "id": t.track_uuid[i],
            "trackTitle": track_title(genre, t.title_draws[i].tolist()),
            "artists": artists,
            "durationMs": int(t.duration_ms[i]),
            "isrc": isrc,
            "ean": None,
            "upc": None,
            "href": f"{SPOTIFY_URL}track/{t.track_sid[i]}",
            "availableCountries": MARKETS[int(t.album_market[album])],
            "popularity": int(t.popularity[i]),
        }

    def _features(self, i: int) -> Item:
        t = self._tables
        return {
            "id": t.track_uuid[i],
            "href": f"{SPOTIFY_URL}track/{t.track_sid[i]}",
            **feature_dict(t.features[i]),
            "key": int(t.key[i]),
            "mode": int(t.mode[i]),
        }

    def _album(self, i: int) -> Item:
        t = self._tables
        return {
            "id": t.album_uuid[i],
            "albumTitle": t.album_title[i],
            "artists": [self.artist(int(t.album_artist[i]))],
            "releaseDate": t.album_date[i],
            "href": f"{SPOTIFY_URL}album/{t.album_sid[i]}",
        }
