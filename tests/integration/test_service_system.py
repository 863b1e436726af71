"""System, health and metrics endpoints, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic.script import ScriptDirectory
from test_service_harness import MakeService, RunningService

from moodmix.service.db import alembic_config

pytest_plugins = ["test_service_harness"]


async def test_healthz_answers_ok(service: RunningService) -> None:
    r = await service.http.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}


async def test_readyz_reports_database_upstream_and_cache(service: RunningService) -> None:
    r = await service.http.get("/readyz")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["ready"] is True
    assert set(body["checks"]) == {"database", "upstream", "cache", "jobs"}
    assert body["checks"]["upstream"]["breaker"] == "closed"
    assert body["checks"]["cache"]["backend"] == "memory"


async def test_status_tells_the_service_upstream_jobs_and_database(
    service: RunningService,
) -> None:
    await service.http.post("/v1/playlists?wait=true", json={"prompt": "sunny morning", "size": 4})
    r = await service.http.get("/system/status")
    assert r.status_code == 200, r.text
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["service"]["accepting_jobs"] is True
    assert body["upstream"]["breaker"] == "closed"
    assert body["upstream"]["url"] is None  # hosts and files only for the admin
    assert body["database"]["url"] is None
    assert body["gateway"]["upstream_requests"] > 0
    assert body["jobs"]["stored"] == {"done": 1}
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert body["database"]["revision"] == head
    assert body["database"]["backend"] in ("sqlite", "postgresql")
    assert body["clients"]["active"] == 1


async def test_cache_and_id_registry_stats(service: RunningService, catalog: Any) -> None:
    sid = catalog.track_spotify_ids()[3]
    await service.http.get(f"/v1/tracks/{sid}")
    await service.http.get(f"/v1/tracks/{sid}")
    cache = (await service.http.get("/system/cache/stats")).json()
    assert cache["kinds"]["track"]["lookups"] >= 1
    assert cache["kinds"]["track"]["l1"]["hits"] >= 1
    assert 0 < cache["hit_rate"] <= 1
    registry = (await service.http.get("/system/id-registry/stats")).json()
    assert registry["validated"] >= 1
    assert {"missing", "answered", "requested", "efficiency"} <= set(registry)


async def test_metrics_expose_service_and_gateway_numbers(
    service: RunningService, catalog: Any
) -> None:
    await service.http.get(f"/v1/tracks/{catalog.track_spotify_ids()[4]}")
    r = await service.http.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'moodmix_http_requests_total{method="GET",route="/v1/tracks/{id}",status="200"}' in text
    assert "moodmix_upstream_requests_total" in text
    assert "moodmix_playlist_jobs_active" in text
    assert "moodmix_cache_lookups_total" in text


async def test_readyz_is_503_while_the_upstream_breaker_is_open(
    make_service: MakeService, simulator: Any, catalog: Any
) -> None:
    running = await make_service(retry_attempts=1, stale_if_error=False)
    await simulator.stop()
    for n in range(6):
        r = await running.http.get(f"/v1/tracks/{catalog.track_spotify_ids()[20 + n]}")
        assert r.status_code == 503
    ready = await running.http.get("/readyz")
    assert ready.status_code == 503, ready.text
    assert ready.json()["checks"]["upstream"] == {
        "ok": False,
        "breaker": "open",
        "retry_after": int(ready.headers["retry-after"]),
    }
    assert ready.json()["checks"]["database"]["ok"] is True


async def test_openapi_describes_the_api(service: RunningService) -> None:
    spec = (await service.http.get("/openapi.json")).json()
    for path in (
        "/v1/playlists",
        "/v1/playlists/{id}",
        "/v1/playlists/{id}/events",
        "/v1/moods/analyze",
        "/v1/tracks",
        "/v1/tracks/{id}/audio-features",
        "/v1/artists/search",
        "/system/status",
        "/system/cache/invalidate",
        "/readyz",
        "/metrics",
    ):
        assert path in spec["paths"], path


async def test_a_wrong_method_names_every_method_the_path_takes(service: RunningService) -> None:
    r = await service.http.request("DELETE", "/v1/playlists")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"
    assert r.json()["error"] == "method_not_allowed"
    assert "use GET or POST" in r.json()["message"]
