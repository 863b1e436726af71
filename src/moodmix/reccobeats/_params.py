"""Arguments checked against the API's documented ranges before anything is sent.

Each check returns the value in the form the API takes, or raises ``ValueError`` naming the
argument and what is allowed::

    batch_ids(["spotify:track:00aqkszH1FdUiJJWvX6iEl"], name="ids", expect="track")
    # ['00aqkszH1FdUiJJWvX6iEl']
    number(1.5, name="energy", low=0, high=1)
    # ValueError: energy must be a number from 0 to 1, got 1.5
    encode_query({"ids": ["a", "b"], "searchText": "x y"})   # 'ids=a,b&searchText=x%20y'
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Final
from urllib.parse import quote

from moodmix.reccobeats.ids import MAX_BATCH_IDS, Kind, parse_id

MAX_SEEDS: Final = 5
MAX_RECOMMENDATIONS: Final = 100
MAX_PAGE_SIZE: Final = 50
MAX_PAGE: Final = 1000
MAX_SEARCH_TEXT: Final = 1000
MAX_AUDIO_BYTES: Final = 5 * 1024 * 1024
"""5 MB, the largest upload ``/v1/analysis/audio-features`` accepts."""

UNIT_TARGETS: Final[tuple[str, ...]] = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "liveness",
    "speechiness",
    "valence",
)
"""Recommendation targets that are scores from 0 to 1."""

QueryValue = str | int | float | list[str]
Query = Mapping[str, QueryValue]


def batch_ids(
    ids: Sequence[str],
    *,
    name: str,
    limit: int = MAX_BATCH_IDS,
    expect: Kind | None = None,
) -> list[str]:
    """1 to ``limit`` ids, each reduced to the bare form ReccoBeats takes."""
    if isinstance(ids, str | bytes) or not isinstance(ids, Iterable):
        raise ValueError(
            f"{name} must be a list of 1 to {limit} ids, not {type(ids).__name__}"
            + (" (wrap a single id in a list)" if isinstance(ids, str) else "")
        )
    items = list(ids)
    if not 1 <= len(items) <= limit:
        raise ValueError(f"{name} must hold 1 to {limit} ids, got {len(items)}")
    values = []
    for position, item in enumerate(items):
        try:
            values.append(parse_id(item, expect=expect).value)
        except ValueError as exc:
            raise ValueError(f"{name}[{position}]: {exc}") from None
    return values


def single_id(value: str, *, name: str, expect: Kind | None = None) -> str:
    """One id in bare form (a Spotify id, a ReccoBeats UUID, a URI or a link)."""
    try:
        return parse_id(value, expect=expect).value
    except ValueError as exc:
        raise ValueError(f"{name}: {exc}") from None


def integer(value: int, *, name: str, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` (booleans are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValueError(f"{name} must be an integer from {low} to {high}, got {value!r}")
    return value


def number(value: float, *, name: str, low: float, high: float) -> float:
    """A finite number from ``low`` to ``high``; ints are kept as ints."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise ValueError(f"{name} must be a number from {low:g} to {high:g}, got {value!r}")
    return value


def search_text(text: str) -> str:
    """The search text, stripped: 1 to 1000 characters."""
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, not {type(text).__name__}")
    stripped = text.strip()
    if not 1 <= len(stripped) <= MAX_SEARCH_TEXT:
        raise ValueError(
            f"text must be 1 to {MAX_SEARCH_TEXT} characters (spaces at the ends not counted), "
            f"got {len(stripped)}"
        )
    return stripped


def paging(page: int, size: int) -> dict[str, QueryValue]:
    """``page`` 0-1000 and ``size`` 1-50, as query parameters."""
    return {
        "page": integer(page, name="page", low=0, high=MAX_PAGE),
        "size": integer(size, name="size", low=1, high=MAX_PAGE_SIZE),
    }


def recommendation_query(
    seeds: Sequence[str],
    *,
    size: int,
    negative_seeds: Sequence[str] | None,
    targets: Mapping[str, float | None],
    key: int | None,
    mode: int | None,
    feature_weight: float | None,
) -> dict[str, QueryValue]:
    """The query of ``GET /v1/track/recommendation``; targets left ``None`` are not sent."""
    query: dict[str, QueryValue] = {"seeds": batch_ids(seeds, name="seeds", limit=MAX_SEEDS)}
    if negative_seeds is not None:
        query["negativeSeeds"] = batch_ids(negative_seeds, name="negative_seeds", limit=MAX_SEEDS)
    query["size"] = integer(size, name="size", low=1, high=MAX_RECOMMENDATIONS)
    for target, value in targets.items():
        if value is not None:
            low, high = _TARGET_RANGES[target]
            query[target] = number(value, name=target, low=low, high=high)
    if key is not None:
        query["key"] = integer(key, name="key", low=-1, high=11)
    if mode is not None:
        query["mode"] = integer(mode, name="mode", low=0, high=1)
    if feature_weight is not None:
        query["featureWeight"] = number(feature_weight, name="feature_weight", low=1, high=5)
    return query


_TARGET_RANGES: Final[dict[str, tuple[float, float]]] = {
    **dict.fromkeys(UNIT_TARGETS, (0.0, 1.0)),
    "tempo": (0.0, 250.0),
    "loudness": (-60.0, 2.0),
    "popularity": (0.0, 100.0),
}


def audio_upload(
    data: bytes | bytearray | memoryview, *, filename: str, content_type: str | None
) -> tuple[str, bytes, str | None]:
    """The ``audioFile`` part: non-empty bytes of at most 5 MB, with a file name."""
    if not isinstance(data, bytes | bytearray | memoryview):
        raise ValueError(f"data must be the file's bytes, not {type(data).__name__}")
    content = bytes(data)
    if not 1 <= len(content) <= MAX_AUDIO_BYTES:
        raise ValueError(
            f"data must be 1 to {MAX_AUDIO_BYTES} bytes (5 MB), got {len(content)} bytes"
        )
    if not isinstance(filename, str) or not filename.strip():
        raise ValueError("filename must be a non-empty string such as 'audio.mp3'")
    if content_type is not None and (not isinstance(content_type, str) or "/" not in content_type):
        raise ValueError(
            f"content_type must be a MIME type such as 'audio/mpeg', got {content_type!r}"
        )
    return filename, content, content_type


_UNRESERVED: Final = re.compile(r"[A-Za-z0-9_.~,-]*")
"""What ``quote(..., safe="")`` leaves as it is, and the comma that joins a list."""


def encode_query(query: Query) -> str:
    """Percent-encode ``query``; a list becomes one comma-joined value (``ids=a,b``).

    A list of ids needs no quoting (letters, digits, dashes), which one match of the joined
    value tells, rather than a ``quote`` call per id."""
    parts = []
    for name, value in query.items():
        if isinstance(value, list):
            encoded = ",".join(value)
            if _UNRESERVED.fullmatch(encoded) is None or encoded.count(",") != len(value) - 1:
                encoded = ",".join(quote(item, safe="") for item in value)
        else:
            encoded = quote(str(value), safe="")
        parts.append(f"{quote(name, safe='')}={encoded}")
    return "&".join(parts)
