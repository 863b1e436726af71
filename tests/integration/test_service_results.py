"""Identical requests answered with the playlist already made (the result cache), on SQLite
and PostgreSQL: same id and body, no new job, no upstream request, no quota charged; and
shared by two instances on one database."""

from __future__ import annotations

from typing import Any

from test_service_harness import MakeService

pytest_plugins = ["test_service_harness"]

ASK = {"prompt": "sunny  morning,   gentle folk", "size": 8, "order": "smooth"}


async def jobs_stored(running: Any) -> int:
    r = await running.http.get("/system/status")
    assert r.status_code == 200, r.text
    return sum(r.json()["jobs"]["stored"].values())


async def test_an_identical_request_gets_the_finished_playlist(
    make_service: MakeService, simulator: Any
) -> None:
    running = await make_service()
    first = await running.http.post("/v1/playlists?wait=true", json=ASK)
    assert first.status_code == 200, first.text
    made = first.json()
    before = simulator.counters.count()

    for wait in ("true", "false"):
        # Whitespace is not part of the mood; the answer is the same playlist, at once.
        again = await running.http.post(
            f"/v1/playlists?wait={wait}", json={**ASK, "prompt": "sunny morning, gentle folk"}
        )
        assert again.status_code == 200, again.text
        assert again.json() == made
        assert again.headers["location"] == made["links"]["self"]
    assert simulator.counters.count() == before
    assert await jobs_stored(running) == 1

    # Anything that changes the playlist is another request.
    for change in ({"size": 9}, {"order": "arc"}, {"prompt": "Sunny morning, gentle folk"}):
        other = await running.http.post("/v1/playlists?wait=true", json={**ASK, **change})
        assert other.status_code == 200, other.text
        assert other.json()["id"] != made["id"], change
    assert await jobs_stored(running) == 4


async def test_a_second_instance_finds_the_result_in_the_store(
    make_service: MakeService,
) -> None:
    one = await make_service()
    made = (await one.http.post("/v1/playlists?wait=true", json=ASK)).json()
    two = await make_service()
    again = await two.http.post("/v1/playlists", json=ASK)
    assert again.status_code == 200, again.text
    assert again.json()["id"] == made["id"]
    assert again.json()["playlist"] == made["playlist"]


async def test_results_are_not_reused_when_turned_off_or_stale(
    make_service: MakeService,
) -> None:
    for overrides in ({"result_cache_entries": 0}, {"ttl_recommendations_s": 0}):
        running = await make_service(**overrides)
        first = (await running.http.post("/v1/playlists?wait=true", json=ASK)).json()
        second = await running.http.post("/v1/playlists?wait=true", json=ASK)
        assert second.status_code == 200, second.text
        assert second.json()["id"] != first["id"], overrides
        await running.stop()


async def test_a_cached_answer_is_not_refused_for_quota(make_service: MakeService) -> None:
    running = await make_service(rate_per_min=1, rate_mode="fixed", burst=30)
    made = await running.http.post("/v1/playlists?wait=true", json={**ASK, "size": 5})
    assert made.status_code == 200, made.text
    quota = running.service.quota
    with quota.acting_for("ip:127.0.0.1"):  # what the limiter's burst left, used up too
        while quota.check("ip:127.0.0.1") is None and quota.used("ip:127.0.0.1") < 1_000:
            quota.record()
    assert quota.check("ip:127.0.0.1") is not None, "quota not used up"
    refused = await running.http.post("/v1/playlists", json={**ASK, "size": 6})
    assert refused.status_code == 429, refused.text
    again = await running.http.post("/v1/playlists", json={**ASK, "size": 5})
    assert again.status_code == 200, again.text
    assert again.json()["id"] == made.json()["id"]
