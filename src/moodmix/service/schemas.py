"""What clients may send, validated with messages that name the field and what it allows.

::

    PlaylistIn(prompt="rainy Sunday, mellow acoustic", size=20, duration="45m")
    PlaylistIn(prompt="x", size=500)   # ValidationError: size: less than or equal to 100
    duration_seconds("1h30m")          # 5400.0

The limits are the engine's own (``moodmix.engine.playlist``), so the API and the engine
never disagree on what is allowed.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Final, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from moodmix.engine.duration import parse_duration
from moodmix.engine.playlist import (
    MAX_DURATION_S,
    MAX_EXCLUSION_CHARS,
    MAX_EXCLUSIONS,
    MAX_EXPLICIT_SEEDS,
    MAX_PROMPT_CHARS,
    MAX_TRACK_S,
    MAX_TRACKS,
    MAX_YEAR,
    MIN_TRACK_S,
    MIN_YEAR,
    PlaylistRequest,
    check_exclusions,
    check_years,
)
from moodmix.reccobeats.ids import parse_id

CACHE_KINDS: Final = (
    "album",
    "album_page",
    "album_search",
    "artist",
    "artist_search",
    "features",
    "recommendations",
    "track",
    "track_page",
)
"""The gateway's cache kinds (``reccobeats._setup.cache_policies``), for the OpenAPI document."""
MIN_DURATION_S: Final = 60

TRACK_ID_PATTERN: Final = (
    r"^\s*([0-9A-Za-z]{22}"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|spotify:track:[0-9A-Za-z]{22}"
    r"|https://open\.spotify\.com/track/[0-9A-Za-z]{22}"
    r"|me:top(:short|:medium|:long)?)\s*$"
)
"""What a track id looks like, for the OpenAPI document (``parse_id`` does the checking, with
messages that say what is wrong; links may also carry a query string and a locale)."""
PERSONAL_SEED: Final = re.compile(r"me:top(?::(short|medium|long))?")
"""The signed-in listener's top tracks over a time range (medium by default)."""
TRACK_ID_SCHEMA: Final = {"type": "string", "pattern": TRACK_ID_PATTERN, "maxLength": 200}


