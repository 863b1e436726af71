"""Changing a playlist across instances sharing PostgreSQL and Redis: a refine asked of an
instance without workers is made by a worker instance, and followed to its new version."""

from __future__ import annotations

import pytest
import test_service_instances as instances
from shared_kit import URL as REDIS_URL
from test_service_harness import MakeService, sse_events

pytest_plugins = ["test_service_harness"]
pytestmark = [pytest.mark.postgres, pytest.mark.redis]

# The instances' PostgreSQL database (emptied for each test) and Redis prefix, as there.
database_url = instances.database_url
prefix = instances.prefix


async def test_a_worker_instance_makes_a_refine_the_front_queued(
    make_service: MakeService, prefix: str
) -> None:
    shared = {"redis_url": REDIS_URL, "redis_prefix": prefix}
    front = await make_service(max_running_jobs=0, **shared)
    worker = await make_service(**shared)
    made = await worker.http.post(
        "/v1/playlists", params={"wait": "true"}, json={"prompt": "calm piano", "size": 6}
    )
    assert made.status_code == 200, made.text
    id = made.json()["id"]

    refined = await front.http.post(f"/v1/playlists/{id}/refine?wait=true", json={"text": "slower"})
    assert refined.status_code == 200, refined.text
    assert refined.json()["version"] == 2
    assert refined.json()["status"] == "done"
    assert front.service.runner.running() == 0

    extended = await front.http.post(f"/v1/playlists/{id}/extend", json={"count": 2})
    assert extended.status_code == 202, extended.text
    async with front.http.stream("GET", f"/v1/playlists/{id}/events") as stream:
        text = "".join([chunk async for chunk in stream.aiter_text()])
    events = sse_events(text)
    assert events[-1][0] == "done", events
    assert events[-1][1]["version"] == 3
    assert len(events[-1][1]["playlist"]["tracks"]) == 8
