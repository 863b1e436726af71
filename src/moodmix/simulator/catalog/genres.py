"""Genre profiles: where each genre's tracks sit in audio-feature space, and how widely.

Plain data plus the arrays the vectorised generator reads::

    from moodmix.simulator.catalog.genres import GENRES, genre_arrays
    GENRES[0].name                     # 'pop'
    arrays = genre_arrays()
    arrays.centroid.shape              # (len(GENRES), len(BOUNDED))

The seven bounded features (0-1) have a centroid per genre; tempo, loudness and duration have a
mean and a spread; ``major`` is the share of tracks in a major key.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Final

import numpy as np
import numpy.typing as npt

BOUNDED: Final = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "liveness",
    "speechiness",
    "valence",
)
"""The features that live in 0..1, in the column order of every centroid."""

_DEFAULT_ISRC: Final = (
    "US",
    "US",
    "US",
    "GB",
    "GB",
    "DE",
    "FR",
    "SE",
    "CA",
    "AU",
    "NL",
    "QM",
    "QZ",
)


@dataclass(frozen=True, slots=True)
class GenreProfile:
    """One genre's feature centroid and spreads.

    ``bounded`` follows ``BOUNDED``; ``spread`` is the per-track standard deviation of the
    bounded features in logit units; ``weight`` is the genre's share of generated artists;
    ``featured`` the share of its tracks with a second, featured artist.
    """

    name: str
    bounded: tuple[float, float, float, float, float, float, float]
    tempo: tuple[float, float]
    loudness: tuple[float, float]
    duration_s: tuple[float, float]
    major: float
    weight: float
    featured: float
    spread: float = 0.75
    first_year: int = 1965
    isrc_countries: tuple[str, ...] = _DEFAULT_ISRC


# fmt: off
GENRES: Final[tuple[GenreProfile, ...]] = (
    #            name        acou   dance  energy instr  live  speech valence
    GenreProfile("pop", (0.20, 0.68, 0.68, 0.01, 0.14, 0.06, 0.55), (118, 22), (-5.8, 1.8),
                 (205, 0.20), 0.62, 10, 0.18),
    GenreProfile("rock", (0.10, 0.48, 0.78, 0.04, 0.18, 0.05, 0.48), (125, 26), (-6.0, 2.0),
                 (240, 0.25), 0.68, 9, 0.05),
    GenreProfile("hip-hop", (0.12, 0.76, 0.65, 0.005, 0.17, 0.28, 0.48), (98, 22), (-6.3, 2.0),
                 (215, 0.22), 0.50, 9, 0.35, first_year=1980),
    GenreProfile("electronic", (0.05, 0.66, 0.78, 0.35, 0.15, 0.06, 0.40), (126, 14),
                 (-5.8, 2.0), (235, 0.25), 0.45, 6, 0.25, first_year=1975),
    GenreProfile("house", (0.03, 0.78, 0.80, 0.45, 0.10, 0.06, 0.55), (124, 4), (-6.8, 1.6),
                 (340, 0.25), 0.45, 4, 0.20, first_year=1985),
    GenreProfile("techno", (0.02, 0.70, 0.83, 0.80, 0.10, 0.06, 0.25), (132, 6), (-7.5, 2.0),
                 (400, 0.22), 0.40, 3, 0.05, first_year=1985),
    GenreProfile("jazz", (0.72, 0.52, 0.34, 0.55, 0.16, 0.05, 0.50), (112, 30), (-11.5, 3.0),
                 (320, 0.35), 0.58, 5, 0.10, first_year=1950),
    GenreProfile("classical", (0.93, 0.26, 0.14, 0.88, 0.12, 0.045, 0.22), (105, 30),
                 (-20.0, 5.0), (380, 0.50), 0.62, 4, 0.02, spread=0.7, first_year=1950,
                 isrc_countries=("DE", "DE", "GB", "AT", "FR", "IT", "US", "NL")),
    GenreProfile("r&b", (0.25, 0.66, 0.55, 0.01, 0.13, 0.09, 0.50), (100, 22), (-6.8, 2.0),
                 (225, 0.22), 0.45, 6, 0.25, first_year=1960),
    GenreProfile("country", (0.30, 0.58, 0.66, 0.005, 0.16, 0.04, 0.60), (122, 24),
                 (-6.0, 1.8), (200, 0.18), 0.80, 5, 0.08, first_year=1955,
                 isrc_countries=("US", "US", "US", "QM", "CA")),
    GenreProfile("folk", (0.80, 0.50, 0.32, 0.08, 0.13, 0.04, 0.42), (112, 26), (-10.5, 3.0),
                 (220, 0.25), 0.70, 5, 0.06, first_year=1960),
    GenreProfile("metal", (0.005, 0.38, 0.93, 0.15, 0.20, 0.08, 0.28), (135, 30),
                 (-4.8, 1.5), (290, 0.28), 0.38, 4, 0.04, spread=0.65, first_year=1970),
    GenreProfile("indie", (0.30, 0.55, 0.58, 0.12, 0.13, 0.045, 0.42), (120, 25),
                 (-7.5, 2.5), (225, 0.25), 0.60, 6, 0.06, first_year=1985),
    GenreProfile("latin", (0.20, 0.76, 0.72, 0.01, 0.15, 0.10, 0.68), (105, 25), (-5.0, 1.8),
                 (205, 0.20), 0.55, 5, 0.35,
                 isrc_countries=("ES", "MX", "CO", "AR", "BR", "US", "QM", "PR")),
    GenreProfile("ambient", (0.70, 0.22, 0.12, 0.90, 0.10, 0.045, 0.12), (90, 25),
                 (-20.0, 5.0), (360, 0.40), 0.55, 3, 0.03, spread=0.7, first_year=1975),
    GenreProfile("blues", (0.45, 0.52, 0.50, 0.10, 0.25, 0.05, 0.55), (108, 25), (-9.0, 3.0),
                 (260, 0.25), 0.60, 3, 0.05, first_year=1950),
    GenreProfile("reggae", (0.20, 0.78, 0.55, 0.05, 0.18, 0.12, 0.72), (85, 18), (-7.5, 2.0),
                 (240, 0.20), 0.60, 3, 0.12, first_year=1968,
                 isrc_countries=("JM", "JM", "GB", "US")),
    GenreProfile("punk", (0.02, 0.42, 0.92, 0.02, 0.24, 0.07, 0.50), (170, 22), (-4.5, 1.5),
                 (150, 0.25), 0.72, 3, 0.03, spread=0.65, first_year=1975),
    GenreProfile("lo-fi", (0.65, 0.68, 0.32, 0.80, 0.11, 0.07, 0.40), (85, 8), (-12.0, 2.5),
                 (140, 0.25), 0.45, 3, 0.10, first_year=2010),
    GenreProfile("funk", (0.12, 0.80, 0.70, 0.15, 0.18, 0.07, 0.80), (108, 12), (-7.0, 2.0),
                 (260, 0.25), 0.55, 3, 0.10, first_year=1965),
)
# fmt: on
"""The catalog's genres, in index order."""

