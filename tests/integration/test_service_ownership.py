"""Playlists belong to the API key that made them: another key sees neither them nor their
prompts (list, read, events, an identical request), except through a share link the owner
made and can revoke; on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import httpx
from test_service_harness import MakeService, RunningService
from test_service_playlists import finished

pytest_plugins = ["test_service_harness"]

A = {"X-API-Key": "key-of-listener-a"}
B = {"X-API-Key": "key-of-listener-b"}
PROMPT = "a private rainy afternoon, just for me"


async def made(running: RunningService, headers: dict[str, str], prompt: str) -> dict[str, Any]:
    r = await running.http.post("/v1/playlists?wait=true", json={"prompt": prompt}, headers=headers)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def listing(running: RunningService, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = await running.http.get("/v1/playlists", headers=headers)
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


async def test_one_key_never_sees_another_keys_playlists(make_service: MakeService) -> None:
    running = await make_service(api_keys=f"{A['X-API-Key']},{B['X-API-Key']}")
    mine = await made(running, A, PROMPT)
    id = mine["id"]
    assert [item["id"] for item in await listing(running, A)] == [id]
    assert await listing(running, B) == []
    for path in (f"/v1/playlists/{id}", f"/v1/playlists/{id}/events"):
        other = await running.http.get(path, headers=B)
        assert other.status_code == 404, other.text
        assert PROMPT not in other.text
        assert (await running.http.get(path, headers=A)).status_code == 200
    # The same prompt from B makes B's own playlist, not A's answered again.
    theirs = await made(running, B, PROMPT)
    assert theirs["id"] != id
    assert [item["id"] for item in await listing(running, B)] == [theirs["id"]]
    assert [item["id"] for item in await listing(running, A)] == [id]
    # Answers that depend on who asks are kept by no shared cache.
    for path in ("/v1/playlists", f"/v1/playlists/{id}"):
        cache_control = (await running.http.get(path, headers=A)).headers["cache-control"]
        assert cache_control.startswith("private"), (path, cache_control)


async def test_a_share_link_lets_anyone_read_until_it_is_revoked(
    make_service: MakeService,
) -> None:
    running = await make_service(api_keys=f"{A['X-API-Key']},{B['X-API-Key']}")
    id = (await made(running, A, PROMPT))["id"]
    assert (await running.http.post(f"/v1/playlists/{id}/share", headers=B)).status_code == 404
    created = await running.http.post(f"/v1/playlists/{id}/share", headers=A)
    assert created.status_code == 201, created.text
    link = created.json()
    assert created.headers["location"] == link["url"] == f"/v1/shared/{link['token']}"
    assert len(link["token"]) >= 40

    async with httpx.AsyncClient(base_url=running.url) as stranger:  # no key at all
        read = await stranger.get(link["url"])
        assert read.status_code == 200, read.text
        assert read.json()["id"] == id
        assert read.json()["playlist"]["tracks"]
        assert read.json()["links"] == {"self": link["url"], "events": None}
        assert "private" in read.headers["cache-control"]
        assert (await stranger.get(f"/v1/playlists/{id}")).status_code == 401
        guessed = await stranger.get(f"/v1/shared/{link['token'][:-1]}x")
        assert guessed.status_code == 404

    listed = await running.http.get(f"/v1/playlists/{id}/shares", headers=A)
    assert [item["token"] for item in listed.json()["items"]] == [link["token"]]
    assert (await running.http.get(f"/v1/playlists/{id}/shares", headers=B)).status_code == 404
    revoke = f"/v1/playlists/{id}/shares/{link['token']}"
    assert (await running.http.delete(revoke, headers=B)).status_code == 404
    assert (await running.http.delete(revoke, headers=A)).status_code == 204
    assert (await running.http.delete(revoke, headers=A)).status_code == 404
    assert (await running.http.get(link["url"])).status_code == 404
    assert (await running.http.get(f"/v1/playlists/{id}/shares", headers=A)).json() == {"items": []}


async def test_without_keys_the_service_is_one_open_space(service: RunningService) -> None:
    r = await service.http.post("/v1/playlists", json={"prompt": "open to all"})
    id = r.json()["id"]
    await service.until(id, finished)
    async with httpx.AsyncClient(base_url=service.url) as other:
        assert (await other.get(f"/v1/playlists/{id}")).status_code == 200
        items = (await other.get("/v1/playlists")).json()["items"]
        assert [item["id"] for item in items] == [id]
