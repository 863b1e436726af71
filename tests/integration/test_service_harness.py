"""The service under test: real uvicorn on a loopback port, the simulator upstream, and the
playlist store on SQLite (a temporary file) or the real PostgreSQL (a temporary database).

Other ``test_service_*`` modules import the fixtures from here::

    from test_service_harness import database_url, make_service, service  # noqa: F401

    async def test_it(service: RunningService) -> None:
        r = await service.http.get("/healthz")

``make_service(**settings)`` starts one more (same database unless ``database_url=`` says
otherwise); every service started is stopped after the test.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn

from moodmix.service.app import create_app
from moodmix.service.jobs import MakePlaylist
from moodmix.service.server import server_config
from moodmix.settings import Settings

PG_ADMIN_DSN = "postgresql://postgres@127.0.0.1:5432/test"

FAST_UPSTREAM: dict[str, Any] = {
    "cache_backend": "memory",
    "rate_mode": "fixed",
    "rate_per_min": 100_000,
    "burst": 1_000,
    "max_concurrency": 20,
    "prefetch": False,
}
"""Gateway settings that never make a test wait for quota."""


class RunningService:
    """One app served by uvicorn on ``127.0.0.1`` as ``moodmix serve`` serves it (same
    ``server_config``); ``http`` talks to it, ``port`` is where it listens."""

    def __init__(self, settings: Settings, make: MakePlaylist | None = None) -> None:
        self.settings = settings
        self.app = create_app(settings, make=make)
        self._server = uvicorn.Server(server_config(self.app, settings, host="127.0.0.1", port=0))
        self._task: asyncio.Task[None] | None = None
        self.port = 0
        self.url = ""
        self.http = httpx.AsyncClient()

    async def start(self) -> RunningService:
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError("uvicorn stopped before it started")
            await asyncio.sleep(0.01)
        self.port = self._server.servers[0].sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.http = httpx.AsyncClient(base_url=self.url, timeout=60)
        return self

    @property
    def service(self) -> Any:
        return self.app.state.service

    async def stop(self) -> None:
        """Stop as on SIGTERM: stop listening, close connections, run the lifespan's end."""
        if self._task is None:
            return
        await self.http.aclose()
        self._server.should_exit = True
        await self._task
        self._task = None

    async def playlist(self, id: str) -> dict[str, Any]:
        r = await self.http.get(f"/v1/playlists/{id}")
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()
        return result

    async def until(
        self, id: str, done: Callable[[dict[str, Any]], bool], *, limit_s: float = 60
    ) -> dict[str, Any]:
        """The playlist once ``done(playlist)`` holds; fails the test after ``limit_s``."""
        async with asyncio.timeout(limit_s):
            while True:
                body = await self.playlist(id)
                if done(body):
                    return body
                await asyncio.sleep(0.05)


MakeService = Callable[..., Awaitable[RunningService]]


async def eventually(condition: Callable[[], bool], *, limit_s: float = 30) -> None:
    """Return once ``condition()`` holds; fail the test after ``limit_s``."""
    async with asyncio.timeout(limit_s):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str]:
    """A temporary PostgreSQL database for this test run, dropped at the end."""
    name = f"moodmix_test_{secrets.token_hex(4)}"

    async def admin(sql: str) -> None:
        try:
            conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=5)
        except (OSError, asyncpg.PostgresError) as exc:
            pytest.skip(f"PostgreSQL is not reachable on 127.0.0.1:5432: {exc}")
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    def run(sql: str) -> None:
        # Its own loop in its own thread: a test's loop may already be running here.
        with ThreadPoolExecutor(1) as pool:
            pool.submit(asyncio.run, admin(sql)).result()

    run(f'CREATE DATABASE "{name}"')
    yield name
    run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty playlist store on each backend."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'moodmix.db'}"
    name = request.getfixturevalue("postgres_database")
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{name}")
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"


@pytest.fixture
async def make_service(simulator: Any, database_url: str) -> AsyncIterator[MakeService]:
    started: list[RunningService] = []

    async def make(*, make: MakePlaylist | None = None, **overrides: Any) -> RunningService:
        values = {
            "reccobeats_url": simulator.url,
            "database_url": database_url,
            **FAST_UPSTREAM,
            **overrides,
        }
        running = await RunningService(Settings(**values), make).start()
        started.append(running)
        return running

    yield make
    for running in reversed(started):
        await running.stop()


@pytest.fixture
async def service(make_service: MakeService) -> RunningService:
    return await make_service()


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """``(event, data)`` pairs of a Server-Sent Events body (comments and pings skipped)."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        kind, data = "message", []
        for line in block.split("\n"):
            if line.startswith("event:"):
                kind = line.removeprefix("event:").strip()
            elif line.startswith("data:"):
                data.append(line.removeprefix("data:").strip())
        if data:
            events.append((kind, json.loads("\n".join(data))))
    return events
