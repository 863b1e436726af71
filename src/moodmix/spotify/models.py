"""The Spotify Web API's answers as immutable pydantic models (snake_case, as on the wire).

Unknown fields are kept, missing optional ones default, so both API shapes parse: a playlist
item carries its track under ``track`` (extended mode) or ``item`` (development mode since
2026-03-09), and ``PlaylistItem.entry`` reads either::

    page = Paging[Track].model_validate_json(body)
    [t.uri for t in page.items]            # ['spotify:track:00aqkszH1FdUiJJWvX6iEl', ...]
    PlaylistItem.model_validate({"item": {...}}).entry  # the Track, whichever key it came under

``Token``'s secrets are left out of its ``repr`` so a logged token object shows none.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field


class SpotifyModel(BaseModel):
    """Base: extra fields kept, immutable."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Image(SpotifyModel):
    url: str
    height: int | None = None
    width: int | None = None


class ExternalUrls(SpotifyModel):
    spotify: str | None = None


class User(SpotifyModel):
    """``GET /v1/me``: the signed-in listener."""

    id: str
    display_name: str | None = None
    images: tuple[Image, ...] = ()
    country: str | None = None
    product: str | None = None


class SimpleArtist(SpotifyModel):
    id: str
    name: str
    uri: str


class Artist(SimpleArtist):
    genres: tuple[str, ...] = ()
    popularity: int | None = None


class SimpleAlbum(SpotifyModel):
    id: str
    name: str
    uri: str
    images: tuple[Image, ...] = ()


class Track(SpotifyModel):
    id: str
    name: str
    uri: str
    artists: tuple[SimpleArtist, ...] = ()
    album: SimpleAlbum | None = None
    duration_ms: int = Field(0, ge=0)
    explicit: bool = False
    popularity: int | None = None


T = TypeVar("T", bound=SpotifyModel)


class Paging(SpotifyModel, Generic[T]):
    """A page of ``items`` with the links to the next and previous pages."""

    items: tuple[T, ...]
    total: int = Field(ge=0)
    limit: int = Field(ge=0)
    offset: int = Field(ge=0)
    next: str | None = None
    previous: str | None = None
    href: str = ""


class PlaylistOwner(SpotifyModel):
    id: str
    display_name: str | None = None


class Playlist(SpotifyModel):
    """A playlist as ``POST /v1/me/playlists`` answers it."""

    id: str
    uri: str
    name: str
    description: str | None = None
    public: bool | None = None
    snapshot_id: str
    external_urls: ExternalUrls = ExternalUrls()
    owner: PlaylistOwner | None = None
    images: tuple[Image, ...] = ()


class PlaylistItem(SpotifyModel):
    """One entry of a playlist: the track under ``item`` (development) or ``track`` (extended)."""

    added_at: str | None = None
    item: Track | None = None
    track: Track | None = None

    @property
    def entry(self) -> Track | None:
        return self.item if self.item is not None else self.track


class Snapshot(SpotifyModel):
    """What a change to a playlist's items answers: the playlist's new version."""

    snapshot_id: str


class SearchResults(SpotifyModel):
    """``GET /v1/search``: one page per type asked for."""

    tracks: Paging[Track] | None = None
    artists: Paging[Artist] | None = None


class Token(SpotifyModel):
    """The accounts service's answer to a code exchange or a refresh."""

    access_token: str = Field(repr=False, min_length=1)
    token_type: str = "Bearer"
    scope: str = ""
    expires_in: int = Field(gt=0)
    refresh_token: str | None = Field(None, repr=False)

    @property
    def scopes(self) -> frozenset[str]:
        return frozenset(self.scope.split())
