"""Spotify for moodmix: sign-in with PKCE, the listener's top items, saving playlists.

::

    from moodmix.spotify import Pkce, SpotifyAccounts, SpotifyClient

    accounts = SpotifyAccounts(client_id="abc")
    token = await accounts.exchange_code(code, redirect_uri=CALLBACK, verifier=pkce.verifier)
    async with SpotifyClient() as spotify:
        me = await spotify.get_me(token.access_token)
"""

from moodmix.spotify.accounts import DEFAULT_ACCOUNTS_URL, SpotifyAccounts
from moodmix.spotify.client import (
    DEFAULT_API_URL,
    MAX_COVER_BYTES,
    MAX_URIS_PER_CALL,
    ApiMode,
    SpotifyClient,
    TimeRange,
)
from moodmix.spotify.errors import (
    AuthError,
    BadRequest,
    Forbidden,
    MalformedResponse,
    NotFound,
    RateLimited,
    SpotifyError,
    SpotifyUnavailable,
    Unauthorized,
)
from moodmix.spotify.models import (
    Artist,
    Paging,
    Playlist,
    PlaylistItem,
    SearchResults,
    Token,
    Track,
    User,
)
from moodmix.spotify.pkce import SCOPES, Pkce, challenge_for, check_redirect_uri, new_state

__all__ = [
    "DEFAULT_ACCOUNTS_URL",
    "DEFAULT_API_URL",
    "MAX_COVER_BYTES",
    "MAX_URIS_PER_CALL",
    "SCOPES",
    "ApiMode",
    "Artist",
    "AuthError",
    "BadRequest",
    "Forbidden",
    "MalformedResponse",
    "NotFound",
    "Paging",
    "Pkce",
    "Playlist",
    "PlaylistItem",
    "RateLimited",
    "SearchResults",
    "SpotifyAccounts",
    "SpotifyClient",
    "SpotifyError",
    "SpotifyUnavailable",
    "TimeRange",
    "Token",
    "Track",
    "Unauthorized",
    "User",
    "challenge_for",
    "check_redirect_uri",
    "new_state",
]
