"""ReccoBeats' route templates, as the client calls them and as ``on_response`` and errors
name them::

    from moodmix.reccobeats import _routes as route
    route.TRACKS       # "/v1/track"
    "/v1/track/{id}" in route.ENDPOINTS
"""

from __future__ import annotations

from typing import Final

TRACKS: Final = "/v1/track"
TRACK: Final = "/v1/track/{id}"
TRACK_FEATURES: Final = "/v1/track/{id}/audio-features"
FEATURES: Final = "/v1/audio-features"
RECOMMENDATION: Final = "/v1/track/recommendation"
ARTISTS: Final = "/v1/artist"
ARTIST: Final = "/v1/artist/{id}"
ARTIST_SEARCH: Final = "/v1/artist/search"
ARTIST_ALBUMS: Final = "/v1/artist/{id}/album"
ARTIST_TRACKS: Final = "/v1/artist/{id}/track"
ALBUMS: Final = "/v1/album"
ALBUM: Final = "/v1/album/{id}"
ALBUM_SEARCH: Final = "/v1/album/search"
ALBUM_TRACKS: Final = "/v1/album/{id}/track"
ANALYSIS: Final = "/v1/analysis/audio-features"

ENDPOINTS: Final[tuple[str, ...]] = (
    TRACKS,
    TRACK,
    TRACK_FEATURES,
    FEATURES,
    RECOMMENDATION,
    ARTISTS,
    ARTIST,
    ARTIST_SEARCH,
    ARTIST_ALBUMS,
    ARTIST_TRACKS,
    ALBUMS,
    ALBUM,
    ALBUM_SEARCH,
    ALBUM_TRACKS,
    ANALYSIS,
)
"""Every route template the client calls, as passed to ``on_response`` and errors."""
