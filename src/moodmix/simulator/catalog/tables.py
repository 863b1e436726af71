"""The synthetic catalog as columns: numpy arrays and tuples of strings, built from a seed.

Artists come first (real names per genre, then generated ones), then how many tracks and
albums each has, then the tracks: their features, popularity and ids. Tracks are stored
artist by artist and album by album, so "an artist's tracks" and "an album's tracks" are
slices given by offset arrays::

    tables = build_tables(seed=0, n_tracks=2_000, n_artists=200, unknown_share=0.05)
    a = 7
    tables.artist_tracks[a], tables.artist_tracks[a + 1]   # the artist's track index range
    tables.track_index[tables.track_sid[0]] == 0           # both id forms resolve

Each part draws from its own child of the seed, so the same seed always gives the same catalog.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Final

import numpy as np
import numpy.typing as npt

from moodmix.data import ARTISTS
from moodmix.simulator.catalog.features import artist_styles, draw_tracks
from moodmix.simulator.catalog.genres import GENRE_NAMES, GENRES, genre_arrays
from moodmix.simulator.catalog.ids import registrants, spotify_ids, uuid4s
from moodmix.simulator.catalog.layout import feature_guests, lay_out
from moodmix.simulator.catalog.markets import MARKET_SHARES
from moodmix.simulator.catalog.titles import DRAWS, album_title, artist_name

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

LAST_YEAR: Final = 2025
_NAME_ATTEMPTS: Final = 8
_FAME_KNEE: Final = 8.0  # artist rank after which fame falls off like a power law (Zipf)
_TRACK_NOISE: Final = 0.9  # spread of a track's log fame around its artist's
_TOP_POPULARITY: Final = (0.999, 95.0)  # the 99.9th percentile track gets popularity 95


@dataclass(frozen=True, slots=True, eq=False)
class Tables:
    """Every column of the catalog. Index ``i`` of a track column is track ``i``."""

    genre_names: tuple[str, ...]
    # artists
    artist_genre: Ints
    artist_name: tuple[str, ...]
    artist_uuid: tuple[str, ...]
    artist_sid: tuple[str, ...]
    artist_popularity: Ints
    artist_tracks: Ints  # (A + 1,) offsets of each artist's own tracks
    artist_albums: Ints  # (A + 1,) offsets of each artist's albums
    featured_offsets: Ints  # (A + 1,) offsets into featured_tracks
    featured_tracks: Ints  # tracks on which an artist is the featured, second artist
    artist_isrc_prefix: tuple[str, ...]  # country + registrant, e.g. 'USUM7'
    # albums
    album_artist: Ints
    album_title: tuple[str, ...]
    album_uuid: tuple[str, ...]
    album_sid: tuple[str, ...]
    album_date: tuple[str, ...]
    album_year: Ints
    album_market: Ints  # index into markets.MARKETS
    album_tracks: Ints  # (B + 1,) offsets of each album's tracks
    # tracks
    track_artist: Ints
    track_featured: Ints  # -1: no featured artist
    track_album: Ints
    track_uuid: tuple[str, ...]
    track_sid: tuple[str, ...]
    features: Floats  # (T, 9) in FEATURE_NAMES order
    key: npt.NDArray[np.int8]
    mode: npt.NDArray[np.int8]
    duration_ms: npt.NDArray[np.int32]
    popularity: Ints
    title_draws: npt.NDArray[np.uint16]  # (T, DRAWS)
    isrc_serial: Ints
    unknown_sid: tuple[str, ...]
    # id -> index, both id forms
    track_index: Mapping[str, int]
    artist_index: Mapping[str, int]
    album_index: Mapping[str, int]


def _streams(seed: int) -> list[np.random.Generator]:
    sequence = np.random.SeedSequence([abs(seed), int(seed < 0)])
    return [np.random.default_rng(child) for child in sequence.spawn(8)]


def _real_artists(limit: int) -> list[tuple[str, int]]:
    """Up to ``limit`` real artists, taking each genre's best known first, round-robin."""
    columns = [[(name, g) for name in ARTISTS[genre]] for g, genre in enumerate(GENRE_NAMES)]
    ordered = [pair for row in zip_longest(*columns) for pair in row if pair is not None]
    return ordered[:limit]


