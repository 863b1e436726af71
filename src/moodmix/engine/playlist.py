"""What a playlist request asks for, and the playlist that answers it.

::

    request = PlaylistRequest("rainy Sunday, mellow acoustic", size=30, order="arc")
    playlist = await make_playlist(gateway, request)
    playlist.tracks[0].title, playlist.tracks[0].reason, playlist.quality.mean_distance
    playlist.to_json()   # {"tracks", "profile", "seeds", "quality", "upstream_requests", ...}
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Final, Literal, get_args

from moodmix.engine.profile import MoodProfile
from moodmix.engine.readers import ReaderReport
from moodmix.reccobeats.ids import parse_id

Order = Literal["arc", "smooth", "score"]
"""``arc``: energy rises to a peak late and winds down; ``smooth``: small tempo, key and energy
steps; ``score``: best fit first."""

SeedSource = Literal["explicit", "artist", "anchor"]
"""Where a seed came from: given by id, an artist named in the prompt, or an anchor artist."""

ORDERS: Final[tuple[str, ...]] = get_args(Order)
MAX_TRACKS: Final = 100
MAX_PROMPT_CHARS: Final = 500
"""The longest prompt, in characters (the API takes no more either)."""
MAX_EXPLICIT_SEEDS: Final = 25
MAX_DURATION_S: Final = 6 * 3600
MAX_EXCLUSIONS: Final = 50
"""The most artists, and the most tracks, a request may exclude."""
MAX_EXCLUSION_CHARS: Final = 200
MIN_TRACK_S: Final = 60
MAX_TRACK_S: Final = 3600
"""The range of ``max_track_s``: a limit under a minute would leave almost nothing."""
MIN_YEAR: Final = 1900
MAX_YEAR: Final = 2100


@dataclass(frozen=True)
class PlaylistRequest:
    """A prompt and how the playlist should be shaped.

    With ``duration_s`` the playlist is filled to that length (and ``size`` is ignored);
    ``profile`` skips mood analysis (the service and tests pass one they already have).
    """

    prompt: str
    seeds: tuple[str, ...] = ()
    size: int = 30
    duration_s: float | None = None
    order: Order = "arc"
    artist_cap: int = 2
    profile: MoodProfile | None = None
    exclude_artists: tuple[str, ...] = ()
    """Artists left out: names (any case and accents) or ReccoBeats/Spotify artist ids."""
    exclude_tracks: tuple[str, ...] = ()
    """Tracks left out: ReccoBeats/Spotify track ids or links, or titles."""
    explicit: bool = True
    """``False``: leave out tracks marked explicit (where the data marks them)."""
    max_track_s: float | None = None
    """Leave out tracks longer than this many seconds."""
    years: tuple[int, int] | None = None
    """Leave out tracks released outside ``(from, to)``, both included (where known)."""

    def __post_init__(self) -> None:
        if not isinstance(self.prompt, str):
            raise ValueError(f"prompt must be text, not {type(self.prompt).__name__}")
        if not self.prompt.strip():
            raise ValueError("the prompt needs some words, e.g. 'rainy Sunday, mellow acoustic'")
        if len(self.prompt) > MAX_PROMPT_CHARS:
            raise ValueError(
                f"the prompt is {len(self.prompt):,} characters; at most {MAX_PROMPT_CHARS} "
                "(a mood in a sentence or two)"
            )
        if isinstance(self.seeds, str):
            raise ValueError("seeds must be a list of ids, not one string")
        object.__setattr__(self, "seeds", tuple(self.seeds))
        if len(self.seeds) > MAX_EXPLICIT_SEEDS:
            raise ValueError(f"at most {MAX_EXPLICIT_SEEDS} seeds, got {len(self.seeds)}")
        if isinstance(self.size, bool) or not 1 <= self.size <= MAX_TRACKS:
            raise ValueError(f"size must be from 1 to {MAX_TRACKS}, got {self.size!r}")
        if self.duration_s is not None and not 60 <= self.duration_s <= MAX_DURATION_S:
            raise ValueError(
                f"duration must be from 1 minute to {MAX_DURATION_S // 3600} hours, "
                f"got {self.duration_s:g} s"
            )
        if self.order not in ORDERS:
            raise ValueError(f"order must be one of {', '.join(ORDERS)}, got {self.order!r}")
        if isinstance(self.artist_cap, bool) or self.artist_cap < 1:
            raise ValueError(f"artist_cap must be at least 1, got {self.artist_cap!r}")
        object.__setattr__(
            self, "exclude_artists", check_exclusions(self.exclude_artists, "artists")
        )
        object.__setattr__(self, "exclude_tracks", check_exclusions(self.exclude_tracks, "tracks"))
        if both := _ids(self.seeds) & _ids(self.exclude_tracks):
            raise ValueError(
                f"{', '.join(sorted(both))} is both a seed and excluded: drop one or the other"
            )
        if not isinstance(self.explicit, bool):
            raise ValueError(f"explicit must be true or false, got {self.explicit!r}")
        if self.max_track_s is not None and (
            isinstance(self.max_track_s, bool) or not MIN_TRACK_S <= self.max_track_s <= MAX_TRACK_S
        ):
            raise ValueError(
                f"the longest track must be from {MIN_TRACK_S} s to {MAX_TRACK_S} s "
                f"(1 minute to 1 hour), got {self.max_track_s!r}"
            )
        if self.years is not None:
            object.__setattr__(self, "years", check_years(self.years))


def check_exclusions(values: object, what: str) -> tuple[str, ...]:
    """``values`` as a tuple of distinct non-blank strings; ``ValueError`` when it is not one."""
    if isinstance(values, str) or not isinstance(values, list | tuple):
        raise ValueError(f"excluded {what} must be a list of names or ids, not {values!r}")
    out: dict[str, None] = {}
    for value in values:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(f"excluded {what} must be non-empty names or ids, got {value!r}")
        if len(value) > MAX_EXCLUSION_CHARS:
            raise ValueError(f"an excluded {what[:-1]} is at most {MAX_EXCLUSION_CHARS} characters")
        out[value.strip()] = None
    if len(out) > MAX_EXCLUSIONS:
        raise ValueError(f"at most {MAX_EXCLUSIONS} excluded {what}, got {len(out)}")
    return tuple(out)


def _ids(values: tuple[str, ...]) -> set[str]:
    """The track ids among ``values``, in the form ReccoBeats takes (other text left out)."""
    out: set[str] = set()
    for value in values:
        with contextlib.suppress(ValueError):
            out.add(parse_id(value, expect="track").value)
    return out


def check_years(value: object) -> tuple[int, int]:
    """``(from, to)`` checked: two whole years from ``MIN_YEAR`` to ``MAX_YEAR``, in order."""
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError(f"years must be [from, to], e.g. [1990, 2005], got {value!r}")
    first, last = value
    for year in (first, last):
        if isinstance(year, bool) or not isinstance(year, int):
            raise ValueError(f"years must be whole years, e.g. [1990, 2005], got {value!r}")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"years must be from {MIN_YEAR} to {MAX_YEAR}, got {year}")
    if first > last:
        raise ValueError(f"years must run forward: from {first} is after to {last}")
    return first, last


@dataclass(frozen=True)
class PlaylistTrack:
    """One track of the playlist: who and what it is, its features, its score and why.

    A ``pinned`` track stays where it is when the playlist is refined.
    """

    id: str
    spotify_id: str | None
    title: str
    artists: tuple[str, ...]
    duration_ms: int | None
    features: dict[str, float]
    score: float
    distance: float
    reason: str
    pinned: bool = False

    @property
    def values(self) -> dict[str, float]:
        """Its feature values (what its reason is written from)."""
        return self.features

    @property
    def artist_names(self) -> tuple[str, ...]:
        return self.artists

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "spotify_id": self.spotify_id,
            "title": self.title,
            "artists": list(self.artists),
            "duration_ms": self.duration_ms,
            "features": dict(self.features),
            "score": round(self.score, 4),
            "distance": round(self.distance, 4),
            "reason": self.reason,
            "pinned": self.pinned,
        }


@dataclass(frozen=True)
class SeedTrack:
    """A track the recommendations were seeded from; ``given`` is the id or name it came from."""

    id: str
    spotify_id: str | None
    title: str
    artists: tuple[str, ...]
    source: SeedSource
    given: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "spotify_id": self.spotify_id,
            "title": self.title,
            "artists": list(self.artists),
            "source": self.source,
            "given": self.given,
        }


@dataclass(frozen=True)
class SkippedSeed:
    """A seed that was left out, and why."""

    seed: str
    why: str

    def to_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "why": self.why}


@dataclass(frozen=True)
class Quality:
    """How good the playlist is.

    ``mean_distance``: mean weighted distance of the tracks to the mood's target (0 is exact);
    ``artist_diversity``: distinct lead artists per track (1 is all different);
    ``seed_coverage``: share of seeds that are the nearest seed of at least one track;
    ``candidates``: tracks considered; ``duration_ms``: total length.
    """

    mean_distance: float
    artist_diversity: float
    seed_coverage: float
    candidates: int
    duration_ms: int

    def to_json(self) -> dict[str, Any]:
        return {
            "mean_distance": round(self.mean_distance, 4),
            "artist_diversity": round(self.artist_diversity, 4),
            "seed_coverage": round(self.seed_coverage, 4),
            "candidates": self.candidates,
            "duration_ms": self.duration_ms,
        }


@dataclass(frozen=True)
class Playlist:
    """The answer to a ``PlaylistRequest``.

    ``upstream_requests`` counts the requests the gateway sent while this playlist was made
    (0 when everything came from the cache); on a gateway that serves several playlists at
    once, it includes what the others sent meanwhile.
    """

    tracks: tuple[PlaylistTrack, ...]
    profile: MoodProfile
    seeds: tuple[SeedTrack, ...]
    quality: Quality
    upstream_requests: int
    order: Order
    skipped_seeds: tuple[SkippedSeed, ...] = ()
    notes: tuple[str, ...] = field(default=())
    name: str = ""
    """A title for the playlist, from its mood (``engine.naming``)."""
    description: str = ""
    reader: ReaderReport | None = None
    """How the prompt was read (``None`` when the request carried its profile)."""

    def to_json(self) -> dict[str, Any]:
        reader = {} if self.reader is None else {"reader": self.reader.to_json()}
        return {
            "tracks": [t.to_json() for t in self.tracks],
            "profile": self.profile.to_json(),
            "seeds": [s.to_json() for s in self.seeds],
            "skipped_seeds": [s.to_json() for s in self.skipped_seeds],
            "quality": self.quality.to_json(),
            "upstream_requests": self.upstream_requests,
            "order": self.order,
            "notes": list(self.notes),
            "name": self.name,
            "description": self.description,
            **reader,
        }
