"""Reading and checking a request's parameters, and the one JSON shape every error takes.

::

    ids = id_list(request, "ids", limit=MAX_BATCH_IDS)     # ?ids=a,b or ?ids=a&ids=b
    page, size = paging(request)                           # defaults 0 and 20
    raise ApiError(404, f"no track with id {key!r}", "id")

A bad value raises ``ApiError(400, ...)``; the pipeline answers it with ``error_response``::

    {"status": 400, "error": "Bad Request", "message": "size must be ...", "path": "/v1/...",
     "parameter": "size"}
"""

from __future__ import annotations

import math
from http import HTTPStatus
from typing import Any, Final

import orjson
from aiohttp import web

from moodmix.reccobeats.ids import is_reccobeats_id, is_spotify_id

MAX_PAGE_SIZE: Final = 50
MAX_PAGE: Final = 1000
MAX_SEARCH_TEXT: Final = 1000


class ApiError(Exception):
    """An answer other than 200, with the message (and parameter) the client gets."""

    def __init__(self, status: int, message: str, parameter: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.parameter = parameter


def json_response(payload: Any, status: int = 200) -> web.Response:
    return web.Response(body=orjson.dumps(payload), status=status, content_type="application/json")


def error_response(
    request: web.Request,
    status: int,
    message: str,
    parameter: str | None = None,
    headers: dict[str, str] | None = None,
) -> web.Response:
    body: dict[str, Any] = {
        "status": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
        "path": request.path,
    }
    if parameter is not None:
        body["parameter"] = parameter
    response = json_response(body, status)
    if headers:
        response.headers.update(headers)
    return response


def id_list(
    request: web.Request, name: str, *, limit: int, required: bool = True
) -> list[str] | None:
    """``?name=a&name=b``, ``?name=a,b`` or both; 1 to ``limit`` well-formed ids."""
    raw = request.query.getall(name, [])
    ids = [part.strip() for value in raw for part in value.split(",") if part.strip()]
    if not ids and not raw and not required:
        return None
    if not 1 <= len(ids) <= limit:
        raise ApiError(
            400,
            f"{name} must hold 1 to {limit} ids (as {name}=a,b or {name}=a&{name}=b), "
            f"got {len(ids)}",
            name,
        )
    return [checked_id(value, name) for value in ids]


def checked_id(value: str, name: str) -> str:
    """``value`` if it is a Spotify id, lower-cased if a ReccoBeats UUID; else ``ApiError``."""
    if is_spotify_id(value):
        return value
    if is_reccobeats_id(value):
        return value.lower()
    shown = value if len(value) <= 60 else value[:59] + "…"
    raise ApiError(
        400,
        f"{name}: {shown!r} is neither a ReccoBeats UUID nor a 22-character Spotify id",
        name,
    )


def path_id(request: web.Request) -> str:
    """The checked ``{id}`` of the path."""
    return checked_id(request.match_info["id"], "id")


def integer(
    request: web.Request, name: str, default: int | None, low: int, high: int
) -> int | None:
    """``?name=`` as an integer from ``low`` to ``high``; ``default`` when absent or empty."""
    text = request.query.get(name)
    if text is None or text == "":
        return default
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or not low <= value <= high:
        raise ApiError(400, f"{name} must be an integer from {low} to {high}, got {text!r}", name)
    return value


def required_integer(request: web.Request, name: str, default: int, low: int, high: int) -> int:
    """Like ``integer``, with a default that is always an integer."""
    value = integer(request, name, default, low, high)
    return default if value is None else value


def number(request: web.Request, name: str, low: float, high: float) -> float | None:
    """``?name=`` as a finite number from ``low`` to ``high``; ``None`` when absent or empty."""
    text = request.query.get(name)
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise ApiError(400, f"{name} must be a number from {low:g} to {high:g}, got {text!r}", name)
    return value


def search_text(request: web.Request) -> str:
    """``?searchText=``, stripped, 1 to ``MAX_SEARCH_TEXT`` characters."""
    text = request.query.get("searchText", "").strip()
    if not 1 <= len(text) <= MAX_SEARCH_TEXT:
        raise ApiError(
            400,
            f"searchText must be 1 to {MAX_SEARCH_TEXT} characters, got {len(text)}",
            "searchText",
        )
    return text


def paging(request: web.Request) -> tuple[int, int]:
    """``(page, size)`` from ``?page=`` (default 0) and ``?size=`` (default 20)."""
    page = required_integer(request, "page", 0, 0, MAX_PAGE)
    size = required_integer(request, "size", 20, 1, MAX_PAGE_SIZE)
    return page, size