GENRE_NAMES: Final[tuple[str, ...]] = tuple(g.name for g in GENRES)

# Correlation of the bounded features' noise within a genre (order of BOUNDED): acoustic music
# is quieter, danceable music happier, energetic music a little happier and more often live.
_CORRELATION: Final = (
    (1.00, -0.10, -0.55, 0.05, 0.00, 0.00, -0.05),
    (-0.10, 1.00, 0.15, 0.00, -0.10, 0.10, 0.40),
    (-0.55, 0.15, 1.00, 0.00, 0.10, 0.05, 0.25),
    (0.05, 0.00, 0.00, 1.00, 0.00, -0.20, -0.05),
    (0.00, -0.10, 0.10, 0.00, 1.00, 0.05, 0.00),
    (0.00, 0.10, 0.05, -0.20, 0.05, 1.00, 0.00),
    (-0.05, 0.40, 0.25, -0.05, 0.00, 0.00, 1.00),
)

KEY_SHARES: Final = (0.12, 0.11, 0.11, 0.04, 0.08, 0.08, 0.07, 0.11, 0.07, 0.10, 0.06, 0.05)
"""How often each pitch class (C, C#, ... B) is a track's key, roughly as in real catalogues."""


@dataclass(frozen=True, slots=True)
class GenreArrays:
    """The profiles as arrays, one row per genre."""

    centroid_logit: npt.NDArray[np.float64]  # (G, 7)
    spread: npt.NDArray[np.float64]  # (G,)
    tempo: npt.NDArray[np.float64]  # (G, 2)
    loudness: npt.NDArray[np.float64]  # (G, 2)
    duration: npt.NDArray[np.float64]  # (G, 2): log-mean, log-sd
    major: npt.NDArray[np.float64]  # (G,)
    weight: npt.NDArray[np.float64]  # (G,) normalised
    featured: npt.NDArray[np.float64]  # (G,)
    first_year: npt.NDArray[np.int64]  # (G,)
    noise_factor: npt.NDArray[np.float64]  # (7, 7) lower Cholesky factor of the correlation


def logit(p: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    clipped = np.clip(p, 1e-4, 1 - 1e-4)
    return np.asarray(np.log(clipped / (1 - clipped)), dtype=np.float64)


def sigmoid(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    return np.asarray(1.0 / (1.0 + np.exp(-x)), dtype=np.float64)


@cache
def genre_arrays() -> GenreArrays:
    """The profiles as arrays (computed once)."""
    weight = np.array([g.weight for g in GENRES], dtype=np.float64)
    duration = np.array([g.duration_s for g in GENRES], dtype=np.float64)
    duration[:, 0] = np.log(duration[:, 0])
    return GenreArrays(
        centroid_logit=logit(np.array([g.bounded for g in GENRES], dtype=np.float64)),
        spread=np.array([g.spread for g in GENRES], dtype=np.float64),
        tempo=np.array([g.tempo for g in GENRES], dtype=np.float64),
        loudness=np.array([g.loudness for g in GENRES], dtype=np.float64),
        duration=duration,
        major=np.array([g.major for g in GENRES], dtype=np.float64),
        weight=weight / weight.sum(),
        featured=np.array([g.featured for g in GENRES], dtype=np.float64),
        first_year=np.array([g.first_year for g in GENRES], dtype=np.int64),
        noise_factor=np.linalg.cholesky(np.array(_CORRELATION, dtype=np.float64)),
    )
