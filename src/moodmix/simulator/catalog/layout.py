"""Who has which tracks and albums: how many each artist gets, and the offset arrays over them.

Tracks are laid out artist by artist and, within an artist, album by album, so every list the
API pages through is a contiguous slice::

    shape = lay_out(rng, fame=np.array([0.0, -2.0, -4.0]), n_tracks=30)
    shape.artist_tracks            # offsets: artist a owns tracks [t[a], t[a + 1])
    shape.album_tracks             # the same for albums
    guests = feature_guests(rng, shape.track_artist, artist_genre=np.array([0, 0, 1]))
    guests.featured                # per track: the featured second artist, or -1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from moodmix.simulator.catalog.genres import GENRES, genre_arrays

Ints = npt.NDArray[np.int64]
Floats = npt.NDArray[np.float64]

MAX_ALBUMS: Final = 4
_TRACKS_PER_ALBUM: Final = (4.0, 10.0)  # an artist's typical album size is drawn from this


@dataclass(frozen=True, slots=True)
class Shape:
    """The catalog's structure, by index."""

    track_artist: Ints  # (T,) the artist of each track
    nth: Ints  # (T,) a track's position among its artist's tracks
    track_album: Ints  # (T,)
    album_artist: Ints  # (B,)
    artist_tracks: Ints  # (A + 1,) offsets
    artist_albums: Ints  # (A + 1,) offsets
    album_tracks: Ints  # (B + 1,) offsets

    @property
    def n_albums(self) -> int:
        return len(self.album_artist)


@dataclass(frozen=True, slots=True)
class Guests:
    """Featured artists: per track (-1 for none), and per artist as offsets into ``tracks``."""

    featured: Ints  # (T,)
    offsets: Ints  # (A + 1,)
    tracks: Ints  # tracks grouped by their featured artist


def offsets(counts: Ints) -> Ints:
    """``[0, c0, c0 + c1, ...]``: where each group starts, and the total at the end."""
    return np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _track_counts(rng: np.random.Generator, fame: Floats, n_tracks: int) -> Ints:
    """At least one track per artist; the rest go mostly to famous, prolific artists."""
    weight = np.exp(0.35 * fame) * rng.lognormal(0.0, 0.6, size=len(fame))
    extra = rng.multinomial(n_tracks - len(fame), weight / weight.sum())
    return (1 + extra).astype(np.int64)


def _album_counts(rng: np.random.Generator, track_counts: Ints) -> Ints:
    """One to four albums per artist, never more than it has tracks."""
    per_album = rng.uniform(*_TRACKS_PER_ALBUM, size=len(track_counts))
    wanted = np.ceil(track_counts / per_album).astype(np.int64)
    return np.clip(wanted, 1, np.minimum(MAX_ALBUMS, track_counts))


def lay_out(rng: np.random.Generator, fame: Floats, n_tracks: int) -> Shape:
    """Share ``n_tracks`` among artists of the given log ``fame`` and split them into albums."""
    n_artists = len(fame)
    track_counts = _track_counts(rng, fame, n_tracks)
    album_counts = _album_counts(rng, track_counts)
    artist_tracks, artist_albums = offsets(track_counts), offsets(album_counts)
    track_artist = np.repeat(np.arange(n_artists, dtype=np.int64), track_counts)
    nth = np.arange(n_tracks, dtype=np.int64) - artist_tracks[track_artist]
    per_artist = album_counts[track_artist]
    track_album = artist_albums[track_artist] + nth * per_artist // track_counts[track_artist]
    album_artist = np.repeat(np.arange(n_artists, dtype=np.int64), album_counts)
    n_albums = int(artist_albums[-1])
    album_tracks = offsets(np.bincount(track_album, minlength=n_albums).astype(np.int64))
    return Shape(
        track_artist, nth, track_album, album_artist, artist_tracks, artist_albums, album_tracks
    )


def feature_guests(rng: np.random.Generator, track_artist: Ints, artist_genre: Ints) -> Guests:
    """A second artist of the same genre on some tracks (each genre's share of duets)."""
    track_genre = artist_genre[track_artist]
    featured = np.full(len(track_artist), -1, dtype=np.int64)
    chosen = rng.random(len(track_artist)) < genre_arrays().featured[track_genre]
    for g in range(len(GENRES)):
        members = np.flatnonzero(artist_genre == g)
        rows = np.flatnonzero(chosen & (track_genre == g))
        if len(members) < 2 or len(rows) == 0:
            continue
        own = np.searchsorted(members, track_artist[rows])
        pick = rng.integers(0, len(members) - 1, size=len(rows))
        featured[rows] = members[pick + (pick >= own)]
    has_guest = np.flatnonzero(featured >= 0)
    by_guest = has_guest[np.argsort(featured[has_guest], kind="stable")]
    counts = np.bincount(featured[has_guest], minlength=len(artist_genre)).astype(np.int64)
    return Guests(featured, offsets(counts), by_guest)
