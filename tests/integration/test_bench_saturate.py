"""``moodmix bench --workload saturate`` end to end on virtual time: a few simulated minutes,
two profiles, in worker processes; the figures are checked for shape and for counts that
agree with the simulator's, never for speed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from moodmix.cli.bench import bench

FIELDS = (
    "profile",
    "upstream_rate_per_min",
    "upstream_burst",
    "rate_429",
    "quota_utilisation",
    "seconds_to_90pct",
    "sent",
    "accepted",
    "throttled",
    "abandoned",
    "callers",
    "served",
    "simulator_requests",
    "simulator_429",
    "gateway_requests",
    "checks",
)


def run_bench_command(*args: str) -> Any:
    app = typer.Typer()
    app.command("bench")(bench)
    app.command("version")(lambda: None)  # two commands, so "bench" is a subcommand
    return CliRunner().invoke(app, ["bench", *args])


def _saturate(tmp_path: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "saturate.json"
    result = run_bench_command("--workload", "saturate", "--json", str(out), *args)
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(out.read_text())
    return data


def test_a_short_run_reports_every_field_and_counts_that_agree_with_the_simulator(
    tmp_path: Path,
) -> None:
    data = _saturate(
        tmp_path,
        *("--upstream-rate", "60/min", "--upstream-burst", "4", "--hours", "0.05"),
        *("--profiles", "adaptive,peer-aiolimiter", "--jobs", "2"),
    )

    results = data["results"]
    assert [r["profile"] for r in results] == ["adaptive", "peer-aiolimiter"]
    for r in results:
        assert all(name in r for name in FIELDS), sorted(set(FIELDS) - set(r))
        answered = r["accepted"] + r["throttled"] + sum(r["other_answers"].values())
        slack = r["cancelled_in_flight"] + r["no_answer"]
        assert answered <= r["simulator_requests"] <= answered + slack
        assert r["throttled"] <= r["simulator_429"] <= r["throttled"] + slack
        assert r["sent"] == answered + slack + r["in_flight_at_end"]
        assert r["callers"] == (
            r["served"] + r["abandoned"] + r["failed"] + r["cut_at_end"] + r["dropped_at_restart"]
        )
        # demand is twice the limit: more callers than the limit allowed, and it was used
        assert r["callers"] > r["allowed"]
        assert 0 < r["quota_utilisation"] <= 1.01
        assert 0 <= r["rate_429"] <= 1


def test_a_grid_of_two_cells_gives_every_cell_with_every_profile(tmp_path: Path) -> None:
    data = _saturate(
        tmp_path,
        *("--upstream-rate", "30,90", "--upstream-burst", "2", "--hours", "0.02"),
        *("--profiles", "adaptive,seed", "--jobs", "2"),
    )

    cells = [
        (r["upstream_rate_per_min"], r["upstream_burst"], r["profile"]) for r in data["results"]
    ]
    assert cells == [(30, 2, "adaptive"), (30, 2, "seed"), (90, 2, "adaptive"), (90, 2, "seed")]


def test_a_restart_and_a_rate_schedule_add_their_figures(tmp_path: Path) -> None:
    data = _saturate(
        tmp_path,
        *("--upstream-rate", "80", "--upstream-burst", "4", "--hours", "0.1"),
        *("--rate-schedule", "0:80/min,120:40/min,240:100/min", "--restart-after", "300"),
        *("--profiles", "adaptive", "--jobs", "1"),
    )

    (r,) = data["results"]
    assert "seconds_to_90pct_after_restart" in r
    cut, rise = r["changes"]
    assert (cut["at_s"], cut["to_per_min"]) == (120, 40)
    assert "throttled_within_60s" in cut
    assert (rise["at_s"], rise["to_per_min"]) == (240, 100)
    assert "seconds_to_90pct" in rise


def test_several_instances_share_one_budget_and_report_each(tmp_path: Path) -> None:
    data = _saturate(
        tmp_path,
        *("--upstream-rate", "60", "--upstream-burst", "4", "--hours", "0.05"),
        *("--instances", "3", "--profiles", "adaptive", "--jobs", "1"),
    )

    (r,) = data["results"]
    assert len(r["per_instance"]) == 3
    # one budget: every instance paces at the rate they learned together
    assert len({i["learned_rate_per_min"] for i in r["per_instance"]}) == 1
    assert sum(i["callers"] for i in r["per_instance"]) == r["callers"]
    assert sum(i["sent"] for i in r["per_instance"]) == r["sent"]


def test_the_real_clock_runs_against_a_simulator_process_and_counts_agree(
    tmp_path: Path,
) -> None:
    data = _saturate(
        tmp_path,
        *("--clock", "real", "--upstream-rate", "60", "--upstream-burst", "4"),
        *("--hours", "0.02", "--profiles", "adaptive"),
    )

    (r,) = data["results"]
    assert r["clock"] == "real"
    assert r["sent"] > 0
    answered = r["accepted"] + r["throttled"] + sum(r["other_answers"].values())
    assert answered <= r["simulator_requests"] <= answered + r["cancelled_in_flight"]


def test_instances_on_the_real_clock_share_a_redis(tmp_path: Path) -> None:
    data = _saturate(
        tmp_path,
        *("--clock", "real", "--upstream-rate", "60", "--upstream-burst", "4"),
        *("--hours", "0.02", "--instances", "2", "--profiles", "adaptive"),
    )

    (r,) = data["results"]
    assert [i["instance"] for i in r["per_instance"]] == [0, 1]
    assert sum(i["sent"] for i in r["per_instance"]) == r["sent"]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--upstream-rate", "0"), "more than 0"),
        (("--upstream-rate", "20,0/min"), "must be more than zero"),
        (("--upstream-burst", "0"), "at least 1"),
        (("--upstream-burst", "1,x"), "whole number"),
        (("--demand-factor", "0"), "--demand-factor must be more than 0"),
        (("--demand-factor", "-1"), "--demand-factor must be more than 0"),
        (("--profiles", "adaptive,turbo"), "turbo is not a profile"),
        (("--rate-schedule", "0:80/min,soon"), "OFFSET:RATE"),
        (("--restart-after", "99999"), "--restart-after must be within the run"),
        (("--users", "20"), "does not apply to --workload saturate"),
    ],
)
def test_bad_options_exit_2_saying_what_is_wrong(args: tuple[str, ...], says: str) -> None:
    result = run_bench_command("--workload", "saturate", "--hours", "0.01", *args)

    assert result.exit_code == 2, result.output
    assert says in " ".join(result.output.replace("│", " ").split()), result.output
