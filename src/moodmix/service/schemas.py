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

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from moodmix.engine.duration import parse_duration
from moodmix.engine.playlist import (
    MAX_DURATION_S,
    MAX_EXPLICIT_SEEDS,
    MAX_PROMPT_CHARS,
    MAX_TRACKS,
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


class PlaylistIn(BaseModel):
    """``POST /v1/playlists``: a prompt, and how the playlist should be shaped."""

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

    def engine_fields(self) -> dict[str, Any]:
        """The stored request: the engine's field names."""
        return {
            "prompt": self.prompt,
            "seeds": list(self.seeds),
            "size": self.size,
            "duration_s": self.duration,
            "order": self.order,
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


class RequestOut(BaseModel):
    """The request as the client phrased it (``duration`` in seconds)."""

    prompt: str
    seeds: list[str]
    size: int | None
    duration: float | None
    order: str | None


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
        description="when done: tracks, profile, seeds, quality, upstream_requests, order, "
        "notes and reader (which mood reader read the prompt, its tokens and cost)"
    )
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
