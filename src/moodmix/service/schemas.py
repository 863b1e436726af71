"""What clients may send, validated with messages that name the field and what it allows.

::

    PlaylistIn(prompt="rainy Sunday, mellow acoustic", size=20, duration="45m")
    PlaylistIn(prompt="x", size=500)   # ValidationError: size: less than or equal to 100
    duration_seconds("1h30m")          # 5400.0

The limits are the engine's own (``moodmix.engine.playlist``), so the API and the engine
never disagree on what is allowed.
"""

from __future__ import annotations

from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from moodmix.engine.duration import parse_duration
from moodmix.engine.playlist import MAX_DURATION_S, MAX_EXPLICIT_SEEDS, MAX_TRACKS
from moodmix.reccobeats.ids import parse_id

MAX_PROMPT_CHARS: Final = 500
MIN_DURATION_S: Final = 60


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
    )
    seeds: list[str] = Field(
        default_factory=list,
        max_length=MAX_EXPLICIT_SEEDS,
        description="seed tracks: Spotify ids, spotify:track: URIs, open.spotify.com links "
        "or ReccoBeats ids",
    )
    size: int = Field(30, ge=1, le=MAX_TRACKS, description="tracks wanted (ignored with duration)")
    duration: Annotated[
        float | None,
        WithJsonSchema({"anyOf": [{"type": "number"}, {"type": "string"}, {"type": "null"}]}),
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

    kind: str | None = Field(None, description="track, features, artist, ... or null for all")
