"""``moodmix bench --workload service`` end to end, tiny: the service, the simulator and the
load generator as real processes; figures are checked for shape and consistency, not speed."""

from __future__ import annotations

from dataclasses import replace

import typer
from typer.testing import CliRunner

from moodmix.bench.service import ServiceBenchConfig, run_service_bench, table
from moodmix.bench.service.plan import cold_prompts
from moodmix.cli.bench import bench


def test_cold_prompts_are_distinct_and_seeded() -> None:
    prompts = cold_prompts(100, seed=0)
    assert len(set(prompts)) == 100
    assert prompts == cold_prompts(100, seed=0)
    assert prompts != cold_prompts(100, seed=1)


async def test_a_tiny_service_bench_reports_both_phases() -> None:
    config = replace(
        ServiceBenchConfig().quick(),
        warm_clients=4,
        warm_duration_s=1.0,
        warm_prompts=2,
        cold_clients=4,
        size=8,
        catalog_tracks=3_000,
    )
    lines: list[str] = []
    run = await run_service_bench(config, say=lines.append)
    assert lines, "no progress reported"

    warm = run.warm
    assert warm["requests"] > 0
    assert warm["errors"] == 0, warm["statuses"]
    assert warm["not_cached"] == 0
    assert warm["results_cache"]["hits"] >= warm["requests"]
    assert 0 < warm["latency_ms"]["p50"] <= warm["latency_ms"]["p95"] <= warm["latency_ms"]["max"]

    cold = run.cold
    assert cold["clients"] == 4
    assert cold["done"] == 4, cold["per_client"]
    assert cold["saw_progress"] == 4
    assert cold["upstream_requests"] > 0
    assert all(c["tracks"] == 8 for c in cold["per_client"])

    body = run.as_json()
    assert body["workload"] == "service"
    assert {t["target"] for t in body["targets"]} == {t["target"] for t in run.targets()}
    assert table(run).row_count == 11 + len(run.targets())


def test_the_service_workload_takes_one_profile() -> None:
    app = typer.Typer()
    app.command("bench")(bench)
    app.command("version")(lambda: None)  # two commands, so "bench" is a subcommand
    result = CliRunner().invoke(
        app, ["bench", "--workload", "service", "--profiles", "seed,legacy"]
    )
    assert result.exit_code == 2
    assert "one profile" in result.output