def duration_seconds(value: Any) -> float | None:
    """Seconds from a JSON number (seconds) or text as the CLI takes it (``"45m"``,
    ``"1h30m"``, ``"45:00"``; bare text numbers are minutes)."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("duration must be a number of seconds or text like '45m' or '1h30m'")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        return parse_duration(value)
    raise ValueError(f"duration must be a number of seconds or text like '45m', got {value!r}")


ExclusionText = Annotated[str, Field(min_length=1, max_length=MAX_EXCLUSION_CHARS)]


class ExclusionsIn(BaseModel):
    """What to leave out of a playlist (``PUT /v1/me/exclusions`` stores it for a listener).

    Explicitness and release year are applied where ReccoBeats' data has them; the playlist's
    ``notes`` say when it does not."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "exclude_artists": ["Coldplay"],
                    "exclude_tracks": ["00aqkszH1FdUiJJWvX6iEl"],
                    "explicit": False,
                    "max_track_seconds": 360,
                    "years": [1990, 2005],
                }
            ]
        },
    )

    exclude_artists: list[ExclusionText] = Field(
        default_factory=list,
        max_length=MAX_EXCLUSIONS,
        description="artists to leave out: names (case and accents ignored), Spotify artist "
        "ids or links, or ReccoBeats artist ids",
    )
    exclude_tracks: list[ExclusionText] = Field(
        default_factory=list,
        max_length=MAX_EXCLUSIONS,
        description="tracks to leave out: Spotify ids, spotify:track: URIs, open.spotify.com "
        "links, ReccoBeats ids, or titles; ids also steer ReccoBeats away (negativeSeeds)",
    )
    explicit: bool = Field(
        True, description="false: leave out tracks marked explicit (where the data marks them)"
    )
    max_track_seconds: Annotated[
        float | None,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "minimum": MIN_TRACK_S, "maximum": MAX_TRACK_S},
                    {"type": "string", "pattern": r"^\s*(\d+h)?(\d+m)?(\d+s)?\s*$|^\d+:\d\d$"},
                    {"type": "null"},
                ]
            }
        ),
    ] = Field(
        None,
        description=f"leave out tracks longer than this: seconds, or text like '6m' or '5:30' "
        f"({MIN_TRACK_S} s to {MAX_TRACK_S // 60} minutes)",
    )
    years: list[StrictInt] | None = Field(
        None,
        min_length=2,
        max_length=2,
        description=f"[from, to]: leave out tracks released outside these years, both included "
        f"({MIN_YEAR}-{MAX_YEAR}; read from the track's release date or its ISRC where known)",
    )

    @field_validator("exclude_artists")
    @classmethod
    def _artists(cls, value: list[str]) -> list[str]:
        return list(check_exclusions(value, "artists"))

    @field_validator("exclude_tracks")
    @classmethod
    def _tracks(cls, value: list[str]) -> list[str]:
        return list(check_exclusions(value, "tracks"))

    @field_validator("max_track_seconds", mode="before")
    @classmethod
    def _max_track_text(cls, value: Any) -> float | None:
        return duration_seconds(value)

    @field_validator("max_track_seconds")
    @classmethod
    def _max_track(cls, seconds: float | None) -> float | None:
        if seconds is not None and not MIN_TRACK_S <= seconds <= MAX_TRACK_S:
            raise ValueError(
                f"the longest track must be from {MIN_TRACK_S} s to {MAX_TRACK_S} s "
                f"(1 minute to 1 hour), got {seconds:g} s"
            )
        return seconds

    @field_validator("years")
    @classmethod
    def _years(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else list(check_years(value))

    def exclusion_fields(self) -> dict[str, Any]:
        """The exclusions that differ from the defaults, by the engine's field names."""
        fields: dict[str, Any] = {
            "exclude_artists": list(self.exclude_artists),
            "exclude_tracks": list(self.exclude_tracks),
            "explicit": self.explicit,
            "max_track_s": self.max_track_seconds,
            "years": None if self.years is None else list(self.years),
        }
        return {k: v for k, v in fields.items() if v != EXCLUSION_DEFAULTS[k]}


EXCLUSION_DEFAULTS: Final[dict[str, Any]] = {
    "exclude_artists": [],
    "exclude_tracks": [],
    "explicit": True,
    "max_track_s": None,
    "years": None,
}
"""The engine's exclusion fields when nothing is excluded (left out of stored requests)."""


class ExclusionsOut(BaseModel):
    """A listener's stored exclusions (the defaults when none are stored)."""

    exclude_artists: list[str]
    exclude_tracks: list[str]
    explicit: bool
    max_track_seconds: float | None
    years: list[int] | None


class PlaylistIn(ExclusionsIn):
    """``POST /v1/playlists``: a prompt, how the playlist should be shaped, what to leave out."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "prompt": "rainy Sunday, mellow acoustic, nothing sad",
                    "seeds": ["00aqkszH1FdUiJJWvX6iEl"],
                    "size": 20,
                    "order": "arc",
                }
            ]
        },
    )

    prompt: str = Field(
        min_length=1,
        max_length=MAX_PROMPT_CHARS,
        description="the mood, in words",
        json_schema_extra={"pattern": r"\S"},
    )
    seeds: list[Annotated[str, WithJsonSchema(TRACK_ID_SCHEMA)]] = Field(
        default_factory=list,
        max_length=MAX_EXPLICIT_SEEDS,
        description="seed tracks: Spotify ids, spotify:track: URIs, open.spotify.com links "
        "or ReccoBeats ids; me:top (or me:top:short|medium|long) for the signed-in "
        "listener's own top tracks",
    )
    size: int = Field(30, ge=1, le=MAX_TRACKS, description="tracks wanted (ignored with duration)")
    duration: Annotated[
        float | None,
        WithJsonSchema(
            {
                "anyOf": [
                    {"type": "number", "minimum": MIN_DURATION_S, "maximum": MAX_DURATION_S},
                    {"type": "string", "pattern": r"^\s*(\d+h)?(\d+m)?(\d+s)?\s*$|^\d+:\d\d$"},
                    {"type": "null"},
                ]
            }
        ),
    ] = Field(
        None,
        description=f"fill to this length instead: seconds, or text like '45m', '1h30m' or '45:00' "
        f"({MIN_DURATION_S} s to {MAX_DURATION_S // 3600} h)",
    )
    order: Literal["arc", "smooth", "score"] = Field(
        "arc",
        description="arc: energy rises then winds down; smooth: small steps; score: best first",
    )

    @field_validator("prompt")
    @classmethod
    def _prompt(cls, value: str) -> str:
        text = " ".join(value.split())
        if not text:
            raise ValueError("prompt must contain words, not only spaces")
        return text

    @field_validator("seeds")
    @classmethod
    def _seeds(cls, value: list[str]) -> list[str]:
        for position, seed in enumerate(value):
            if PERSONAL_SEED.fullmatch(seed.strip()):
                continue
            try:
                parse_id(seed, expect="track")
            except ValueError as exc:
                raise ValueError(f"seed #{position + 1} ({seed!r}): {exc}") from None
        return value

    @field_validator("duration", mode="before")
    @classmethod
    def _duration_text(cls, value: Any) -> float | None:
        return duration_seconds(value)

    @field_validator("duration")
    @classmethod
    def _duration(cls, seconds: float | None) -> float | None:
        if seconds is not None and not MIN_DURATION_S <= seconds <= MAX_DURATION_S:
            raise ValueError(
                f"duration must be from {MIN_DURATION_S} s (1 minute) to {MAX_DURATION_S} s "
                f"({MAX_DURATION_S // 3600} hours), got {seconds:g} s"
            )
        return seconds

    @model_validator(mode="after")
    def _consistent(self) -> PlaylistIn:
        """The engine's own checks across fields (a seed that is also excluded, say)."""
        fields = self.engine_fields()
        seeds = [s for s in fields.pop("seeds") if not PERSONAL_SEED.fullmatch(s.strip())]
        years = fields.pop("years", None)
        PlaylistRequest(
            **fields, seeds=tuple(seeds), years=None if years is None else (years[0], years[1])
        )
        return self

    def engine_fields(self) -> dict[str, Any]:
        """The stored request: the engine's field names (exclusions only when set)."""
        return {
            "prompt": self.prompt,
            "seeds": list(self.seeds),
            "size": self.size,
            "duration_s": self.duration,
            "order": self.order,
            **self.exclusion_fields(),
        }


class MoodIn(BaseModel):
    """``POST /v1/moods/analyze``."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"text": "late night drive, synthwave"}]}
    )

    text: str = Field(min_length=1, max_length=MAX_PROMPT_CHARS, description="the mood, in words")


class InvalidateIn(BaseModel):
    """``POST /system/cache/invalidate``: one kind of entry, or all when ``kind`` is null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"kind": "track"}]})

    kind: str | None = Field(
        None,
        description="one kind of entry, or null for all",
        json_schema_extra={"anyOf": [{"enum": list(CACHE_KINDS)}, {"type": "null"}]},
    )


