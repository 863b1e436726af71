"""Jobs survive restarts: a job interrupted by a shutdown starts again on the next start (or
is failed with the reason), a graceful shutdown lets running jobs finish, and a job whose
instance vanished is adopted once its lease runs out. On SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import update
from test_service_harness import MakeService, eventually, sse_events
from test_service_playlists import PROMPT, Gate, finished

from moodmix.service.db import Database
from moodmix.service.models import PlaylistRow, utcnow
from moodmix.service.repository import PlaylistRepository

pytest_plugins = ["test_service_harness"]


async def test_a_job_interrupted_by_shutdown_starts_again_on_the_next_start(
    make_service: MakeService,
) -> None:
    gate = Gate()
    first = await make_service(make=gate, shutdown_grace_s=0)
    id = (await first.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 6})).json()["id"]
    await gate.entered.wait()
    await first.stop()

    second = await make_service()
    done = await second.until(id, finished)
    assert done["status"] == "done", done
    assert done["attempts"] == 2
    assert "interrupted by a shutdown at stage 'mood'" in done["note"]
    assert done["playlist"]["tracks"]


async def test_graceful_shutdown_lets_a_running_job_finish(make_service: MakeService) -> None:
    gate = Gate()
    first = await make_service(make=gate, shutdown_grace_s=60)
    id = (await first.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 6})).json()["id"]
    await gate.entered.wait()
    runner = first.service.runner
    stopping = asyncio.create_task(first.stop())
    await eventually(lambda: not runner.accepting)
    gate.open()
    await stopping

    second = await make_service()
    body = await second.playlist(id)
    assert body["status"] == "done", body
    assert body["attempts"] == 1
    assert body["note"] is None


async def test_a_job_interrupted_too_often_is_failed_with_the_reason(
    make_service: MakeService,
) -> None:
    gate = Gate()
    first = await make_service(make=gate, shutdown_grace_s=0, job_max_attempts=1)
    id = (await first.http.post("/v1/playlists", json={"prompt": PROMPT})).json()["id"]
    await gate.entered.wait()
    await first.stop()

    second = await make_service(job_max_attempts=1)
    failed = await second.until(id, finished)
    assert failed["status"] == "failed"
    assert failed["error"]["kind"] == "interrupted"
    message = failed["error"]["message"]
    assert "interrupted by a shutdown at stage 'mood'" in message
    assert "MOODMIX_JOB_MAX_ATTEMPTS=1" in message


async def test_a_job_whose_instance_vanished_is_adopted_when_its_lease_ran_out(
    make_service: MakeService, database_url: str
) -> None:
    db = await Database.open(database_url)
    try:
        repo = PlaylistRepository(db)
        request: dict[str, Any] = {"prompt": PROMPT, "seeds": [], "size": 5, "order": "arc"}
        row = await repo.create("vanished1", client="ip:10.0.0.1", request=request, owner="ghost")
        assert await repo.start(row.id, owner="ghost") is not None
        async with db.session() as session, session.begin():
            await session.execute(
                update(PlaylistRow)
                .where(PlaylistRow.id == row.id)
                .values(heartbeat_at=utcnow() - timedelta(minutes=5))
            )
    finally:
        await db.close()

    running = await make_service(job_lease_s=60)
    done = await running.until("vanished1", finished)
    assert done["status"] == "done", done
    assert done["attempts"] == 2
    assert "stopped answering (no heartbeat for 60 s" in done["note"]  # why it ran again


async def test_a_live_instance_keeps_its_jobs(make_service: MakeService) -> None:
    gate = Gate()
    first = await make_service(make=gate)
    id = (await first.http.post("/v1/playlists", json={"prompt": PROMPT})).json()["id"]
    await gate.entered.wait()
    second = await make_service()
    assert await second.service.runner.sweep() == 0
    gate.open()
    done = await first.until(id, finished)
    assert done["attempts"] == 1


async def test_a_stream_open_at_shutdown_ends_with_interrupted(
    make_service: MakeService,
) -> None:
    gate = Gate()
    first = await make_service(make=gate, shutdown_grace_s=0)
    id = (await first.http.post("/v1/playlists", json={"prompt": PROMPT})).json()["id"]
    await gate.entered.wait()
    reader = httpx.AsyncClient(base_url=first.url, timeout=60)
    try:
        async with reader.stream("GET", f"/v1/playlists/{id}/events") as stream:
            chunks = stream.aiter_text()
            text = await anext(chunks)
            stopping = asyncio.create_task(first.stop())
            text += "".join([chunk async for chunk in chunks])
    finally:
        await reader.aclose()
    await stopping
    kinds = [kind for kind, _ in sse_events(text)]
    assert kinds[0] == "state"
    assert kinds[-1] == "interrupted"
    assert "reconnect" in sse_events(text)[-1][1]["message"]
