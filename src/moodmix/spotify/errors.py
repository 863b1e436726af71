"""Typed errors for everything that can go wrong talking to Spotify.

Callers catch the family (``SpotifyError``) or one member::

    try:
        me = await client.get_me(token)
    except Unauthorized:
        token = await accounts.refresh(refresh_token)     # then try once more
    except RateLimited as exc:
        await asyncio.sleep(exc.retry_after)

No error's message or attributes carry an access or refresh token.
"""

from __future__ import annotations


class SpotifyError(Exception):
    """Base of every error raised for a Spotify call; ``status`` is the HTTP status, if any."""

    def __init__(self, message: str, *, endpoint: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint
        self.status = status


class BadRequest(SpotifyError):
    """400: Spotify rejected the parameters or the body."""


class Unauthorized(SpotifyError):
    """401: the access token is missing, malformed or expired (refresh it, then retry once)."""


class Forbidden(SpotifyError):
    """403: a scope is missing, the listener is not on the app's allowlist, or the endpoint
    is closed to the app's mode (development mode since 2026-03-09)."""


class NotFound(SpotifyError):
    """404: no such user, playlist, track or artist."""


class RateLimited(SpotifyError):
    """429: over the app's rolling 30-second window; ``retry_after`` seconds to wait."""

    def __init__(self, retry_after: float, *, endpoint: str | None = None) -> None:
        super().__init__(
            f"rate limited by Spotify; retry after {retry_after:g} s", endpoint=endpoint, status=429
        )
        self.retry_after = retry_after


class SpotifyUnavailable(SpotifyError):
    """5xx, a refused or dropped connection, or a timeout; ``retry_after`` when Spotify said."""

    def __init__(
        self,
        message: str,
        *,
        endpoint: str | None = None,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint, status=status)
        self.retry_after = retry_after


class MalformedResponse(SpotifyError):
    """Spotify answered 2xx with a body that does not fit the contract."""


class AuthError(SpotifyError):
    """The accounts service refused: ``error`` is its code (``invalid_grant``,
    ``invalid_client``, ``access_denied`` ...), ``description`` its explanation."""

    def __init__(
        self, error: str, description: str = "", *, endpoint: str | None = None, status: int = 400
    ) -> None:
        text = f"Spotify sign-in failed: {error}" + (f" ({description})" if description else "")
        super().__init__(text, endpoint=endpoint, status=status)
        self.error = error
        self.description = description