class ErrorOut(BaseModel):
    """Every error answer: a code for programs, a message for people, and details by kind
    (``problems`` for validation, ``retry_after`` for 429 and 503, ``incident`` for 500)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "error": "upstream_rate_limited",
                    "message": "ReccoBeats asked us to slow down; try again in 30 s",
                    "retry_after": 30,
                }
            ]
        },
    )

    error: str = Field(description="what went wrong, for programs: not_found, quota_exceeded, ...")
    message: str = Field(description="what happened and what to do, for people")


ERROR_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    "default": {
        "model": ErrorOut,
        "description": "An error: 401/403 keys and admin token, 404 not found, 413 body too "
        "large, 422 invalid input (with `problems`), 429 over this client's share (with "
        "`Retry-After`), 503 upstream or store unavailable (with `Retry-After`), 500 a bug "
        "(with `incident`).",
    }
}
"""Documented on every operation: errors share one shape (``errors.error_response``)."""


class LinksOut(BaseModel):
    self: str = Field(description="the playlist: GET it")
    events: str | None = Field(
        description="its live progress: Server-Sent Events (none through a share link)"
    )
    versions: str | None = Field(
        None, description="its versions: GET them (none through a share link)"
    )


class RequestOut(BaseModel):
    """The request as the client phrased it (``duration`` in seconds)."""

    prompt: str
    seeds: list[str]
    size: int | None
    duration: float | None
    order: str | None
    exclude_artists: list[str] = Field(default_factory=list)
    exclude_tracks: list[str] = Field(default_factory=list)
    explicit: bool = True
    max_track_seconds: float | None = None
    years: list[int] | None = None


class PlaylistOut(BaseModel):
    """A playlist resource: where its job is and, once ``done``, the playlist itself."""

    id: str
    status: Literal["queued", "running", "done", "failed"]
    request: RequestOut
    progress: dict[str, Any] | None = Field(description="the last step: stage, message, ...")
    attempts: int = Field(description="times the job was started (more after a restart)")
    note: str | None = Field(description="why the job was started again, if it was")
    error: dict[str, Any] | None = Field(description="when failed: kind, message, retry_after")
    playlist: dict[str, Any] | None = Field(
        description="when done: name, description, tracks (each with its features, "
        "reason and whether it is pinned), profile, seeds, quality, upstream_requests, order, "
        "version, notes and reader (which mood reader read the prompt, its tokens and cost)"
    )
    version: int = Field(
        0, description="the version the playlist is (1 the first draft; 0 until it is made)"
    )
    change: dict[str, Any] | None = Field(
        None, description="a change being made (refine, extend): op, text or count, base"
    )
    name: str | None = Field(None, description="when done: the playlist's name, from its mood")
    description: str | None = Field(None, description="when done: one sentence about it")
    created_at: str
    updated_at: str | None
    started_at: str | None
    finished_at: str | None
    links: LinksOut


class PlaylistSummaryOut(BaseModel):
    id: str
    status: Literal["queued", "running", "done", "failed"]
    prompt: str | None
    tracks: int | None
    created_at: str
    finished_at: str | None
    links: LinksOut


class PlaylistPageOut(BaseModel):
    """Newest first; ``next`` is the link to the following page, ``null`` on the last."""

    items: list[PlaylistSummaryOut]
    next: str | None


class ShareLinkOut(BaseModel):
    """A read-only link to a playlist: anyone with ``url`` can read it until it is revoked."""

    token: str
    url: str = Field(description="GET it, no API key needed: the playlist, read-only")
    created_at: str


class ShareLinksOut(BaseModel):
    """The live share links of a playlist, newest first."""

    items: list[ShareLinkOut]


MAX_CHANGE_CHARS: Final = MAX_PROMPT_CHARS
"""The longest refinement text (``engine.revise.MAX_REFINE_CHARS``)."""


class RefineIn(ExclusionsIn):
    """``POST /v1/playlists/{id}/refine``: a change in words, read relative to the playlist's
    current mood ("more upbeat, less vocals", "slower", "like track 3", "no Adele", "make it
    an hour"); the exclusions of ``POST /v1/playlists`` may come along: artists and tracks are
    added to those the playlist already leaves out, the others replace its own."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"text": "more upbeat, less vocals"}]},
    )

    text: str = Field(
        min_length=1,
        max_length=MAX_CHANGE_CHARS,
        description="the change, in words",
        json_schema_extra={"pattern": r"\S"},
    )

    @field_validator("text")
    @classmethod
    def _text(cls, value: str) -> str:
        text = " ".join(value.split())
        if not text:
            raise ValueError("text must say how to change it, e.g. 'more upbeat'")
        return text

    def request_fields(self, stored: dict[str, Any]) -> dict[str, Any]:
        """``stored`` (a stored request, by the engine's names) with this body's exclusions."""
        fields = dict(stored)
        for name, value in self.exclusion_fields().items():
            if name in ("exclude_artists", "exclude_tracks"):
                value = list(dict.fromkeys([*(stored.get(name) or []), *value]))
            fields[name] = value
        return fields


class ExtendIn(BaseModel):
    """``POST /v1/playlists/{id}/extend``: add ``count`` more tracks like these."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"count": 10}]})

    count: int = Field(ge=1, le=MAX_TRACKS - 1, description="tracks to add")


class MoveIn(BaseModel):
    """``POST /v1/playlists/{id}/tracks/{track_id}/move``: where the track goes."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"to": 0}]})

    to: int = Field(ge=0, lt=MAX_TRACKS, description="its new position, 0 the first")


class VersionOut(BaseModel):
    """One version of a playlist: what changed to make it, and (read alone) the playlist."""

    number: int = Field(description="1 is the first draft")
    parent: int | None = Field(description="the version it was made from (undo goes there)")
    change: str = Field(description="the change that made it, in words")
    tracks: int = Field(description="how many tracks it has")
    current: bool = Field(description="whether the playlist shows this version now")
    created_at: str
    playlist: dict[str, Any] | None = Field(
        None, description="the playlist as it was (in GET .../versions/{n} only)"
    )


class VersionsOut(BaseModel):
    """Every version of a playlist, oldest first, and the one it shows now."""

    current: int
    items: list[VersionOut]
