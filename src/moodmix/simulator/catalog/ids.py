"""Well-formed ids, many at a time: Spotify base-62 ids, UUID v4s and ISRC registrant codes.

All vectorised with numpy from a given generator, so a seed gives the same ids every time::

    rng = np.random.default_rng(7)
    spotify_ids(rng, 3)      # ['4uLU6hMCjMI75M1A2tKUQC', ...]: 22 base-62 characters
    uuid4s(rng, 3)           # ['9451b6b2-8746-4d43-abd7-c355ed1e3048', ...]: lowercase v4
    registrants(rng, 3)      # ['UM7', 'A2K', ...]: the XXX of an ISRC CC-XXX-YY-NNNNN
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

_BASE62: Final = np.frombuffer(
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", dtype=np.uint8
)
_HEX: Final = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
_LETTERS: Final = _BASE62[10:36]
_UPPER_ALNUM: Final = _BASE62[:36]
_DASHES: Final = (8, 12, 16, 20)  # hex positions before which a UUID has a dash
SPOTIFY_ID_LENGTH: Final = 22


def _strings(chars: npt.NDArray[np.uint8]) -> list[str]:
    """Rows of ASCII codes -> Python strings."""
    width = chars.shape[1]
    return np.ascontiguousarray(chars).view(f"S{width}").ravel().astype(f"U{width}").tolist()


def spotify_ids(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random Spotify ids: a 128-bit number in base 62, so the first character is 0-7."""
    digits = rng.integers(0, 62, size=(n, SPOTIFY_ID_LENGTH), dtype=np.uint8)
    digits[:, 0] = rng.integers(0, 8, size=n, dtype=np.uint8)
    return _strings(_BASE62[digits])


def uuid4s(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` random version-4 UUIDs in lowercase canonical form."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40  # version 4
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexes = np.empty((n, 32), dtype=np.uint8)
    hexes[:, 0::2] = _HEX[raw >> 4]
    hexes[:, 1::2] = _HEX[raw & 0x0F]
    dash = np.full((n, 1), ord("-"), dtype=np.uint8)
    parts = np.split(hexes, _DASHES, axis=1)
    pieces: list[npt.NDArray[np.uint8]] = [parts[0]]
    for part in parts[1:]:
        pieces += [dash, part]
    return _strings(np.concatenate(pieces, axis=1))


def registrants(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` ISRC registrant codes: a letter, then two letters or digits."""
    codes = np.empty((n, 3), dtype=np.uint8)
    codes[:, 0] = _LETTERS[rng.integers(0, 26, size=n)]
    codes[:, 1:] = _UPPER_ALNUM[rng.integers(0, 36, size=(n, 2))]
    return _strings(codes)
