"""``moodmix bench`` end to end: a few seconds, one scenario, three profiles, on both clocks:
simulator processes in real time, and in-process simulators on virtual time (the default)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from moodmix.cli.bench import bench

REQUIRED = (
    "profile",
    "scenario",
    "upstream_rate_per_min",
    "logical_lookups",
    "upstream_requests",
    "upstream_429",
    "rate_429",
    "cache_hit_rate",
    "quota_utilisation",
    "demand_exceeded_limit",
    "lower_bound_requests",
    "latency_ms",
)


def run_bench_command(*args: str) -> Any:
    app = typer.Typer()
    app.command("bench")(bench)
    app.command("version")(lambda: None)  # two commands, so "bench" is a subcommand
    return CliRunner().invoke(app, ["bench", *args])


@pytest.mark.parametrize(
    "clock", [("--clock", "real", "--duration", "2"), ()], ids=["real", "virtual"]
)
def test_a_tiny_bench_reports_every_field_with_sane_values(
    tmp_path: Path, clock: tuple[str, ...]
) -> None:
    out = tmp_path / "bench.json"
    result = run_bench_command("--scenario", "matched", "--quick", *clock, "--json", str(out))
    assert result.exit_code == 0, result.output
    assert "matched" in result.output
    assert "adaptive vs legacy" in result.output

    data = json.loads(out.read_text())
    results = {r["profile"]: r for r in data["results"]}
    assert set(results) == {"legacy", "seed", "adaptive"}
    for r in results.values():
        assert all(name in r for name in REQUIRED), sorted(set(REQUIRED) - set(r))
        assert r["scenario"] == "matched"
        assert r["upstream_rate_per_min"] == 80
        assert r["logical_lookups"] > 0
        assert r["upstream_requests"] > 0
        assert 0 <= r["upstream_429"] <= r["upstream_requests"]
        assert 0 <= r["rate_429"] <= 1
        assert 0 <= r["cache_hit_rate"] <= 1
        assert 0 <= r["cache_hit_rate_cold"] <= 1
        assert 0 < r["quota_utilisation"] <= 1.5
        assert isinstance(r["demand_exceeded_limit"], bool)
        assert r["lower_bound_requests"] > 0
        latency = r["latency_ms"]
        assert 0 <= latency["p50"] <= latency["p95"] <= latency["p99"]
        assert r["trace_mismatches"] == 0
        assert r["upstream_accepted"] + r["upstream_rejected"] == r["upstream_requests"]
        assert (r["bound_ratio"] is None) == (not r["bound_valid"])
        assert r["response_ms"]["all"]["count"] >= r["timeouts"]
    assert data["trace"]["sessions"] > 0
    stats = data["trace_stats"]
    assert stats["sessions"] == data["trace"]["sessions"]
    assert stats["zipf_exponent"] == data["config"]["zipf"]
    assert "trace: " in result.output
    assert data["comparisons"][0]["baseline"] == "legacy"


def test_a_bad_profile_is_refused_with_what_is_allowed() -> None:
    result = run_bench_command("--profiles", "legacy,turbo")
    assert result.exit_code == 2
    assert "turbo" in result.output
