"""Changing a finished playlist: the bodies of refine, extend and move, and its versions.

::

    RefineIn(text="more upbeat, less vocals", exclude_artists=["Adele"])
    ExtendIn(count=10)
    MoveIn(to=0)
    VersionsOut(current=2, items=[VersionOut(number=1, ...), VersionOut(number=2, ...)])
"""

from __future__ import annotations

from typing import Any, Final

from pydantic import BaseModel, ConfigDict, Field, field_validator

from moodmix.engine.playlist import MAX_PROMPT_CHARS, MAX_TRACKS
from moodmix.service.schemas.exclusions import ExclusionsIn

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
