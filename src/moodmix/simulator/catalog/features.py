"""Audio features drawn around genre centroids, with each artist's own lean.

Bounded features (0-1) are drawn in logit space: genre centroid + the artist's offset +
correlated per-track noise, then squashed back; loudness follows energy; tempo, duration,
key and mode have per-genre distributions. Everything comes from the generator passed in::

    rng = np.random.default_rng(1)
    styles = artist_styles(rng, n_artists=3)
    drawn = draw_tracks(rng, genre=np.array([0, 11]), style=styles.take(np.array([0, 2])))
    drawn.values[:, ENERGY]            # pop (genre 0) about 0.5, metal (genre 11) about 0.9
    analyze_bytes(b"RIFF....WAVE")     # the same features for the same bytes, every time
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from moodmix.reccobeats.models import FEATURE_NAMES
from moodmix.simulator.catalog.genres import KEY_SHARES, genre_arrays, sigmoid

Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]

BOUNDED_COLUMNS: Final = tuple(
    FEATURE_NAMES.index(name)
    for name in (
        "acousticness",
        "danceability",
        "energy",
        "instrumentalness",
        "liveness",
        "speechiness",
        "valence",
    )
)
"""Where the ``genres.BOUNDED`` features sit among the ``FEATURE_NAMES`` columns."""
LOUDNESS: Final = FEATURE_NAMES.index("loudness")
TEMPO: Final = FEATURE_NAMES.index("tempo")
ENERGY: Final = FEATURE_NAMES.index("energy")
_ENERGY_BOUNDED: Final = 2
_VALENCE_BOUNDED: Final = 6
TEMPO_RANGE: Final = (50.0, 220.0)
LOUDNESS_RANGE: Final = (-60.0, 0.0)
DURATION_RANGE_S: Final = (90.0, 600.0)
_ARTIST_SPREAD: Final = 0.55  # logit units: how far an artist leans from its genre
_TRACK_SHARE: Final = 0.8  # of a genre's spread left to each track once the artist is chosen
_LOUDNESS_PER_ENERGY: Final = 7.0  # dB per unit of energy above the genre's centroid
_NO_KEY: Final = 0.01  # share of tracks with no detectable key (-1)


@dataclass(frozen=True, slots=True)
class ArtistStyles:
    """Per-artist offsets from their genre's profile (one row per artist)."""

    bounded: Floats  # (A, 7) logit offsets
    tempo: Floats  # (A,) in genre standard deviations
    loudness: Floats  # (A,) in genre standard deviations
    duration: Floats  # (A,) in genre log-duration standard deviations
    major: Floats  # (A,) added to the genre's major-key share

    def take(self, rows: Ints) -> ArtistStyles:
        """The styles of ``rows`` (artist indices), e.g. one row per track."""
        return ArtistStyles(
            self.bounded[rows],
            self.tempo[rows],
            self.loudness[rows],
            self.duration[rows],
            self.major[rows],
        )


@dataclass(frozen=True, slots=True)
class DrawnTracks:
    """Features of ``n`` tracks: ``values`` has the ``FEATURE_NAMES`` columns."""

    values: Floats  # (n, 9)
    key: npt.NDArray[np.int8]
    mode: npt.NDArray[np.int8]
    duration_ms: npt.NDArray[np.int32]


def artist_styles(rng: np.random.Generator, n_artists: int) -> ArtistStyles:
    """How each of ``n_artists`` artists leans away from its genre's centroid."""
    return ArtistStyles(
        bounded=rng.normal(0.0, _ARTIST_SPREAD, size=(n_artists, 7)),
        tempo=rng.normal(0.0, 0.5, size=n_artists),
        loudness=rng.normal(0.0, 0.6, size=n_artists),
        duration=rng.normal(0.0, 0.5, size=n_artists),
        major=rng.normal(0.0, 0.12, size=n_artists),
    )


def draw_tracks(rng: np.random.Generator, genre: Ints, style: ArtistStyles) -> DrawnTracks:
    """Features for tracks of the given genres (indices) and artists' styles (one row each)."""
    arrays = genre_arrays()
    n = len(genre)
    mode = (rng.random(n) < np.clip(arrays.major[genre] + style.major, 0.05, 0.95)).astype(np.int8)
    noise = rng.standard_normal((n, 7)) @ arrays.noise_factor.T
    spread = (arrays.spread[genre] * _TRACK_SHARE)[:, None]
    centre = arrays.centroid_logit[genre]
    bounded_logit = centre + style.bounded + noise * spread
    bounded_logit[:, _VALENCE_BOUNDED] += np.where(mode == 1, 0.3, -0.3)
    bounded = sigmoid(bounded_logit)

    values = np.empty((n, len(FEATURE_NAMES)), dtype=np.float64)
    values[:, BOUNDED_COLUMNS] = bounded
    energy_lean = bounded[:, _ENERGY_BOUNDED] - sigmoid(centre[:, _ENERGY_BOUNDED])
    loud_mean, loud_sd = arrays.loudness[genre, 0], arrays.loudness[genre, 1]
    loudness = loud_mean + loud_sd * (style.loudness + 0.8 * rng.standard_normal(n))
    values[:, LOUDNESS] = np.clip(loudness + _LOUDNESS_PER_ENERGY * energy_lean, *LOUDNESS_RANGE)
    tempo_mean, tempo_sd = arrays.tempo[genre, 0], arrays.tempo[genre, 1]
    tempo = tempo_mean + tempo_sd * (0.5 * style.tempo + 0.85 * rng.standard_normal(n))
    values[:, TEMPO] = np.clip(tempo, *TEMPO_RANGE)

    shares = np.asarray(KEY_SHARES, dtype=np.float64)
    key = rng.choice(12, size=n, p=shares / shares.sum()).astype(np.int8)
    key[rng.random(n) < _NO_KEY] = -1
    log_mean, log_sd = arrays.duration[genre, 0], arrays.duration[genre, 1]
    seconds = np.exp(log_mean + log_sd * (0.5 * style.duration + 0.85 * rng.standard_normal(n)))
    duration_ms = np.round(np.clip(seconds, *DURATION_RANGE_S) * 1000).astype(np.int32)
    return DrawnTracks(values, key, mode, duration_ms)


def analyze_bytes(data: bytes) -> dict[str, Any]:
    """Features for an uploaded file: a function of its bytes alone, no ``id`` or ``href``."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"data must be bytes, not {type(data).__name__}")
    if len(data) == 0:
        raise ValueError("data must not be empty")
    digest = hashlib.blake2b(data, digest_size=16).digest()
    rng = np.random.default_rng(int.from_bytes(digest, "big"))
    arrays = genre_arrays()
    genre = rng.choice(len(arrays.weight), size=1, p=arrays.weight)
    drawn = draw_tracks(rng, genre, artist_styles(rng, 1))
    return feature_dict(drawn.values[0])


def feature_dict(row: Floats) -> dict[str, Any]:
    """The ``FEATURE_NAMES`` values of one track as the API rounds them."""
    return {name: round(float(value), 4) for name, value in zip(FEATURE_NAMES, row, strict=True)}
