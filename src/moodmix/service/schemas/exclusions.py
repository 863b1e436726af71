"""What to leave out of a playlist: the body ``PUT /v1/me/exclusions`` stores, and its answer.

::

    ExclusionsIn(exclude_artists=["Coldplay"], explicit=False, max_track_seconds="6m")
    ExclusionsIn(years=[2005, 1990])   # ValidationError: years must run forward: ...
    body.exclusion_fields()            # {"exclude_artists": [...], "explicit": False, ...}

``PlaylistIn`` and ``RefineIn`` take the same fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from pydantic import BaseModel, ConfigDict, Field, StrictInt, WithJsonSchema, field_validator

from moodmix.engine.playlist import (
    MAX_EXCLUSION_CHARS,
    MAX_EXCLUSIONS,
    MAX_TRACK_S,
    MAX_YEAR,
    MIN_TRACK_S,
    MIN_YEAR,
    check_exclusions,
    check_years,
)
from moodmix.service.schemas.fields import duration_seconds

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
