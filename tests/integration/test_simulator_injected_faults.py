"""Each injected fault as a raw HTTP client sees it: 500, timeout, malformed body, drop."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import httpx
import orjson
import pytest
from pydantic import BaseModel, ValidationError

from moodmix.reccobeats.models import AudioFeatures, ItemList, Track
from moodmix.simulator import SimulatorServer
from moodmix.simulator.catalog import Catalog

MakeSimulator = Callable[..., Awaitable[SimulatorServer]]


async def test_error_fault_is_a_500_with_a_json_body(
    make_simulator: MakeSimulator, catalog: Catalog
) -> None:
    sim = await make_simulator(error_rate=1.0)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        response = await http.get(f"/v1/track/{catalog.track_ids()[0]}")
    assert response.status_code == 500
    assert response.json()["status"] == 500
    assert sim.counters.faults["error"] == 1
    assert sim.counters.count("/v1/track/{id}", 500) == 1


async def test_timeout_fault_outlasts_the_client_timeout(
    make_simulator: MakeSimulator, catalog: Catalog
) -> None:
    sim = await make_simulator(timeout_rate=1.0, timeout_hold_s=30)
    async with httpx.AsyncClient(base_url=sim.url, timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.get(f"/v1/track/{catalog.track_ids()[0]}")
    assert sim.counters.faults["timeout"] == 1


async def test_timeout_fault_answers_504_after_the_hold(
    make_simulator: MakeSimulator, catalog: Catalog
) -> None:
    sim = await make_simulator(timeout_rate=1.0, timeout_hold_s=0.05)
    async with httpx.AsyncClient(base_url=sim.url, timeout=10) as http:
        response = await http.get(f"/v1/track/{catalog.track_ids()[0]}")
    assert response.status_code == 504
    assert sim.counters.count("/v1/track/{id}", 504) == 1


def failure(body: bytes, model: type[BaseModel]) -> str:
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError:
        return "parse"
    try:
        model.model_validate(payload)
    except ValidationError:
        return "validate"
    return ""


@pytest.mark.parametrize(
    ("template", "model"),
    [
        ("/v1/track/{sid}", Track),
        ("/v1/track/{sid}/audio-features", AudioFeatures),
        ("/v1/track?ids={sid}", ItemList[Track]),
        ("/v1/audio-features?ids={sid}", ItemList[AudioFeatures]),
    ],
)
async def test_malformed_fault_bodies_fail_to_parse_or_validate(
    make_simulator: MakeSimulator, catalog: Catalog, template: str, model: type[BaseModel]
) -> None:
    sim = await make_simulator(malformed_rate=1.0)
    outcomes = []
    async with httpx.AsyncClient(base_url=sim.url) as http:
        for sid in catalog.track_spotify_ids()[:30]:
            response = await http.get(template.format(sid=sid))
            assert response.status_code == 200
            outcomes.append(failure(response.content, model))
    assert "" not in outcomes
    assert set(outcomes) == {"parse", "validate"}
    assert sim.counters.faults["malformed"] == 30


async def test_malformed_fault_leaves_error_answers_alone(
    make_simulator: MakeSimulator,
) -> None:
    sim = await make_simulator(malformed_rate=1.0)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        response = await http.get("/v1/track?ids=not-an-id")
    assert response.status_code == 400
    assert response.json()["parameter"] == "ids"
    assert sim.counters.faults["malformed"] == 0


async def test_drop_fault_closes_the_connection_unanswered(
    make_simulator: MakeSimulator, catalog: Catalog
) -> None:
    sim = await make_simulator(drop_rate=1.0)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await http.get(f"/v1/track/{catalog.track_ids()[0]}")
    assert sim.counters.faults["drop"] == 1
    assert sim.counters.count("/v1/track/{id}", "dropped") == 1


async def test_rate_limit_comes_before_faults(
    make_simulator: MakeSimulator, catalog: Catalog
) -> None:
    sim = await make_simulator(rate_per_min=1, burst=1, error_rate=1.0)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        codes = [
            (await http.get(f"/v1/track/{catalog.track_ids()[0]}")).status_code for _ in range(3)
        ]
    assert codes == [500, 429, 429]
    assert sim.counters.faults["error"] == 1


async def test_admin_paths_get_no_faults(make_simulator: MakeSimulator) -> None:
    sim = await make_simulator(drop_rate=0.5, error_rate=0.5)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        codes = {(await http.get("/_admin/healthz")).status_code for _ in range(20)}
    assert codes == {200}


async def test_some_requests_get_faults_at_partial_rates(
    make_simulator: MakeSimulator, catalog: Catalog
) -> None:
    sim = await make_simulator(error_rate=0.3, latency_ms=1, seed=3)
    async with httpx.AsyncClient(base_url=sim.url) as http:
        codes = [
            (await http.get(f"/v1/track/{sid}")).status_code
            for sid in catalog.track_spotify_ids()[:100]
        ]
    assert 10 <= codes.count(500) <= 50
    assert codes.count(200) == 100 - codes.count(500)
    assert sim.counters.faults["error"] == codes.count(500)
