"""Errors as people and programs see them: a status, a code, a readable message, never a
stack trace.

Routes raise ``ServiceError`` (or let a ``ReccoBeatsError`` through); ``install`` turns each
into JSON ``{"error": code, "message": ..., ...}``::

    raise ServiceError(429, "quota_exceeded", "this client used its share", retry_after=12)
    install(app)

Upstream trouble is a 503 with ``Retry-After``; a track ReccoBeats does not know is a 404;
validation problems are 422s naming each field and what it allows.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from typing import Any, Final

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from moodmix.reccobeats.errors import (
    BadRequest,
    MalformedResponse,
    NotFound,
    RateLimited,
    ReccoBeatsError,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from moodmix.service.headers import DEFAULTS as SECURITY_HEADERS

log = structlog.get_logger("moodmix.service")

DEFAULT_UPSTREAM_RETRY_S: Final = 30.0
"""Retry-After when ReccoBeats fails without saying when to come back."""


class ServiceError(Exception):
    """An answer other than success, with what the client needs to act on it."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        retry_after: float | None = None,
        headers: dict[str, str] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.retry_after = retry_after
        self.headers = headers or {}
        self.details = details


@dataclass(frozen=True)
class UpstreamProblem:
    """What an upstream error means for our client."""

    status: int
    code: str
    message: str
    retry_after: float | None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.retry_after is not None:
            out["retry_after"] = self.retry_after
        return out


def upstream_problem(exc: ReccoBeatsError) -> UpstreamProblem:
    """The status, code, message and Retry-After for an error from the gateway."""
    if isinstance(exc, NotFound):
        return UpstreamProblem(404, "not_found", exc.message, None)
    if isinstance(exc, BadRequest):
        return UpstreamProblem(
            422, "rejected_by_upstream", f"ReccoBeats rejected the request: {exc.message}", None
        )
    if isinstance(exc, RateLimited):
        wait = _seconds(exc.retry_after)
        return UpstreamProblem(
            503,
            "upstream_rate_limited",
            f"ReccoBeats asked us to slow down; try again in {wait:g} s",
            wait,
        )
    if isinstance(exc, UpstreamUnavailable):
        wait = _seconds(exc.retry_after if exc.retry_after is not None else None)
        return UpstreamProblem(
            503,
            "upstream_unavailable",
            f"ReccoBeats is unavailable ({exc.message}); try again in {wait:g} s",
            wait,
        )
    if isinstance(exc, UpstreamTimeout):
        return UpstreamProblem(
            503, "upstream_timeout", f"ReccoBeats did not answer in time ({exc.message})", 5.0
        )
    if isinstance(exc, MalformedResponse):
        wait = _seconds(None)
        return UpstreamProblem(
            503, "upstream_malformed", f"ReccoBeats answered something unexpected: {exc}", wait
        )
    wait = _seconds(None)
    return UpstreamProblem(503, "upstream_error", f"ReccoBeats failed: {exc}", wait)


def error_response(
    status: int,
    code: str,
    message: str,
    *,
    retry_after: float | None = None,
    headers: dict[str, str] | None = None,
    **details: Any,
) -> JSONResponse:
    body: dict[str, Any] = {"error": code, "message": message, **details}
    all_headers = dict(headers or {})
    if retry_after is not None:
        body["retry_after"] = retry_after
        all_headers["Retry-After"] = str(math.ceil(retry_after))
    all_headers.setdefault("Cache-Control", "no-store")
    return JSONResponse(body, status_code=status, headers=all_headers)


def describe_validation(exc: RequestValidationError) -> list[dict[str, Any]]:
    """Each problem as ``{"field", "in", "message"}``: which field, what is wrong and allowed."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        where = loc[0] if loc else "body"
        field = ".".join(loc[1:]) or where
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        problem: dict[str, Any] = {"field": field, "in": where, "message": message}
        if "input" in error and error.get("type") != "missing" and _small(error["input"]):
            problem["got"] = error["input"]
        problems.append(problem)
    return problems


def install(app: FastAPI) -> None:
    """Register the handlers that shape every error answer."""

    @app.exception_handler(ServiceError)
    async def _service_error(_: Request, exc: ServiceError) -> JSONResponse:
        return error_response(
            exc.status,
            exc.code,
            exc.message,
            retry_after=exc.retry_after,
            headers=exc.headers,
            **exc.details,
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = describe_validation(exc)
        summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
        return error_response(422, "invalid_request", summary, problems=problems)

    @app.exception_handler(ReccoBeatsError)
    async def _upstream(_: Request, exc: ReccoBeatsError) -> JSONResponse:
        problem = upstream_problem(exc)
        if problem.status >= 500:
            log.warning("upstream_error_answered", code=problem.code, message=problem.message)
        return error_response(
            problem.status, problem.code, problem.message, retry_after=problem.retry_after
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = dict(exc.headers or {})
        message = str(exc.detail)
        allowed = allowed_methods(request) if exc.status_code == 405 else []
        if allowed:
            # Starlette names only the first route's methods; a path may have several routes.
            headers["Allow"] = ", ".join(allowed)
            message = f"{request.method} is not allowed here; use {' or '.join(allowed)}"
        return error_response(exc.status_code, code, message, headers=headers)

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        log.error("database_error", error=str(exc.orig) if exc.orig else type(exc).__name__)
        return _store_unavailable()

    @app.exception_handler(OSError)
    async def _unreachable(_: Request, exc: OSError) -> JSONResponse:
        # A refused or reset connection to the database is raised by the driver as it is
        # (asyncpg), not wrapped in DBAPIError; upstream ones arrive as ReccoBeatsError.
        log.error("database_unreachable", error=f"{type(exc).__name__}: {exc}")
        return _store_unavailable()

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        incident = uuid.uuid4().hex[:12]
        log.exception("unexpected_error", incident=incident, path=request.url.path)
        return error_response(
            500,
            "internal_error",
            f"something went wrong on our side; it was logged as incident {incident}",
            headers=dict(SECURITY_HEADERS),  # sent past the middleware that adds them
            incident=incident,
        )


METHODS: Final = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers for this request's path."""
    routes = request.app.router.routes
    return [
        method
        for method in METHODS
        if any(r.matches({**request.scope, "method": method})[0] is Match.FULL for r in routes)
    ]


def _store_unavailable() -> JSONResponse:
    return error_response(
        503,
        "database_unavailable",
        "the playlist store is not answering; try again shortly",
        retry_after=5,
    )


def _seconds(value: float | None) -> float:
    if value is None or not math.isfinite(value) or value <= 0:
        return DEFAULT_UPSTREAM_RETRY_S
    return float(math.ceil(value))


def _small(value: Any) -> bool:
    return isinstance(value, int | float | bool | None) or (
        isinstance(value, str) and len(value) <= 200
    )
