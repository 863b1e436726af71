"""Turning an upstream answer into a model or a typed error.

::

    error = error_for_status(response, "/v1/track/{id}")    # None for 2xx
    track = parse_body(Track, response, "/v1/track/{id}")   # or MalformedResponse
    parse_retry_after("1.5")                                 # 1.5
    parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now)

Status mapping:

====================  ==================================================================
429                   ``RateLimited``; ``retry_after`` from the header, else 1 s
400 and other 4xx     ``BadRequest`` carrying the upstream's message
404                   ``NotFound``
403                   ``UpstreamUnavailable`` (ReccoBeats blocks clients that spam it)
5xx, 1xx, 3xx         ``UpstreamUnavailable(status=...)``, ``retry_after`` if the header has one
2xx with a bad body   ``MalformedResponse``
====================  ==================================================================
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Final, TypeVar

import httpx
from pydantic import BaseModel, ValidationError

from moodmix.reccobeats.errors import (
    BadRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReccoBeatsError,
    UpstreamUnavailable,
)

DEFAULT_RETRY_AFTER_S: Final = 1.0
"""The wait a 429 implies when its ``Retry-After`` header is missing or garbled."""

_DELTA_SECONDS: Final = re.compile(r"\d+(?:\.\d+)?")
_MESSAGE_LIMIT: Final = 300

ModelT = TypeVar("ModelT", bound=BaseModel)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value, or ``None`` when missing or garbled.

    Accepts delta-seconds (fractions allowed: ``"1.5"``) and HTTP dates; a date in the past
    means ``0.0``. ``now`` (aware) defaults to the current time.
    """
    if value is None:
        return None
    text = value.strip()
    if _DELTA_SECONDS.fullmatch(text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    current = now if now is not None else datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())


def error_for_status(response: httpx.Response, endpoint: str) -> ReccoBeatsError | None:
    """The error a non-2xx response means, or ``None`` for a 2xx."""
    status = response.status_code
    if 200 <= status < 300:
        return None
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if status == 429:
        wait = DEFAULT_RETRY_AFTER_S if retry_after is None else retry_after
        return RateLimited(wait, endpoint=endpoint)
    detail = upstream_message(response)
    if status == 404:
        return NotFound(f"{endpoint}: not found ({detail})", endpoint=endpoint)
    if 400 <= status < 500 and status != 403:
        prefix = "" if status == 400 else f"HTTP {status}: "
        return BadRequest(f"ReccoBeats rejected {endpoint}: {prefix}{detail}", endpoint=endpoint)
    return UpstreamUnavailable(
        f"ReccoBeats answered {endpoint} with HTTP {status}: {detail}",
        status=status,
        retry_after=retry_after,
        endpoint=endpoint,
    )


def upstream_message(response: httpx.Response) -> str:
    """What the upstream said: the JSON ``message`` (or ``error``), else the text, shortened."""
    text = response.content.decode("utf-8", errors="replace").strip()
    try:
        payload = json.loads(text) if text else None
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        for field in ("message", "error", "detail"):
            said = payload.get(field)
            if isinstance(said, str) and said.strip():
                return _shorten(said.strip())
    if text:
        return _shorten(" ".join(text.split()))
    return response.reason_phrase or f"HTTP {response.status_code}"


def parse_body(
    model: type[ModelT], response: httpx.Response, endpoint: str, *, required: str | None = None
) -> ModelT:
    """Validate a 2xx body as ``model``; ``required`` names a field that must be present."""
    try:
        parsed = model.model_validate_json(response.content)
    except ValidationError as exc:
        raise MalformedResponse(
            f"{endpoint} answered {response.status_code} with a body that does not fit "
            f"{model.__name__}: {_first_problem(exc)}",
            endpoint=endpoint,
        ) from None
    if required is not None and required not in parsed.model_fields_set:
        raise MalformedResponse(
            f"{endpoint} answered {response.status_code} without {required!r}",
            endpoint=endpoint,
        )
    return parsed


def _first_problem(exc: ValidationError) -> str:
    errors = exc.errors(include_url=False, include_input=False)
    first = errors[0]
    where = ".".join(str(part) for part in first["loc"])
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return _shorten(f"{where + ': ' if where else ''}{first['msg']}{more}")


def _shorten(text: str) -> str:
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"
