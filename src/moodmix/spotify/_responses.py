"""Turning a Spotify answer into a model or a typed error.

::

    error = error_for(response, "/v1/me")          # None for 2xx, else a SpotifyError
    me = parse(User, response, "/v1/me")           # or MalformedResponse

Web API errors are ``{"error": {"status": 401, "message": "..."}}``; the accounts service's
are ``{"error": "invalid_grant", "error_description": "..."}`` (``accounts_error``).
"""

from __future__ import annotations

import json
from typing import Any, Final, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

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

DEFAULT_RETRY_AFTER_S: Final = 1.0
"""The wait a 429 implies when its ``Retry-After`` header is missing or garbled."""
_MESSAGE_LIMIT: Final = 300

ModelT = TypeVar("ModelT", bound=BaseModel)


def retry_after(response: httpx.Response) -> float | None:
    """``Retry-After`` in seconds (Spotify sends whole seconds), or ``None``."""
    value = response.headers.get("Retry-After", "").strip()
    try:
        seconds = float(value)
    except ValueError:
        return None
    return seconds if seconds >= 0 else None


def _message(response: httpx.Response) -> str:
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return ""
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])[:_MESSAGE_LIMIT]
    return ""


def error_for(response: httpx.Response, endpoint: str) -> SpotifyError | None:
    """The error a non-2xx Web API response means, or ``None`` for a 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    said = _message(response)
    text = f"Spotify answered {status} to {endpoint}" + (f": {said}" if said else "")
    if status == 429:
        wait = retry_after(response)
        return RateLimited(DEFAULT_RETRY_AFTER_S if wait is None else wait, endpoint=endpoint)
    if status == 401:
        return Unauthorized(text, endpoint=endpoint, status=status)
    if status == 403:
        return Forbidden(text, endpoint=endpoint, status=status)
    if status == 404:
        return NotFound(text, endpoint=endpoint, status=status)
    if 400 <= status < 500:
        return BadRequest(text, endpoint=endpoint, status=status)
    return SpotifyUnavailable(
        text, endpoint=endpoint, status=status, retry_after=retry_after(response)
    )


def accounts_error(response: httpx.Response, endpoint: str) -> SpotifyError | None:
    """The error a non-2xx accounts-service response means, or ``None`` for a 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    if status == 429 or status >= 500:
        return error_for(response, endpoint)
    try:
        body: Any = response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        description = body.get("error_description")
        return AuthError(
            body["error"][:_MESSAGE_LIMIT],
            description[:_MESSAGE_LIMIT] if isinstance(description, str) else "",
            endpoint=endpoint,
            status=status,
        )
    return error_for(response, endpoint)


def parse(model: type[ModelT], response: httpx.Response, endpoint: str) -> ModelT:
    """Validate a 2xx body as ``model``; ``MalformedResponse`` naming the first problem."""
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        first = exc.errors(include_url=False, include_input=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise MalformedResponse(
            f"{endpoint} answered {response.status_code} with a body that does not fit "
            f"{model.__name__}: {where + ': ' if where else ''}{first['msg']}"[:_MESSAGE_LIMIT],
            endpoint=endpoint,
            status=response.status_code,
        ) from None
