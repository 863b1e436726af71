"""The ReccoBeats data model: what the API returns, typed.

Fields are snake_case in Python and camelCase on the wire (``track_title`` <-> ``trackTitle``);
both spellings are accepted when parsing, and ``to_wire()`` gives the API's form::

    track = Track.model_validate(payload)
    track.track_title, track.spotify_id
    track.to_wire()["trackTitle"]

Unknown fields are kept rather than rejected, because the upstream adds fields without notice.
The simulator builds its responses from these same models, which is how its shapes stay the API's.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from moodmix.reccobeats.ids import spotify_id_from_href

FEATURE_NAMES: tuple[str, ...] = (
    "acousticness",
    "danceability",
    "energy",
    "instrumentalness",
    "liveness",
    "loudness",
    "speechiness",
    "tempo",
    "valence",
)
"""The audio features every ``AudioFeatures`` carries (``key`` and ``mode`` are optional extras)."""


class ApiModel(BaseModel):
    """Base: camelCase aliases, either spelling accepted, extra fields kept, immutable."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        populate_by_name=True,
        extra="allow",
        frozen=True,
    )

    def to_wire(self) -> dict[str, Any]:
        """The JSON-ready dict in the API's camelCase spelling."""
        return self.model_dump(mode="json", by_alias=True)


class SpotifyLinked(ApiModel):
    """An item with a ReccoBeats ``id`` and a Spotify URL in ``href``."""

    id: str
    href: str | None = None

    @property
    def spotify_id(self) -> str | None:
        """The Spotify id at the end of ``href``, or ``None`` when there is none."""
        return spotify_id_from_href(self.href) if self.href else None


class Artist(SpotifyLinked):
    name: str


class Track(SpotifyLinked):
    track_title: str
    artists: list[Artist] = Field(default_factory=list)
    duration_ms: int | None = None
    isrc: str | None = None
    ean: str | None = None
    upc: str | None = None
    available_countries: str | None = None
    popularity: int | None = None


class Album(SpotifyLinked):
    album_title: str
    artists: list[Artist] = Field(default_factory=list)
    release_date: str | None = None


class AudioFeatures(ApiModel):
    """Spotify-style audio features. ``id``/``href`` are absent for uploaded files."""

    id: str | None = None
    href: str | None = None
    acousticness: float
    danceability: float
    energy: float
    instrumentalness: float
    liveness: float
    loudness: float
    speechiness: float
    tempo: float
    valence: float
    key: int | None = None
    mode: int | None = None

    @property
    def spotify_id(self) -> str | None:
        return spotify_id_from_href(self.href) if self.href else None


ItemT = TypeVar("ItemT", bound=ApiModel)


class ItemList(ApiModel, Generic[ItemT]):
    """``{"content": [...]}``: the shape of every list response."""

    content: list[ItemT] = Field(default_factory=list)


class Page(ItemList[ItemT], Generic[ItemT]):
    """A page of a paged list (search, artist tracks, album tracks)."""

    page: int = 0
    size: int = 0
    total_elements: int = 0
    total_pages: int = 0
