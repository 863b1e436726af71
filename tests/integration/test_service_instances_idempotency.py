"""``Idempotency-Key`` on ``POST /v1/playlists``: a retry, on the same or another instance,
answers with the playlist the key first made instead of starting another; the key with a
different body is a 422. On SQLite and PostgreSQL (two instances sharing the database)."""

from __future__ import annotations

import asyncio
import uuid

from test_service_harness import MakeService, RunningService
from test_service_playlists import PROMPT, Gate, finished

pytest_plugins = ["test_service_harness"]

BODY = {"prompt": PROMPT, "size": 6}


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


async def count_playlists(service: RunningService) -> int:
    return len((await service.http.get("/v1/playlists", params={"limit": 100})).json()["items"])


async def test_a_retry_on_another_instance_returns_the_same_job(
    make_service: MakeService,
) -> None:
    gate = Gate()
    a = await make_service(make=gate, result_cache_entries=0)
    b = await make_service(result_cache_entries=0)
    headers = key()
    first = await a.http.post("/v1/playlists", json=BODY, headers=headers)
    assert first.status_code == 202, first.text
    assert "idempotent-replayed" not in first.headers
    id = first.json()["id"]
    await gate.entered.wait()

    retry = await b.http.post("/v1/playlists", json=BODY, headers=headers)
    assert retry.status_code == 202, retry.text
    assert retry.json()["id"] == id
    assert retry.headers["idempotent-replayed"] == "true"
    assert retry.headers["location"] == f"/v1/playlists/{id}"

    gate.open()
    waited = await b.http.post("/v1/playlists", params={"wait": "true"}, json=BODY, headers=headers)
    assert waited.status_code == 200, waited.text
    assert waited.json()["id"] == id
    assert waited.json()["status"] == "done"
    assert waited.json()["attempts"] == 1
    assert await count_playlists(a) == 1


async def test_the_same_key_with_a_different_body_is_a_422_naming_the_playlist(
    service: RunningService,
) -> None:
    headers = key()
    first = await service.http.post("/v1/playlists?wait=true", json=BODY, headers=headers)
    id = first.json()["id"]
    other = await service.http.post("/v1/playlists", json={**BODY, "size": 7}, headers=headers)
    assert other.status_code == 422, other.text
    error = other.json()
    assert error["error"] == "idempotency_key_reused"
    assert id in error["message"]
    assert "new key" in error["message"]
    assert await count_playlists(service) == 1


async def test_keys_belong_to_one_client(make_service: MakeService) -> None:
    service = await make_service(api_keys="alice-key,bob-key", result_cache_entries=0)
    headers = key()
    alice = await service.http.post(
        "/v1/playlists?wait=true", json=BODY, headers={**headers, "X-API-Key": "alice-key"}
    )
    bob = await service.http.post(
        "/v1/playlists?wait=true", json=BODY, headers={**headers, "X-API-Key": "bob-key"}
    )
    assert alice.status_code == bob.status_code == 200
    assert alice.json()["id"] != bob.json()["id"]
    assert "idempotent-replayed" not in bob.headers


async def test_concurrent_retries_on_two_instances_make_one_playlist(
    make_service: MakeService,
) -> None:
    a = await make_service(result_cache_entries=0)
    b = await make_service(result_cache_entries=0)
    headers = key()
    answers = await asyncio.gather(
        *(
            instance.http.post("/v1/playlists", json=BODY, headers=headers)
            for instance in (a, b, a, b)
        )
    )
    assert all(r.status_code in (200, 202) for r in answers), [r.text for r in answers]
    ids = {r.json()["id"] for r in answers}
    assert len(ids) == 1
    assert sum(r.headers.get("idempotent-replayed") == "true" for r in answers) == 3
    assert (await a.until(ids.pop(), finished))["status"] == "done"
    assert await count_playlists(b) == 1


async def test_a_malformed_key_is_a_422_naming_the_header(service: RunningService) -> None:
    r = await service.http.post("/v1/playlists", json=BODY, headers={"Idempotency-Key": "x" * 256})
    assert r.status_code == 422, r.text
    assert any(p["field"].lower() == "idempotency-key" for p in r.json()["problems"]), r.json()
    assert await count_playlists(service) == 0
