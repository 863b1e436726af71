"""``moodmix bench --workload playlists`` end to end: a tiny run, three profiles, real simulators.

No timed assertions and none on the issue's targets: those are the bench's figures.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer
from typer.testing import CliRunner

from moodmix.cli.bench import bench

REQUIRED = (
    "workload",
    "profile",
    "playlists",
    "made",
    "failed",
    "upstream_requests",
    "upstream_429",
    "cold_requests",
    "warm_requests",
    "warm_engine_ms",
    "fit_mean",
    "fit_min",
    "fit_share_30",
    "fit_possible_30",
    "fit_overall",
    "latency_ms",
)


def run_bench_command(*args: str) -> Any:
    app = typer.Typer()
    app.command("bench")(bench)
    app.command("version")(lambda: None)  # two commands, so "bench" is a subcommand
    return CliRunner().invoke(app, ["bench", *args])


def test_a_tiny_playlists_bench_reports_every_field_with_sane_values(tmp_path: Path) -> None:
    out = tmp_path / "playlists.json"
    result = run_bench_command(
        "--workload", "playlists", "--quick", "--users", "3", "--json", str(out)
    )
    assert result.exit_code == 0, result.output
    assert "playlists" in result.output

    data = json.loads(out.read_text())
    assert data["workload"] == "playlists"
    assert any(p["seeds"] for p in data["prompts"])  # some prompts carry explicit seeds
    results = {r["profile"]: r for r in data["results"]}
    assert set(results) == {"legacy", "seed", "adaptive"}
    for r in results.values():
        assert all(name in r for name in REQUIRED), sorted(set(REQUIRED) - set(r))
        assert r["workload"] == "playlists"
        assert r["playlists"] == 3 * 3
        assert r["made"] + r["failed"] == r["playlists"]
        assert r["made"] > 0
        assert sum(r["errors"].values()) == r["failed"]
        assert r["upstream_requests"] > 0
        assert 0 <= r["upstream_429"] <= r["upstream_requests"]
        assert 0 < r["cold_requests"]["p50"] <= r["cold_requests"]["max"]
        assert 0 <= r["warm_requests"]["p50"] <= r["warm_requests"]["max"]
        assert r["cold_tracks_min"] > 0
        warm = r["warm_engine_ms"]
        assert 0 < warm["p50"] <= warm["p95"] <= warm["max"]
        assert r["fit_min"] <= r["fit_mean"] <= 1
        assert 0 <= r["fit_share_30"] <= 1
        assert len(r["fit"]) == r["prompts"]
        assert all(f["baseline"] == "plain" for f in r["fit"])
        for f in r["fit"]:  # the catalog's nearest tracks bound what any playlist can reach
            assert 0 < f["catalog_best_distance"] <= f["playlist_distance"] + 1e-3
            assert f["improvement"] <= f["ceiling"] + 1e-3
        assert 0 <= r["fit_possible_30"] <= 1
        raw = sum(f["raw_distance"] for f in r["fit"])
        made = sum(f["playlist_distance"] for f in r["fit"])
        assert abs(r["fit_overall"] - (1 - made / raw)) < 1e-3
        latency = r["latency_ms"]
        assert 0 < latency["p50"] <= latency["p95"] <= latency["max"]
        refined = r["refine"]
        assert refined["prompts"] == r["prompts"] == len(refined["per_prompt"])
        for share in ("upbeat", "fewer_vocals", "slower"):
            assert 0 <= refined[share] <= 1
        assert 0 <= refined["warm_requests_p50"] <= refined["warm_requests_max"]
        for row in refined["per_prompt"]:  # each says what moved, from what to what
            for text in ("more upbeat", "less vocals", "slower"):
                step = row[text]
                assert "error" in step or (
                    step["change"].startswith("refined: ") and len(step["tempo"]) == 2
                )


def test_an_unknown_workload_is_refused_with_what_is_allowed() -> None:
    result = run_bench_command("--workload", "albums")
    assert result.exit_code == 2
    assert "albums" in result.output
