"""ETag and Cache-Control for GET answers, so browsers and CDNs can keep finished playlists
and track data, and revalidate the rest for the price of a 304::

    return cached_json(request, payload, cache_control=FOREVER)
    # 200 with ETag: "…" and Cache-Control, or 304 when If-None-Match names that ETag

The ETag is a hash of the exact body, so equal bodies share it across instances and restarts.
"""

from __future__ import annotations

import hashlib
from typing import Any, Final

import orjson
from starlette.requests import Request
from starlette.responses import Response

FOREVER: Final = "public, max-age=31536000, immutable"
"""For what never changes again: a finished playlist."""
REVALIDATE: Final = "no-cache"
"""Keep it, but ask every time (a 304 is cheap): lists, playlists in progress."""
NO_STORE: Final = "no-store"
"""Live numbers nobody should keep."""


def for_seconds(seconds: float) -> str:
    """Fresh for ``seconds`` (at most a day), then revalidated."""
    return f"public, max-age={max(0, min(int(seconds), 86_400))}"


def private_if(cache_control: str, private: bool) -> str:
    """``cache_control`` for one client only when answers depend on who asks (API keys on)."""
    return cache_control.replace("public", "private") if private else cache_control


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'


def matches(if_none_match: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weakly compared, ``*`` included)."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


def cached_json(
    request: Request,
    payload: Any,
    *,
    cache_control: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """``payload`` as JSON with an ETag, or a bodiless 304 if the client already has it."""
    body = orjson.dumps(payload)
    etag = etag_of(body)
    all_headers = {**(headers or {}), "ETag": etag, "Cache-Control": cache_control}
    if status_code == 200 and matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=all_headers)
    return Response(
        body, status_code=status_code, media_type="application/json", headers=all_headers
    )
