"""The simulator's /_admin paths: runtime config, counters, catalog sample, health."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog


@pytest.fixture
async def http(simulator: SimulatorServer) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=simulator.url) as client:
        yield client


async def test_config_shows_what_is_in_force(http: httpx.AsyncClient) -> None:
    config = (await http.get("/_admin/config")).json()
    assert config["rate_per_min"] == 1_000_000
    assert config["rate"] == "1e+06/min"
    assert config["burst"] == 100_000
    assert config["error_rate"] == 0
    assert config["tracks"] == 3_000
    assert config["retry_after_resolution"] == 1.0


async def test_faults_switch_on_and_off_at_runtime(
    http: httpx.AsyncClient, simulator: SimulatorServer, catalog: Catalog
) -> None:
    path = f"/v1/track/{catalog.track_ids()[0]}"
    assert (await http.get(path)).status_code == 200
    changed = await http.patch("/_admin/config", json={"error_rate": 1.0})
    assert changed.status_code == 200
    assert changed.json()["error_rate"] == 1.0
    assert (await http.get(path)).status_code == 500
    await http.patch("/_admin/config", json={"error_rate": 0})
    assert (await http.get(path)).status_code == 200
    assert simulator.config.error_rate == 0


async def test_rate_and_burst_change_at_runtime(
    http: httpx.AsyncClient, simulator: SimulatorServer, catalog: Catalog
) -> None:
    path = f"/v1/track/{catalog.track_ids()[0]}"
    changed = await http.patch(
        "/_admin/config", json={"rate": "1/hour", "burst": 2, "retry_after_resolution": 0.5}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["rate_per_min"] == pytest.approx(1 / 60)
    codes = [(await http.get(path)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    await http.patch("/_admin/config", json={"rate_per_min": 1_000_000, "burst": 1000})
    await http.post("/_admin/reset")
    assert (await http.get(path)).status_code == 200
    assert simulator.config.burst == 1000


async def test_latency_and_penalty_change_at_runtime(
    http: httpx.AsyncClient, simulator: SimulatorServer
) -> None:
    body = {"latency_ms": 1, "latency_p99_ms": 3, "penalty_after": 4, "penalty_s": 5}
    changed = (await http.patch("/_admin/config", json=body)).json()
    assert {k: changed[k] for k in body} == body
    assert simulator.state.latency.median_ms == 1
    assert simulator.state.limiter.policy.penalty_after == 4


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"error_rate": 2}, "error_rate"),
        ({"drop_rate": -0.1}, "drop_rate"),
        ({"error_rate": 0.6, "drop_rate": 0.6}, "at most 1"),
        ({"burst": 0}, "burst"),
        ({"rate": "lots"}, "rate"),
        ({"rate_per_min": "fast"}, "rate_per_min"),
        ({"latency_ms": 100, "latency_p99_ms": 10}, "latency_p99_ms"),
        ({"port": 1}, "port cannot be changed at runtime"),
        ({"tracks": 10}, "tracks cannot be changed at runtime"),
        ({"colour": "red"}, "unknown setting 'colour'"),
        ({}, "non-empty JSON object"),
        ([1, 2], "non-empty JSON object"),
    ],
)
async def test_bad_config_changes_are_refused(
    http: httpx.AsyncClient, simulator: SimulatorServer, body: Any, words: str
) -> None:
    before = simulator.config
    response = await http.patch("/_admin/config", json=body)
    assert response.status_code == 400
    assert words in response.json()["message"]
    assert simulator.config == before


async def test_config_body_must_be_json(http: httpx.AsyncClient) -> None:
    response = await http.patch("/_admin/config", content=b"error_rate=1")
    assert response.status_code == 400
    assert "JSON" in response.json()["message"]


async def test_stats_count_by_endpoint_status_and_ids(
    http: httpx.AsyncClient, catalog: Catalog
) -> None:
    known = list(catalog.track_spotify_ids()[:6])
    unknown = list(catalog.unknown_spotify_ids()[:2])
    await http.get("/v1/track", params={"ids": ",".join(known + unknown)})
    await http.get(f"/v1/track/{known[0]}")
    await http.get(f"/v1/track/{unknown[0]}")
    await http.get("/v1/track", params={"ids": ""})
    stats = (await http.get("/_admin/stats")).json()
    assert stats["requests"]["total"] == 4
    assert stats["requests"]["by_endpoint"] == {
        "/v1/track": {"200": 1, "400": 1},
        "/v1/track/{id}": {"200": 1, "404": 1},
    }
    assert stats["ids"] == {"requested": 10, "returned": 7}
    assert stats["rate_limited"] == 0
    assert stats["penalty_blocks"] == 0
    assert stats["faults"] == {
        "error": 0,
        "timeout": 0,
        "malformed": 0,
        "drop": 0,
        "throttle": 0,
        "partial": 0,
        "extra": 0,
    }
    await http.post("/_admin/reset")
    after = (await http.get("/_admin/stats")).json()
    assert after["requests"] == {"total": 0, "by_endpoint": {}}
    assert after["ids"] == {"requested": 0, "returned": 0}


async def test_stats_count_faults_by_kind(http: httpx.AsyncClient, catalog: Catalog) -> None:
    path = f"/v1/track/{catalog.track_ids()[0]}"
    batch = "/v1/track?ids=" + ",".join(catalog.track_ids()[:4])
    for kind, url in [
        ("error", path),
        ("malformed", path),
        ("throttle", path),
        ("partial", batch),
        ("extra", batch),
    ]:
        await http.patch("/_admin/config", json={f"{kind}_rate": 1})
        await http.get(url)
        await http.patch("/_admin/config", json={f"{kind}_rate": 0})
    stats = (await http.get("/_admin/stats")).json()
    assert stats["faults"] == {
        "error": 1,
        "timeout": 0,
        "malformed": 1,
        "drop": 0,
        "throttle": 1,
        "partial": 1,
        "extra": 1,
    }
    assert stats["requests"]["by_endpoint"]["/v1/track/{id}"] == {"200": 1, "429": 1, "500": 1}
    assert stats["requests"]["by_endpoint"]["/v1/track"] == {"200": 2}


async def test_catalog_sample(http: httpx.AsyncClient, catalog: Catalog) -> None:
    sample = (await http.get("/_admin/catalog/sample", params={"n": 5})).json()
    assert set(sample) == {
        "track_spotify_ids",
        "track_ids",
        "unknown_spotify_ids",
        "artist_ids",
        "artist_spotify_ids",
        "album_ids",
    }
    assert all(len(ids) == 5 for ids in sample.values())
    assert set(sample["track_ids"]) <= set(catalog.track_ids())
    known = await http.get("/v1/track", params={"ids": ",".join(sample["track_spotify_ids"])})
    assert len(known.json()["content"]) == 5
    unknown = await http.get("/v1/track", params={"ids": ",".join(sample["unknown_spotify_ids"])})
    assert unknown.json()["content"] == []
    again = (await http.get("/_admin/catalog/sample", params={"n": 5})).json()
    assert again == sample
    other = (await http.get("/_admin/catalog/sample", params={"n": 5, "seed": 1})).json()
    assert other != sample
    too_many = await http.get("/_admin/catalog/sample", params={"n": 0})
    assert too_many.status_code == 400
    assert too_many.json()["parameter"] == "n"


async def test_healthz(http: httpx.AsyncClient, catalog: Catalog) -> None:
    health = (await http.get("/_admin/healthz")).json()
    assert health == {
        "status": "ok",
        "tracks": catalog.n_tracks,
        "artists": catalog.n_artists,
        "albums": catalog.n_albums,
    }
