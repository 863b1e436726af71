"""The system routes' bodies: which cache entries to drop.

::

    InvalidateIn(kind="track")   # one kind of entry (``CACHE_KINDS`` lists them)
    InvalidateIn(kind=None)      # all of them
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, Field

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


class InvalidateIn(BaseModel):
    """``POST /system/cache/invalidate``: one kind of entry, or all when ``kind`` is null."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"kind": "track"}]})

    kind: str | None = Field(
        None,
        description="one kind of entry, or null for all",
        json_schema_extra={"anyOf": [{"enum": list(CACHE_KINDS)}, {"type": "null"}]},
    )
