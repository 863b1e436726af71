"""Playlists across instances: two real uvicorn instances sharing PostgreSQL and Redis.

A playlist started on A is followed (status and SSE) on B to the end, with every progress
event A's own followers see; when Redis dies mid-job, B's stream finishes from the database;
an instance with no workers only queues, and a worker (another instance, or ``moodmix
worker``) makes the playlist.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
from shared_kit import URL as REDIS_URL
from shared_kit import drop_prefix, throwaway_redis, unique_prefix
from test_service_harness import MakeService, RunningService, sse_events
from test_service_playlists import PROMPT, Gate, finished

pytest_plugins = ["test_service_harness"]
pytestmark = [pytest.mark.postgres, pytest.mark.redis]

Events = list[tuple[str, dict[str, Any]]]


@pytest.fixture
async def database_url(postgres_database: str) -> str:
    """The harness's PostgreSQL database (unique to this run), emptied for each test."""
    conn = await asyncpg.connect(f"postgresql://postgres@127.0.0.1:5432/{postgres_database}")
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()
    return f"postgresql+asyncpg://postgres@127.0.0.1:5432/{postgres_database}"


@pytest.fixture
async def prefix() -> AsyncIterator[str]:
    prefix = unique_prefix()
    yield prefix
    await drop_prefix(prefix)


class Follower:
    """Reads one SSE stream to its end in the background; ``connected`` once the first event
    (``state``) has arrived."""

    def __init__(self, service: RunningService, id: str) -> None:
        self.connected = asyncio.Event()
        self._task = asyncio.create_task(self._read(service.url, id))

    async def _read(self, url: str, id: str) -> Events:
        text = ""
        async with (
            httpx.AsyncClient(base_url=url, timeout=60) as http,
            http.stream("GET", f"/v1/playlists/{id}/events") as stream,
        ):
            async for chunk in stream.aiter_text():
                text += chunk
                if sse_events(text):
                    self.connected.set()
        return sse_events(text)

    async def events(self) -> Events:
        async with asyncio.timeout(60):
            return await self._task


def progress_after_the_gate(events: Events) -> list[dict[str, Any]]:
    """Progress events after the job was let through the test's gate."""
    held = ("started", "mood")
    return [data for kind, data in events if kind == "progress" and data["stage"] not in held]


async def test_a_playlist_started_on_a_is_followed_on_b_with_every_event(
    make_service: MakeService, prefix: str
) -> None:
    gate = Gate()
    shared = {"redis_url": REDIS_URL, "redis_prefix": prefix, "job_lease_s": 300}
    a = await make_service(make=gate, **shared)
    b = await make_service(**shared)
    r = await a.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 8})
    assert r.status_code == 202, r.text
    id = r.json()["id"]
    await gate.entered.wait()

    on_a, on_b = Follower(a, id), Follower(b, id)
    await asyncio.wait_for(asyncio.gather(on_a.connected.wait(), on_b.connected.wait()), 30)
    assert (await b.playlist(id))["status"] == "running"
    gate.open()
    seen_on_a, seen_on_b = await on_a.events(), await on_b.events()

    assert seen_on_b[0][0] == "state"
    assert seen_on_b[0][1]["status"] == "running"
    assert seen_on_b[-1][0] == "done"
    assert progress_after_the_gate(seen_on_b) == progress_after_the_gate(seen_on_a)
    assert progress_after_the_gate(seen_on_b), "the engine reported no progress"
    done_on_b = await b.playlist(id)
    assert done_on_b["status"] == "done"
    assert done_on_b["playlist"] == seen_on_b[-1][1]["playlist"] == seen_on_a[-1][1]["playlist"]
    assert b.service.runner.running() == 0  # B only followed it

    raw = aioredis.Redis.from_url(REDIS_URL)
    try:
        assert await raw.xlen(f"{prefix}job:{id}:events") > 0
    finally:
        await raw.aclose()


async def test_when_redis_dies_mid_job_the_stream_on_b_ends_from_the_database(
    make_service: MakeService,
) -> None:
    async with throwaway_redis() as redis_server:
        gate = Gate()
        shared = {"redis_url": redis_server.url, "job_lease_s": 3}
        a = await make_service(make=gate, **shared)
        b = await make_service(**shared)
        id = (await a.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 6})).json()["id"]
        await gate.entered.wait()
        on_b = Follower(b, id)
        await asyncio.wait_for(on_b.connected.wait(), 30)

        await redis_server.kill()
        gate.open()
        seen = await on_b.events()

    assert seen[0][0] == "state"
    assert seen[-1][0] == "done", seen
    assert seen[-1][1]["playlist"]["tracks"]
    assert [kind for kind, _ in seen].count("state") == 1
    again = await b.http.post("/v1/playlists", json={"prompt": f"{PROMPT}, again", "size": 4})
    assert again.status_code == 202, again.text  # no request fails because Redis is down
    assert (await b.until(again.json()["id"], finished))["status"] == "done"


async def test_an_instance_without_workers_queues_and_a_worker_instance_makes_it(
    make_service: MakeService, prefix: str
) -> None:
    shared = {"redis_url": REDIS_URL, "redis_prefix": prefix}
    front = await make_service(max_running_jobs=0, **shared)
    worker = await make_service(**shared)
    r = await front.http.post(
        "/v1/playlists", params={"wait": "true"}, json={"prompt": PROMPT, "size": 6}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "done"
    assert body["attempts"] == 1
    assert front.service.runner.running() == 0
    status = (await front.http.get("/system/status")).json()
    assert status["jobs"]["stored"] == {"done": 1}
    assert worker.service.runner.owner != front.service.runner.owner


async def test_moodmix_worker_makes_what_a_front_instance_queued(
    make_service: MakeService, simulator: Any, database_url: str, prefix: str
) -> None:
    front = await make_service(max_running_jobs=0, redis_url=REDIS_URL, redis_prefix=prefix)
    r = await front.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 6})
    assert r.status_code == 202, r.text
    id = r.json()["id"]
    assert (await front.playlist(id))["status"] == "queued"

    env = {
        **os.environ,
        "MOODMIX_DATABASE_URL": database_url,
        "MOODMIX_RECCOBEATS_URL": simulator.url,
        "MOODMIX_REDIS_URL": REDIS_URL,
        "MOODMIX_REDIS_PREFIX": prefix,
        "MOODMIX_RATE_MODE": "fixed",
        "MOODMIX_RATE_PER_MIN": "100000",
        "MOODMIX_BURST": "1000",
        "MOODMIX_PREFETCH": "false",
    }
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "moodmix"),
        "worker",
        "--jobs",
        "2",
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        done = await front.until(id, finished, limit_s=90)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 60)
    assert done["status"] == "done", (done, err.decode())
    assert done["attempts"] == 1
    assert process.returncode == 0, err.decode()
    assert b"moodmix worker" in err
