"""Typed errors for everything that can go wrong talking to ReccoBeats.

Callers catch the family (``ReccoBeatsError``) or one member::

    try:
        tracks = await client.get_tracks(ids)
    except RateLimited as exc:
        await asyncio.sleep(exc.retry_after)
"""

from __future__ import annotations


class ReccoBeatsError(Exception):
    """Base of every error raised for an upstream call."""

    def __init__(self, message: str, *, endpoint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.endpoint = endpoint


class RateLimited(ReccoBeatsError):
    """429 Too Many Requests; ``retry_after`` is the wait in seconds the upstream asked for."""

    def __init__(self, retry_after: float, *, endpoint: str | None = None) -> None:
        super().__init__(
            f"rate limited by ReccoBeats; retry after {retry_after:g} s", endpoint=endpoint
        )
        self.retry_after = retry_after


class NotFound(ReccoBeatsError):
    """404: the resource does not exist upstream."""


class BadRequest(ReccoBeatsError):
    """400: the upstream rejected the parameters."""


class UpstreamUnavailable(ReccoBeatsError):
    """5xx, a refused or dropped connection, or an open circuit breaker.

    ``retry_after`` is set when there is an honest estimate of when trying again makes sense.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        endpoint: str | None = None,
    ) -> None:
        super().__init__(message, endpoint=endpoint)
        self.status = status
        self.retry_after = retry_after


class UpstreamTimeout(ReccoBeatsError):
    """The upstream did not answer within the configured timeout."""


class MalformedResponse(ReccoBeatsError):
    """The upstream answered 2xx with a body that does not match the contract."""
