"""Changing a finished playlist over HTTP: refine, extend, replace, remove, pin, move,
versions, undo and redo; bad input answered with a 4xx that changes nothing; on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from statistics import mean
from typing import Any

import pytest
from test_service_harness import MakeService, RunningService

from moodmix.engine.pipeline import candidate_pool
from moodmix.engine.playlist import PlaylistRequest
from moodmix.engine.stored import profile_from_json

pytest_plugins = ["test_service_harness"]

PROMPT = "rainy Sunday, mellow acoustic"


async def made(service: RunningService, size: int = 12, **extra: Any) -> dict[str, Any]:
    r = await service.http.post(
        "/v1/playlists", params={"wait": "true"}, json={"prompt": PROMPT, "size": size, **extra}
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    assert body["version"] == 1
    assert body["playlist"]["version"] == 1
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [t["id"] for t in body["playlist"]["tracks"]]


def average(body: dict[str, Any], name: str) -> float:
    return mean(t["features"][name] for t in body["playlist"]["tracks"])


async def unchanged(service: RunningService, before: dict[str, Any]) -> None:
    now = await service.playlist(before["id"])
    assert now["version"] == before["version"]
    assert now["playlist"] == before["playlist"]
    versions = (await service.http.get(f"/v1/playlists/{before['id']}/versions")).json()
    assert versions["current"] == before["version"]


async def test_refine_makes_a_new_version_from_cached_candidates(
    service: RunningService,
) -> None:
    first = await made(service)
    gateway = service.service.gateway
    before = gateway.stats().upstream_requests
    r = await service.http.post(
        f"/v1/playlists/{first['id']}/refine?wait=true", json={"text": "more upbeat"}
    )
    assert r.status_code == 200, r.text
    refined = r.json()
    assert gateway.stats().upstream_requests == before
    assert refined["version"] == 2
    assert refined["status"] == "done"
    assert refined["playlist"]["version"] == 2
    assert average(refined, "energy") > average(first, "energy")
    assert all(t["features"] and t["reason"] for t in refined["playlist"]["tracks"])
    versions = (await service.http.get(f"/v1/playlists/{first['id']}/versions")).json()
    assert versions["current"] == 2
    assert [v["number"] for v in versions["items"]] == [1, 2]
    assert versions["items"][1]["parent"] == 1
    assert versions["items"][1]["change"].startswith("refined: ")
    assert "energy up" in versions["items"][1]["change"]
    old = await service.http.get(f"/v1/playlists/{first['id']}/versions/1")
    assert old.status_code == 200
    assert old.json()["playlist"]["tracks"] == [{**t} for t in first["playlist"]["tracks"]]
    assert (await service.playlist(first["id"]))["playlist"] == refined["playlist"]


async def test_refine_without_wait_answers_202_then_finishes(service: RunningService) -> None:
    first = await made(service)
    r = await service.http.post(f"/v1/playlists/{first['id']}/refine", json={"text": "slower"})
    assert r.status_code == 202, r.text
    assert r.headers["location"] == f"/v1/playlists/{first['id']}"
    assert r.json()["change"]["op"] == "refine"
    done = await service.until(first["id"], lambda b: b["status"] == "done")
    assert done["version"] == 2
    assert average(done, "tempo") < average(first, "tempo")


async def test_edits_undo_and_redo(service: RunningService) -> None:
    first = await made(service, size=8)
    id, tracks = first["id"], ids(first)
    http = service.http

    removed = await http.delete(f"/v1/playlists/{id}/tracks/{tracks[2]}")
    assert removed.status_code == 200, removed.text
    assert ids(removed.json()) == tracks[:2] + tracks[3:]
    assert removed.json()["version"] == 2

    moved = await http.post(f"/v1/playlists/{id}/tracks/{tracks[0]}/move", json={"to": 3})
    assert moved.status_code == 200, moved.text
    assert ids(moved.json())[3] == tracks[0]

    pinned = await http.post(f"/v1/playlists/{id}/tracks/{tracks[1]}/pin")
    assert pinned.status_code == 200
    assert next(t for t in pinned.json()["playlist"]["tracks"] if t["id"] == tracks[1])["pinned"]
    unpinned = await http.delete(f"/v1/playlists/{id}/tracks/{tracks[1]}/pin")
    assert not next(t for t in unpinned.json()["playlist"]["tracks"] if t["id"] == tracks[1])[
        "pinned"
    ]

    before = service.service.gateway.stats().upstream_requests
    replaced = await http.post(f"/v1/playlists/{id}/tracks/{tracks[4]}/replace")
    assert replaced.status_code == 200, replaced.text
    assert service.service.gateway.stats().upstream_requests == before
    after = ids(replaced.json())
    assert tracks[4] not in after
    assert len(after) == len(set(after)) == 7
    assert replaced.json()["version"] == 6

    back = await http.post(f"/v1/playlists/{id}/undo")
    assert back.status_code == 200
    assert back.json()["version"] == 5
    assert ids(back.json()) == ids(unpinned.json())
    forward = await http.post(f"/v1/playlists/{id}/redo")
    assert forward.json()["version"] == 6
    assert ids(forward.json()) == after

    # a change on top of an undone version branches off; redo then leads to it
    await http.post(f"/v1/playlists/{id}/undo")
    await http.post(f"/v1/playlists/{id}/undo")
    branch = await http.delete(f"/v1/playlists/{id}/tracks/{tracks[5]}")
    assert branch.json()["version"] == 7
    versions = (await http.get(f"/v1/playlists/{id}/versions")).json()
    assert [v["number"] for v in versions["items"]] == [1, 2, 3, 4, 5, 6, 7]
    assert versions["items"][6]["parent"] == 4
    assert (await http.post(f"/v1/playlists/{id}/undo")).json()["version"] == 4
    assert (await http.post(f"/v1/playlists/{id}/redo")).json()["version"] == 7
    nothing = await http.post(f"/v1/playlists/{id}/redo")
    assert nothing.status_code == 409
    assert nothing.json()["error"] == "no_version"


async def test_extend_adds_like_these(service: RunningService) -> None:
    first = await made(service, size=6)
    r = await service.http.post(f"/v1/playlists/{first['id']}/extend?wait=true", json={"count": 4})
    assert r.status_code == 200, r.text
    assert ids(r.json())[:6] == ids(first)
    assert len(ids(r.json())) == 10
    versions = (await service.http.get(f"/v1/playlists/{first['id']}/versions")).json()
    assert versions["items"][-1]["change"].startswith("added 4")


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "error"),
    [
        ("get", "/versions/9", None, 404, "not_found"),
        ("get", "/versions/0", None, 422, "invalid_request"),
        ("post", "/refine", {"text": ""}, 422, "invalid_request"),
        ("post", "/refine", {"text": "   "}, 422, "invalid_request"),
        ("post", "/refine", {"text": "x" * 10_240}, 422, "invalid_request"),
        ("post", "/refine", {"text": "qwzx vbnm"}, 422, "invalid_request"),
        ("post", "/refine", {"text": "more like track 99"}, 422, "invalid_request"),
        ("post", "/refine", {}, 422, "invalid_request"),
        ("post", "/refine", {"text": "slower", "size": 3}, 422, "invalid_request"),
        ("post", "/tracks/not-in-it/replace", None, 404, "not_found"),
        ("delete", "/tracks/not-in-it", None, 404, "not_found"),
        ("post", "/tracks/not-in-it/pin", None, 404, "not_found"),
        ("post", "/tracks/not-in-it/move", {"to": 0}, 404, "not_found"),
        ("post", "/tracks/FIRST/move", {"to": 12}, 422, "invalid_request"),
        ("post", "/tracks/FIRST/move", {"to": -1}, 422, "invalid_request"),
        ("post", "/extend", {"count": 0}, 422, "invalid_request"),
        ("post", "/extend", {"count": 95}, 422, "invalid_request"),
        ("post", "/undo", None, 409, "no_version"),
        ("post", "/redo", None, 409, "no_version"),
    ],
)
async def test_bad_input_is_a_clear_4xx_that_changes_nothing(
    service: RunningService,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    status: int,
    error: str,
) -> None:
    first = await made(service)
    path = path.replace("FIRST", ids(first)[0])
    url = f"/v1/playlists/{first['id']}{path}"
    r = await service.http.request(method.upper(), url, json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error
    assert r.json()["message"]
    await unchanged(service, first)


async def test_excluding_everything_is_a_422_that_changes_nothing(
    service: RunningService,
) -> None:
    first = await made(service, size=5)
    profile = profile_from_json(first["playlist"]["profile"])
    request = PlaylistRequest(PROMPT, size=5, profile=profile)
    pool = await candidate_pool(service.service.gateway, request, profile)
    everyone = sorted({a.name for c in pool.candidates.values() for a in c.track.artists})
    r = await service.http.post(
        f"/v1/playlists/{first['id']}/refine?wait=true",
        json={"text": "slower", "exclude_artists": everyone},
    )
    assert r.status_code == 422, r.text
    assert "exclusions leave none" in r.json()["message"]
    await unchanged(service, first)
    assert (await service.playlist(first["id"]))["status"] == "done"


async def test_other_accounts_get_404_on_every_route(make_service: MakeService) -> None:
    alice = {"X-API-Key": "key-of-listener-a"}
    bob = {"X-API-Key": "key-of-listener-b"}
    service = await make_service(api_keys=f"{alice['X-API-Key']},{bob['X-API-Key']}")
    r = await service.http.post(
        "/v1/playlists?wait=true", json={"prompt": PROMPT, "size": 5}, headers=alice
    )
    assert r.status_code == 200, r.text
    id, track = r.json()["id"], r.json()["playlist"]["tracks"][0]["id"]
    for method, path, body in [
        ("GET", "/versions", None),
        ("GET", "/versions/1", None),
        ("POST", "/refine", {"text": "slower"}),
        ("POST", "/extend", {"count": 2}),
        ("POST", "/undo", None),
        ("POST", "/redo", None),
        ("POST", f"/tracks/{track}/replace", None),
        ("DELETE", f"/tracks/{track}", None),
        ("POST", f"/tracks/{track}/pin", None),
        ("POST", f"/tracks/{track}/move", {"to": 1}),
    ]:
        got = await service.http.request(
            method, f"/v1/playlists/{id}{path}", json=body, headers=bob
        )
        assert got.status_code == 404, (method, path, got.text)
    mine = await service.http.get(f"/v1/playlists/{id}", headers=alice)
    assert mine.json()["version"] == 1


async def test_concurrent_changes_lose_no_version(service: RunningService) -> None:
    first = await made(service, size=10)
    tracks = ids(first)
    answers = await asyncio.gather(
        *(service.http.delete(f"/v1/playlists/{first['id']}/tracks/{t}") for t in tracks[:6])
    )
    codes = sorted(a.status_code for a in answers)
    assert set(codes) <= {200, 409}
    assert 200 in codes
    won = codes.count(200)
    versions = (await service.http.get(f"/v1/playlists/{first['id']}/versions")).json()
    assert len(versions["items"]) == 1 + won
    assert versions["current"] == 1 + won
    now = await service.playlist(first["id"])
    assert len(ids(now)) == len(tracks) - won


async def test_refine_exclusions_stay_and_leave_the_request_as_made(
    service: RunningService,
) -> None:
    body = {"prompt": PROMPT, "size": 8}
    key = {"Idempotency-Key": "refine-exclusions-0001"}
    first = await service.http.post("/v1/playlists?wait=true", json=body, headers=key)
    assert first.status_code == 200, first.text
    id = first.json()["id"]
    lead = first.json()["playlist"]["tracks"][0]["artists"][0]
    r = await service.http.post(
        f"/v1/playlists/{id}/refine?wait=true", json={"text": "slower", "exclude_artists": [lead]}
    )
    assert r.status_code == 200, r.text
    assert all(lead not in t["artists"] for t in r.json()["playlist"]["tracks"])
    again = await service.http.post(f"/v1/playlists/{id}/refine?wait=true", json={"text": "faster"})
    assert again.status_code == 200, again.text
    assert again.json()["version"] == 3
    assert all(lead not in t["artists"] for t in again.json()["playlist"]["tracks"])
    retry = await service.http.post("/v1/playlists?wait=true", json=body, headers=key)
    assert retry.status_code == 200, retry.text
    assert retry.json()["id"] == id
    assert retry.headers["idempotent-replayed"] == "true"
