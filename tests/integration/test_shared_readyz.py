"""The service's ``/readyz`` says whether the process acts with the others through Redis or
works alone while Redis is away (degraded, still ready)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from shared_kit import throwaway_redis
from test_service_harness import MakeService

from moodmix.bench.redisproc import RedisProcess

pytestmark = pytest.mark.redis
pytest_plugins = ["test_service_harness"]


@pytest.fixture
async def server() -> AsyncIterator[RedisProcess]:
    async with throwaway_redis() as server:
        yield server


async def shared_check(http: Any, url: str, mode: str) -> dict[str, Any]:
    """``/readyz``'s shared check once it shows ``mode`` (fails after 15 s)."""
    deadline = time.monotonic() + 15
    while True:
        r = await http.get(url + "/readyz")
        assert r.status_code == 200, r.text
        check: dict[str, Any] = r.json()["checks"]["shared"]
        if check["mode"] == mode:
            return check
        assert time.monotonic() < deadline, f"/readyz still says {check}"
        await asyncio.sleep(0.1)


async def test_readyz_shows_shared_mode_lost_and_regained(
    make_service: MakeService,
    server: RedisProcess,
) -> None:
    running = await make_service(redis_url=server.url)
    assert await shared_check(running.http, running.url, "shared") == {
        "ok": True,
        "mode": "shared",
        "instances": 1,
    }
    await server.kill()
    alone = await shared_check(running.http, running.url, "local")
    assert alone["ok"] is True
    assert "Redis unreachable" in alone["note"]
    await server.restart()
    await shared_check(running.http, running.url, "shared")
