"""A deterministic synthetic ReccoBeats catalog: tracks, artists, albums and features from a seed.

Genre-clustered audio features, Zipf-like popularity, real artist names for every genre (the rest
generated), well-formed ids in both forms, and a share of Spotify ids it "does not know"::

    catalog = Catalog.build(CatalogSpec(seed=1, tracks=2_000, artists=200))
    track = catalog.track(catalog.track_spotify_ids()[0])       # wire dict, or None
    catalog.search_artists("daft punk", page=0, size=10)["content"][0]["name"]  # 'Daft Punk'
    catalog.recommend([track["id"]], 20, targets={"energy": 0.9}, feature_weight=4)
    catalog.tracks(catalog.unknown_spotify_ids()[:3])            # []: never served

Lookups take a ReccoBeats UUID (any case) or a Spotify id and return the API's wire-form dicts
(camelCase, as ``models.py``'s ``to_wire()``), or ``None`` when the id is unknown. Returned dicts
are shared: treat them as read-only. A catalog never changes, so threads may share it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from moodmix.simulator.catalog.features import analyze_bytes
from moodmix.simulator.catalog.paging import paged
from moodmix.simulator.catalog.recommend import FeatureSpace
from moodmix.simulator.catalog.search import TextIndex
from moodmix.simulator.catalog.tables import Tables, build_tables
from moodmix.simulator.catalog.wire import WireForms

Item = dict[str, Any]
Ints = npt.NDArray[np.int64]
_UUID_LENGTH = 36
_REMEMBERED_QUESTIONS = 16_384
"""Recommendations kept by question (about 500 bytes each)."""


@dataclass(frozen=True)
class CatalogSpec:
    """What to build: the seed and the sizes. Same spec, same catalog."""

    seed: int = 0
    tracks: int = 50_000
    artists: int = 5_000
    unknown_share: float = 0.05  # share of generated Spotify track ids ReccoBeats "does not know"

    def __post_init__(self) -> None:
        for name in ("seed", "tracks", "artists"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{name} must be an integer, got {value!r}")
        if self.tracks < 1:
            raise ValueError(f"tracks must be at least 1, got {self.tracks}")
        if not 1 <= self.artists <= self.tracks:
            raise ValueError(
                f"artists must be from 1 to tracks ({self.tracks}): every artist needs a track; "
                f"got {self.artists}"
            )
        share = self.unknown_share
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 <= share < 1:
            raise ValueError(f"unknown_share must be a number in [0, 1), got {share!r}")


def _key(key: str) -> str:
    if not isinstance(key, str):
        raise ValueError(f"an id must be a string (ReccoBeats UUID or Spotify id), got {key!r}")
    return key.lower() if len(key) == _UUID_LENGTH else key


def _keys(keys: Sequence[str], name: str = "keys") -> Sequence[str]:
    if isinstance(keys, str):
        raise ValueError(f"{name} must be a sequence of ids, not one string")
    return keys


class Catalog:
    """The catalog's read API. Build one with ``Catalog.build(spec)``."""

    def __init__(self, tables: Tables) -> None:
        self._t = tables
        self._wire = WireForms(tables)
        self.n_tracks: int = len(tables.track_uuid)
        self.n_artists: int = len(tables.artist_uuid)
        self.n_albums: int = len(tables.album_uuid)
        self._ranked = tuple(np.argsort(-tables.popularity, kind="stable").tolist())
        self._artist_search = TextIndex(tables.artist_name, tables.artist_popularity.tolist())
        album_popularity = tables.artist_popularity[tables.album_artist].tolist()
        self._album_search = TextIndex(tables.album_title, album_popularity)
        self._space = FeatureSpace(
            tables.features, tables.key, tables.mode, tables.popularity, tables.track_artist
        )
        self._picked: OrderedDict[Hashable, tuple[int, ...]] = OrderedDict()
        """Recent recommendations by question: the answer is a pure function of it, popular
        questions repeat, and each costs a pass over every track."""

    @classmethod
    def build(cls, spec: CatalogSpec = CatalogSpec()) -> Catalog:
        """Generate the catalog ``spec`` describes."""
        return cls(
            build_tables(
                seed=spec.seed,
                n_tracks=spec.tracks,
                n_artists=spec.artists,
                unknown_share=float(spec.unknown_share),
            )
        )

    # --- id lists --------------------------------------------------------------------------

    def track_ids(self) -> Sequence[str]:
        """ReccoBeats UUIDs of all tracks, in index order."""
        return self._t.track_uuid

    def track_spotify_ids(self) -> Sequence[str]:
        """Spotify ids of all tracks the catalog serves, in index order."""
        return self._t.track_sid

    def unknown_spotify_ids(self) -> Sequence[str]:
        """Well-formed Spotify track ids the catalog does not serve."""
        return self._t.unknown_sid

    def artist_ids(self) -> Sequence[str]:
        return self._t.artist_uuid

    def artist_spotify_ids(self) -> Sequence[str]:
        return self._t.artist_sid

    def album_ids(self) -> Sequence[str]:
        return self._t.album_uuid

    def genres(self) -> Sequence[str]:
        """The catalog's genre names."""
        return self._t.genre_names

    def popularity_rank(self) -> Sequence[int]:
        """Track indices, most popular first (ties in index order)."""
        return self._ranked

    def genre_of(self, key: str) -> str | None:
        """The genre of a track, artist or album (either id form), or ``None`` if unknown."""
        t = self._t
        key = _key(key)
        if (i := t.track_index.get(key)) is not None:
            artist = int(t.track_artist[i])
        elif (i := t.album_index.get(key)) is not None:
            artist = int(t.album_artist[i])
        elif (i := t.artist_index.get(key)) is not None:
            artist = i
        else:
            return None
        return t.genre_names[int(t.artist_genre[artist])]

    # --- lookups ---------------------------------------------------------------------------

    def track(self, key: str) -> Item | None:
        i = self._t.track_index.get(_key(key))
        return None if i is None else self._wire.track(i)

    def tracks(self, keys: Sequence[str]) -> list[Item]:
        """Known tracks of ``keys``, in order, each once; unknown ids left out."""
        return [self._wire.track(i) for i in self._found(self._t.track_index, keys)]

    def audio_features(self, key: str) -> Item | None:
        i = self._t.track_index.get(_key(key))
        return None if i is None else self._wire.features(i)

    def audio_features_many(self, keys: Sequence[str]) -> list[Item]:
        return [self._wire.features(i) for i in self._found(self._t.track_index, keys)]

    def artist(self, key: str) -> Item | None:
        i = self._t.artist_index.get(_key(key))
        return None if i is None else self._wire.artist(i)

    def artists(self, keys: Sequence[str]) -> list[Item]:
        return [self._wire.artist(i) for i in self._found(self._t.artist_index, keys)]

    def album(self, key: str) -> Item | None:
        i = self._t.album_index.get(_key(key))
        return None if i is None else self._wire.album(i)

    def albums(self, keys: Sequence[str]) -> list[Item]:
        return [self._wire.album(i) for i in self._found(self._t.album_index, keys)]

    @staticmethod
    def _found(index: Mapping[str, int], keys: Sequence[str]) -> list[int]:
        seen: dict[int, None] = {}
        for key in _keys(keys):
            i = index.get(_key(key))
            if i is not None:
                seen.setdefault(i)
        return list(seen)

    # --- search and paged lists ------------------------------------------------------------

    def search_artists(self, text: str, page: int, size: int) -> Item:
        """Artists whose name matches ``text``: exact and prefix matches first, then popular."""
        found = self._artist_search.find(_text(text))
        return paged(found, page=page, size=size, render=self._wire.artist)

    def search_albums(self, text: str, page: int, size: int) -> Item:
        """Albums whose title matches ``text``, ranked like ``search_artists``."""
        found = self._album_search.find(_text(text))
        return paged(found, page=page, size=size, render=self._wire.album)

    def artist_tracks(self, key: str, page: int, size: int) -> Item | None:
        """The artist's own tracks, then those it features on; ``None`` for an unknown artist."""
        a = self._t.artist_index.get(_key(key))
        if a is None:
            return None
        t = self._t
        own = range(int(t.artist_tracks[a]), int(t.artist_tracks[a + 1]))
        guest = t.featured_tracks[t.featured_offsets[a] : t.featured_offsets[a + 1]].tolist()
        return paged([*own, *guest], page=page, size=size, render=self._wire.track)

    def artist_albums(self, key: str, page: int, size: int) -> Item | None:
        a = self._t.artist_index.get(_key(key))
        if a is None:
            return None
        albums = range(int(self._t.artist_albums[a]), int(self._t.artist_albums[a + 1]))
        return paged(albums, page=page, size=size, render=self._wire.album)

    def album_tracks(self, key: str, page: int, size: int) -> Item | None:
        b = self._t.album_index.get(_key(key))
        if b is None:
            return None
        tracks = range(int(self._t.album_tracks[b]), int(self._t.album_tracks[b + 1]))
        return paged(tracks, page=page, size=size, render=self._wire.track)

    # --- recommendations and analysis ------------------------------------------------------

    def recommend(
        self,
        seeds: Sequence[str],
        size: int,
        *,
        targets: Mapping[str, float] | None = None,
        negative_seeds: Sequence[str] = (),
        feature_weight: float | None = None,
    ) -> list[Item] | None:
        """``size`` tracks like the seeds (track, artist or album ids), steered by ``targets``.

        Seed tracks and every track of the negative seeds are left out; unknown seeds are
        ignored; ``None`` when no seed is known.
        """
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValueError(f"size must be an integer >= 1, got {size!r}")
        groups = [g for key in _keys(seeds, "seeds") if (g := self._seed_tracks(key)) is not None]
        if not groups:
            return None
        negative_groups = [
            g
            for key in _keys(negative_seeds, "negative_seeds")
            if (g := self._seed_tracks(key)) is not None
        ]
        negative = np.concatenate(negative_groups) if negative_groups else None
        question = (
            tuple(_keys(seeds, "seeds")),
            size,
            tuple((targets or {}).items()),
            tuple(_keys(negative_seeds, "negative_seeds")),
            feature_weight,
        )
        picked = self._picked.get(question)
        if picked is None:
            seed_tracks = [
                i for key in seeds if (i := self._t.track_index.get(_key(key))) is not None
            ]
            exclude = np.asarray(seed_tracks, dtype=np.int64)
            if negative is not None:
                exclude = np.concatenate((exclude, negative))
            found = self._space.recommend(
                groups,
                size,
                targets=targets,
                negative=negative,
                exclude=exclude,
                feature_weight=feature_weight,
            )
            picked = self._picked[question] = tuple(found.tolist())
            if len(self._picked) > _REMEMBERED_QUESTIONS:
                self._picked.popitem(last=False)
        else:
            self._picked.move_to_end(question)
        return [self._wire.track(i) for i in picked]

    def _seed_tracks(self, key: str) -> Ints | None:
        t = self._t
        key = _key(key)
        if (i := t.track_index.get(key)) is not None:
            return np.array([i], dtype=np.int64)
        if (a := t.artist_index.get(key)) is not None:
            return np.arange(t.artist_tracks[a], t.artist_tracks[a + 1], dtype=np.int64)
        if (b := t.album_index.get(key)) is not None:
            return np.arange(t.album_tracks[b], t.album_tracks[b + 1], dtype=np.int64)
        return None

    def analyze_audio(self, data: bytes) -> Item:
        """Features of an uploaded file, derived from a hash of its bytes (no ``id``/``href``)."""
        return analyze_bytes(data)


def _text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ValueError(f"text must be a non-empty search string, got {text!r}")
    return text
