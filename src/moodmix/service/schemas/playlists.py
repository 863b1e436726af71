"""A playlist in and out: ``POST /v1/playlists``' body, the resource, and pages of them.

::

    PlaylistIn(prompt="rainy Sunday, mellow acoustic", size=20, duration="45m")
    PlaylistIn(prompt="x", size=500)   # ValidationError: size: less than or equal to 100
    PlaylistOut(id=..., status="done", playlist={...}, links=LinksOut(...), ...)

The limits are the engine's own (``moodmix.engine.playlist``), so the API and the engine
never disagree on what is allowed.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from moodmix.engine.playlist import (
    MAX_DURATION_S,
    MAX_EXPLICIT_SEEDS,
    MAX_PROMPT_CHARS,
    MAX_TRACKS,
    PlaylistRequest,
)
from moodmix.reccobeats.ids import parse_id
from moodmix.service.schemas.exclusions import ExclusionsIn
from moodmix.service.schemas.fields import PERSONAL_SEED, TRACK_ID_SCHEMA, duration_seconds

MIN_DURATION_S: Final = 60


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
    name: str | None = Field(None, description="when done: the playlist's name")
    tracks: int | None
    created_at: str
    finished_at: str | None
    links: LinksOut


class PlaylistPageOut(BaseModel):
    """Newest first; ``next`` is the link to the following page, ``null`` on the last."""

    items: list[PlaylistSummaryOut]
    next: str | None