def _unique_names(rng: np.random.Generator, genres: Ints, taken: set[str]) -> list[str]:
    draws = rng.integers(0, 2**15, size=(len(genres), _NAME_ATTEMPTS, DRAWS))
    names: list[str] = []
    for genre, attempts in zip(genres.tolist(), draws.tolist(), strict=True):
        options = [artist_name(GENRE_NAMES[genre], attempt) for attempt in attempts]
        fresh = [option for option in options if option not in taken]
        name, number = (fresh[0] if fresh else options[0]), 2
        while name in taken:
            name, number = f"{options[0]} {number}", number + 1
        taken.add(name)
        names.append(name)
    return names


@dataclass(frozen=True, slots=True)
class _Artists:
    genre: Ints
    name: list[str]
    fame: Floats  # log fame, 0 for the most famous


def _artists(rng: np.random.Generator, n_artists: int) -> _Artists:
    arrays = genre_arrays()
    real = _real_artists(min(sum(map(len, ARTISTS.values())), n_artists // 2))
    genre = rng.choice(len(GENRES), size=n_artists, p=arrays.weight).astype(np.int64)
    slots = np.sort(rng.choice(n_artists, size=len(real), replace=False))
    order = rng.permutation(len(real))
    names: list[str | None] = [None] * n_artists
    for slot, pick in zip(slots.tolist(), order.tolist(), strict=True):
        names[slot], genre[slot] = real[pick]
    generated = np.flatnonzero([name is None for name in names])
    fresh = _unique_names(rng, genre[generated], {name for name, _ in real})
    for slot, name in zip(generated.tolist(), fresh, strict=True):
        names[slot] = name
    rank = np.empty(n_artists, dtype=np.int64)
    rank[slots] = rng.permutation(len(real))
    rank[generated] = len(real) + rng.permutation(len(generated))
    fame = -np.log1p(rank / _FAME_KNEE)
    return _Artists(genre, [name or "" for name in names], fame)


def _popularity(rng: np.random.Generator, track_fame: Floats) -> Ints:
    """0-100 on a log scale of plays, as Spotify's: a few hits, a long tail of rare plays."""
    x = track_fame + rng.normal(0.0, _TRACK_NOISE, size=len(track_fame))
    quantile, value = _TOP_POPULARITY
    low, high = np.quantile(x, 0.005), np.quantile(x, quantile)
    scaled = value * (x - low) / max(high - low, 1e-9)
    return np.clip(np.round(scaled), 0, 100).astype(np.int64)


def _dates(
    rng: np.random.Generator, album_artist: Ints, album_offsets: Ints, artist_genre: Ints
) -> tuple[Ints, tuple[str, ...]]:
    first = genre_arrays().first_year[artist_genre]
    start = rng.integers(first, LAST_YEAR - 1)
    nth = np.arange(len(album_artist)) - album_offsets[album_artist]
    year = start[album_artist] + 2 * nth + rng.integers(0, 2, size=len(album_artist))
    year = np.minimum(year, LAST_YEAR)
    month = rng.integers(1, 13, size=len(year))
    day = rng.integers(1, 29, size=len(year))
    dates = tuple(
        f"{y:04d}-{m:02d}-{d:02d}"
        for y, m, d in zip(year.tolist(), month.tolist(), day.tolist(), strict=True)
    )
    return year, dates


def _isrc_prefixes(rng: np.random.Generator, artist_genre: Ints) -> tuple[str, ...]:
    codes = registrants(rng, len(artist_genre))
    prefixes = []
    for genre, code, draw in zip(
        artist_genre.tolist(), codes, rng.integers(0, 2**15, len(codes)).tolist(), strict=True
    ):
        countries = GENRES[genre].isrc_countries
        prefixes.append(countries[draw % len(countries)] + code)
    return tuple(prefixes)


def _index(*id_lists: Sequence[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for ids in id_lists:
        index.update(zip(ids, range(len(ids)), strict=True))
    return index


def build_tables(*, seed: int, n_tracks: int, n_artists: int, unknown_share: float) -> Tables:
    """Every column of a catalog of ``n_tracks`` tracks by ``n_artists`` artists."""
    (r_artists, r_counts, r_features, r_popularity, r_links, r_dates, r_ids, r_titles) = _streams(
        seed
    )
    artists = _artists(r_artists, n_artists)
    shape = lay_out(r_counts, artists.fame, n_tracks)
    track_artist, album_artist, n_albums = shape.track_artist, shape.album_artist, shape.n_albums
    artist_genre = artists.genre
    styles = artist_styles(r_features, n_artists).take(track_artist)
    drawn = draw_tracks(r_features, artist_genre[track_artist], styles)
    popularity = _popularity(r_popularity, artists.fame[track_artist])
    artist_popularity = np.maximum.reduceat(popularity, shape.artist_tracks[:-1])
    guests = feature_guests(r_links, track_artist, artist_genre)

    album_year, album_date = _dates(r_dates, album_artist, shape.artist_albums, artist_genre)
    album_market = r_dates.choice(len(MARKET_SHARES), size=n_albums, p=MARKET_SHARES)
    isrc_prefix = _isrc_prefixes(r_dates, artist_genre)
    isrc_serial = (r_dates.integers(0, 100_000, size=n_artists)[track_artist] + shape.nth) % 100_000

    n_unknown = round(n_tracks * unknown_share / (1.0 - unknown_share))
    all_track_sids = spotify_ids(r_ids, n_tracks + n_unknown)
    track_uuid, track_sid = tuple(uuid4s(r_ids, n_tracks)), tuple(all_track_sids[:n_tracks])
    artist_uuid, artist_sid = tuple(uuid4s(r_ids, n_artists)), tuple(spotify_ids(r_ids, n_artists))
    album_uuid, album_sid = tuple(uuid4s(r_ids, n_albums)), tuple(spotify_ids(r_ids, n_albums))

    album_draws = r_titles.integers(0, 2**15, size=(n_albums, DRAWS)).tolist()
    album_titles = tuple(
        album_title(GENRE_NAMES[genre], draws, artists.name[artist])
        for genre, draws, artist in zip(
            artist_genre[album_artist].tolist(), album_draws, album_artist.tolist(), strict=True
        )
    )
    return Tables(
        genre_names=GENRE_NAMES,
        artist_genre=artist_genre,
        artist_name=tuple(artists.name),
        artist_uuid=artist_uuid,
        artist_sid=artist_sid,
        artist_popularity=artist_popularity,
        artist_tracks=shape.artist_tracks,
        artist_albums=shape.artist_albums,
        featured_offsets=guests.offsets,
        featured_tracks=guests.tracks,
        artist_isrc_prefix=isrc_prefix,
        album_artist=album_artist,
        album_title=album_titles,
        album_uuid=album_uuid,
        album_sid=album_sid,
        album_date=album_date,
        album_year=album_year,
        album_market=album_market.astype(np.int64),
        album_tracks=shape.album_tracks,
        track_artist=track_artist,
        track_featured=guests.featured,
        track_album=shape.track_album,
        track_uuid=track_uuid,
        track_sid=track_sid,
        features=drawn.values,
        key=drawn.key,
        mode=drawn.mode,
        duration_ms=drawn.duration_ms,
        popularity=popularity,
        title_draws=r_titles.integers(0, 2**15, size=(n_tracks, DRAWS), dtype=np.uint16),
        isrc_serial=isrc_serial,
        unknown_sid=tuple(all_track_sids[n_tracks:]),
        track_index=_index(track_uuid, track_sid),
        artist_index=_index(artist_uuid, artist_sid),
        album_index=_index(album_uuid, album_sid),
    )
