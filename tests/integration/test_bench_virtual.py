"""The lookups bench on virtual time: in-process simulators, one clock that jumps, one answer.

Each test drives its own ``virtual_runner`` (the tests are plain functions: pytest-asyncio's
loop keeps real time).
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
import typer
from typer.testing import CliRunner

from moodmix.bench.config import BenchConfig, scenarios
from moodmix.bench.inprocess import InProcessSimulator
from moodmix.bench.lookups import run_bench
from moodmix.bench.report import as_json
from moodmix.bench.virtual import VIRTUAL_START_S, virtual_runner
from moodmix.cli.bench import bench
from moodmix.clock import loop_time
from moodmix.simulator.catalog import Catalog, CatalogSpec
from moodmix.simulator.config import SimulatorConfig


def _results(config: BenchConfig, *, workers: int | None = None) -> list[dict[str, Any]]:
    run = asyncio.run(run_bench(config, workers=workers))
    return list(as_json(run)["results"])


def _two_minutes_below(*, seed: int) -> BenchConfig:
    """``legacy`` and ``adaptive`` for two busy simulated minutes over a 40/min limit."""
    return BenchConfig(
        profiles=("legacy", "adaptive"),
        scenarios=scenarios("below"),
        users=40,
        hours=120 / 3_600,
        start_hour=20.0,
        time_scale=1.0,
        seed=seed,
        l1_probe_s=0.05,
    ).virtual()


def test_one_seed_gives_identical_results_twice() -> None:
    config = _two_minutes_below(seed=3)

    first, second = _results(config), _results(config)

    assert first == second
    assert all(r["logical_lookups"] > 0 and r["upstream_requests"] > 0 for r in first)
    assert any(r["upstream_429"] > 0 for r in first), "the below limit should refuse some"


def test_a_lane_runs_alone_so_its_figures_do_not_depend_on_the_others() -> None:
    config = _two_minutes_below(seed=5)

    together = _results(config, workers=2)
    alone = _results(replace(config, profiles=("adaptive",)), workers=1)

    assert [r["profile"] for r in together] == ["legacy", "adaptive"]
    assert together[1] == alone[0]
    # legacy is paced by its per-tool windows, not by the gateway's limiter: no rate to show
    assert together[0]["learned_rate_per_min"] is None
    assert together[1]["learned_rate_per_min"] > 0


def test_ten_simulated_minutes_take_far_less_than_ten_wall_minutes() -> None:
    simulated_s = 600.0
    config = BenchConfig(
        profiles=("adaptive",),
        scenarios=scenarios("matched"),
        users=20,
        hours=simulated_s / 3_600,
        start_hour=20.0,
        time_scale=1.0,
        l1_probe_s=0.05,
    ).virtual()

    started = time.monotonic()
    [result] = _results(config)
    wall_s = time.monotonic() - started

    assert result["run_s"] >= simulated_s
    assert result["sessions"] > 20
    assert wall_s < simulated_s


def _simulator(rate_per_min: float) -> InProcessSimulator:
    catalog = Catalog.build(CatalogSpec(seed=0, tracks=200, artists=20))
    config = SimulatorConfig(
        rate_per_min=rate_per_min, burst=1, seed=0, tracks=200, artists=20, latency_ms=15
    )
    return InProcessSimulator(catalog, config, clock=loop_time)


def test_the_in_process_simulator_limits_and_answers_on_the_loops_clock() -> None:
    sim = _simulator(rate_per_min=6)

    async def scenario() -> tuple[list[int], str, float]:
        loop = asyncio.get_running_loop()
        assert sim.transport is not None
        async with httpx.AsyncClient(base_url=sim.url, transport=sim.transport) as http:
            ids = ",".join(sim.state.catalog.track_ids()[:3])
            first = await http.get("/v1/track", params={"ids": ids})
            refused = await http.get("/v1/track", params={"ids": ids})
            await asyncio.sleep(10)
            again = await http.get("/v1/track", params={"ids": ids})
            body = first.json()
        statuses = [first.status_code, refused.status_code, again.status_code]
        assert len(body["content"]) == 3
        return statuses, refused.headers["Retry-After"], loop.time() - VIRTUAL_START_S

    started = time.monotonic()
    with virtual_runner() as runner:
        statuses, retry_after, elapsed = runner.run(scenario())

    assert statuses == [200, 429, 200]
    assert retry_after == "10"
    assert elapsed >= 10
    assert time.monotonic() - started < elapsed
    assert sim.state.counters.rate_limited == 1


def test_a_post_body_reaches_the_application() -> None:
    sim = _simulator(rate_per_min=600)

    async def post() -> httpx.Response:
        async with httpx.AsyncClient(base_url=sim.url, transport=sim.transport) as http:
            return await http.post(
                "/v1/analysis/audio-features", files={"audioFile": ("a.mp3", b"ID3" + b"\0" * 64)}
            )

    with virtual_runner() as runner:
        response = runner.run(post())

    assert response.status_code == 200, response.text
    assert "energy" in response.json()


@pytest.mark.parametrize("workload", ["playlists", "service"])
def test_only_the_lookups_workload_runs_on_virtual_time(workload: str) -> None:
    app = typer.Typer()
    app.command("bench")(bench)
    app.command("version")(lambda: None)
    result = CliRunner().invoke(app, ["bench", "--workload", workload, "--clock", "virtual"])

    assert result.exit_code == 2
    assert "real time only" in result.output
