"""Playlists over HTTP: 202 and follow, ?wait=true, reading back, paging, SSE, validation,
per-client limits and upstream failures; on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from test_service_harness import MakeService, RunningService, sse_events

from moodmix.engine.pipeline import make_playlist
from moodmix.engine.playlist import Playlist, PlaylistRequest
from moodmix.engine.progress import Progress
from moodmix.reccobeats.gateway import ReccoBeats

PROMPT = "rainy Sunday, mellow acoustic, nothing sad"

pytest_plugins = ["test_service_harness"]


class Gate:
    """The real engine, held at its start until ``open()``: a job in a known state."""

    def __init__(self) -> None:
        self.entered = asyncio.Event()
        self.released = asyncio.Event()

    def open(self) -> None:
        self.released.set()

    async def __call__(
        self,
        gateway: ReccoBeats,
        request: PlaylistRequest,
        *,
        on_progress: Callable[[Progress], object] | None = None,
    ) -> Playlist:
        if on_progress is not None:
            on_progress(Progress("mood", "held by the test"))
        self.entered.set()
        await self.released.wait()
        return await make_playlist(gateway, request, on_progress=on_progress)


def finished(body: dict[str, Any]) -> bool:
    return body["status"] in ("done", "failed")


async def test_post_answers_202_with_id_and_links_then_the_playlist(
    service: RunningService,
) -> None:
    r = await service.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 12})
    assert r.status_code == 202, r.text
    body = r.json()
    assert body["status"] in ("queued", "running")
    assert body["links"] == {
        "self": f"/v1/playlists/{body['id']}",
        "events": f"/v1/playlists/{body['id']}/events",
        "versions": f"/v1/playlists/{body['id']}/versions",
    }
    assert r.headers["location"] == body["links"]["self"]
    done = await service.until(body["id"], finished)
    assert done["status"] == "done", done
    tracks = done["playlist"]["tracks"]
    assert 1 <= len(tracks) <= 12
    assert all(t["title"] and t["reason"] for t in tracks)
    assert done["request"]["prompt"] == PROMPT
    assert done["progress"]["stage"] == "done"
    assert done["attempts"] == 1


async def test_wait_true_answers_with_the_finished_playlist(service: RunningService) -> None:
    r = await service.http.post(
        "/v1/playlists",
        params={"wait": "true"},
        json={"prompt": "late night drive", "duration": "20m", "order": "smooth"},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["status"] == "done"
    assert body["playlist"]["order"] == "smooth"
    assert body["request"]["duration"] == 1200
    # Another order of the same mood: a new playlist, made from the gateway's cache.
    other = await service.http.post(
        "/v1/playlists",
        params={"wait": "true"},
        json={"prompt": "late night drive", "duration": "20m", "order": "score"},
    )
    assert other.status_code == 200, other.text
    assert other.json()["id"] != body["id"]
    assert other.json()["playlist"]["upstream_requests"] == 0


async def test_finished_playlists_are_cacheable_and_revalidate_with_304(
    service: RunningService,
) -> None:
    r = await service.http.post("/v1/playlists?wait=true", json={"prompt": PROMPT, "size": 5})
    id = r.json()["id"]
    got = await service.http.get(f"/v1/playlists/{id}")
    assert got.headers["cache-control"] == "no-cache"  # it changes: refine, edit, undo
    again = await service.http.get(
        f"/v1/playlists/{id}", headers={"If-None-Match": got.headers["etag"]}
    )
    assert again.status_code == 304
    listing = await service.http.get("/v1/playlists")
    assert listing.headers["cache-control"] == "no-cache"
    assert (
        await service.http.get("/v1/playlists", headers={"If-None-Match": listing.headers["etag"]})
    ).status_code == 304


async def test_list_is_newest_first_and_paged(service: RunningService) -> None:
    ids, names = [], {}
    for n in range(5):
        r = await service.http.post(
            "/v1/playlists?wait=true", json={"prompt": f"{PROMPT} {n}", "size": 3}
        )
        ids.append(r.json()["id"])
        names[r.json()["id"]] = r.json()["name"]
    seen: list[str] = []
    url: str | None = "/v1/playlists?limit=2"
    while url:
        page = (await service.http.get(url)).json()
        assert len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        assert all(item["name"] == names[item["id"]] for item in page["items"])
        url = page["next"]
    assert seen == list(reversed(ids))
    done = (await service.http.get("/v1/playlists", params={"status": "failed"})).json()
    assert done["items"] == []
    bad = await service.http.get("/v1/playlists", params={"cursor": "nonsense"})
    assert bad.status_code == 422
    assert bad.json()["problems"][0]["field"] == "cursor"


async def test_unknown_playlist_is_a_404(service: RunningService) -> None:
    r = await service.http.get("/v1/playlists/nope")
    assert r.status_code == 404
    assert "nope" in r.json()["message"]
    assert (await service.http.get("/v1/playlists/nope/events")).status_code == 404


async def test_events_of_a_finished_playlist_are_its_state_then_the_result(
    service: RunningService,
) -> None:
    r = await service.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 8})
    id = r.json()["id"]
    await service.until(id, finished)
    async with service.http.stream("GET", f"/v1/playlists/{id}/events") as stream:
        text = "".join([chunk async for chunk in stream.aiter_text()])
    events = sse_events(text)
    assert [kind for kind, _ in events] == ["state", "done"]
    assert events[0][1]["status"] == "done"
    assert events[1][1]["playlist"]["tracks"]


async def test_a_late_client_gets_the_current_state_first_then_live_events(
    make_service: MakeService,
) -> None:
    gate = Gate()
    running = await make_service(make=gate)
    id = (await running.http.post("/v1/playlists", json={"prompt": PROMPT, "size": 8})).json()["id"]
    await gate.entered.wait()
    events: list[tuple[str, dict[str, Any]]] = []
    async with running.http.stream("GET", f"/v1/playlists/{id}/events") as stream:
        buffer = ""
        async for chunk in stream.aiter_text():
            buffer += chunk
            events = sse_events(buffer)
            if len(events) == 1 and not gate.released.is_set():
                gate.open()
            if events and events[-1][0] in ("done", "failed"):
                break
    kinds = [kind for kind, _ in events]
    assert kinds[0] == "state"
    assert events[0][1]["status"] == "running"
    assert events[0][1]["progress"] == {"stage": "mood", "message": "held by the test"}
    assert kinds[-1] == "done"
    stages = [data["stage"] for kind, data in events if kind == "progress"]
    order = ["mood", "seeds", "candidates", "scoring"]
    assert [s for s in dict.fromkeys(stages) if s in order] == order
    assert events[-1][1]["playlist"]["tracks"]


async def test_invalid_requests_are_422_naming_the_field_and_what_is_allowed(
    service: RunningService,
) -> None:
    cases: list[tuple[dict[str, Any], str, str]] = [
        ({"size": 5}, "prompt", "Field required"),
        ({"prompt": "x", "size": 500}, "size", "less than or equal to 100"),
        ({"prompt": "   "}, "prompt", "only spaces"),
        ({"prompt": "x", "order": "random"}, "order", "'arc', 'smooth' or 'score'"),
        ({"prompt": "x", "duration": 10}, "duration", "from 60 s"),
        ({"prompt": "x", "duration": "soon"}, "duration", "'1h30m'"),
        ({"prompt": "x", "seeds": ["nope"]}, "seeds", "seed #1"),
        ({"prompt": "x", "seeds": ["x"] * 26}, "seeds", "at most 25"),
        ({"prompt": "x", "colour": "blue"}, "colour", "Extra inputs are not permitted"),
    ]
    for body, field, says in cases:
        r = await service.http.post("/v1/playlists", json=body)
        assert r.status_code == 422, (body, r.text)
        answer = r.json()
        assert answer["error"] == "invalid_request"
        assert [p["field"] for p in answer["problems"]] == [field], answer
        assert says in answer["message"], answer
    broken = await service.http.post(
        "/v1/playlists", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert broken.status_code == 422
    assert "JSON" in broken.json()["message"]


async def test_a_client_with_too_many_playlists_in_progress_gets_429(
    make_service: MakeService,
) -> None:
    gate = Gate()
    running = await make_service(make=gate, client_max_jobs=1)
    first = await running.http.post("/v1/playlists", json={"prompt": PROMPT})
    assert first.status_code == 202
    second = await running.http.post("/v1/playlists", json={"prompt": PROMPT + ", please"})
    assert second.status_code == 429
    assert second.headers["retry-after"]
    assert "MOODMIX_CLIENT_MAX_JOBS" in second.json()["message"]
    # The identical request costs nothing more: it follows the job in progress.
    same = await running.http.post("/v1/playlists", json={"prompt": PROMPT})
    assert same.status_code == 202, same.text
    assert same.json()["id"] == first.json()["id"]
    gate.open()
    await running.until(first.json()["id"], finished)


async def test_upstream_failure_fails_the_job_and_wait_answers_503(
    make_service: MakeService, simulator: Any
) -> None:
    running = await make_service(retry_attempts=1, stale_if_error=False)
    await simulator.stop()
    r = await running.http.post("/v1/playlists?wait=true", json={"prompt": PROMPT})
    assert r.status_code == 503, r.text
    assert int(r.headers["retry-after"]) >= 1
    body = r.json()
    assert body["error"].startswith("upstream_")
    assert body["playlist"]["status"] == "failed"
    stored = await running.playlist(body["playlist"]["id"])
    assert stored["error"]["message"] == body["message"]
    assert stored["error"]["retry_after"] >= 1


async def test_seeds_the_upstream_does_not_know_fail_the_job_with_a_422(
    service: RunningService, catalog: Any
) -> None:
    unknown = catalog.unknown_spotify_ids()[0]
    r = await service.http.post(
        "/v1/playlists?wait=true", json={"prompt": PROMPT, "seeds": [unknown]}
    )
    assert r.status_code == 422, r.text
    assert "knows none of the seeds" in r.json()["message"]
    assert r.json()["playlist"]["status"] == "failed"


async def test_mood_analysis(service: RunningService) -> None:
    r = await service.http.post("/v1/moods/analyze", json={"text": PROMPT})
    assert r.status_code == 200, r.text
    profile = r.json()
    assert {"targets", "ranges", "weights", "recognised"} <= set(profile)
    assert (await service.http.post("/v1/moods/analyze", json={"text": ""})).status_code == 422


async def test_a_waiting_client_that_hangs_up_does_not_stop_the_job(
    make_service: MakeService,
) -> None:
    gate = Gate()
    running = await make_service(make=gate)
    waiting = asyncio.create_task(
        running.http.post("/v1/playlists?wait=true", json={"prompt": "gym, loud"})
    )
    await gate.entered.wait()
    waiting.cancel()
    gate.open()
    listing = (await running.http.get("/v1/playlists")).json()["items"]
    done = await running.until(listing[0]["id"], finished)
    assert done["status"] == "done"
