"""No request goes through FastAPI's thread pool: every endpoint and dependency is a
coroutine (FastAPI sends a plain function to a worker thread, a hop per call per request)."""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from moodmix.service import deps
from moodmix.service.app import create_app
from moodmix.settings import Settings


def _calls(dependant: Dependant) -> Iterator[Any]:
    if dependant.call is not None:
        yield dependant.call
    for sub in dependant.dependencies:
        yield from _calls(sub)


def _routes(routes: Iterable[Any]) -> Iterator[APIRoute]:
    """API routes, including those of routers included in the app (whose own dependencies
    FastAPI puts in each route's ``dependant``)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _routes(inner.routes)


def _everything_called() -> set[Any]:
    app = create_app(Settings())
    return {call for route in _routes(app.routes) for call in _calls(route.dependant)}


def test_every_endpoint_and_dependency_is_a_coroutine() -> None:
    called = _everything_called()
    # The walk reaches the routes and the dependencies the playlist route runs on.
    assert {deps.get_service, deps.client_id, deps.within_quota} <= called
    sync = sorted(
        f"{call.__module__}.{call.__qualname__}"
        for call in called
        if not inspect.iscoroutinefunction(call) and not inspect.isasyncgenfunction(call)
    )
    assert sync == []
