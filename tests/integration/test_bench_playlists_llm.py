"""``moodmix bench --workload playlists --mood-reader llm``: a tiny run against the model
stand-in reports the latency the model adds, the fallbacks, and no model call for warm prompts.

No timed assertions: the figures are the bench's to report.
"""

from __future__ import annotations

import json
from pathlib import Path

from test_bench_playlists import run_bench_command


def test_the_model_reader_is_measured_and_warm_prompts_cost_no_call(tmp_path: Path) -> None:
    out = tmp_path / "playlists.json"
    result = run_bench_command(
        "--workload", "playlists", "--quick", "--users", "2", "--profiles", "adaptive",
        "--mood-reader", "llm", "--llm-latency-ms", "20", "--llm-fault-share", "0",
        "--json", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mood reader: llm" in result.output
    data = json.loads(out.read_text())
    (r,) = data["results"]
    prompts = len(data["prompts"])
    probe, load = r["reader_probe"], r["reader_load"]
    assert probe["readings"] == prompts * (1 + data["config"]["warm_repeats"])
    assert probe["model_calls"] == prompts  # each prompt once; every repeat from the cache
    assert probe["warm_model_calls"] == 0
    assert probe["fell_back_share"] == 0
    assert probe["tokens"] > 0
    assert set(probe["added_ms"]) == {"p50", "p95", "p99", "max"}
    assert load["readings"] == r["made"] + r["failed"]
    assert load["warm_model_calls"] == 0
    assert data["config"]["mood_reader"] == "llm"


def test_an_unknown_reader_is_refused() -> None:
    result = run_bench_command("--workload", "playlists", "--mood-reader", "gpt")
    assert result.exit_code == 2
    assert "built-in or llm" in result.output
