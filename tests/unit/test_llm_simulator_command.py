"""``moodmix llm-simulator``: a bad option is one line and exit code 2, nothing served."""

from __future__ import annotations

import typer
from typer.testing import CliRunner

from moodmix.cli.llm_simulator import llm_simulator


def run(*args: str) -> typer.testing.Result:
    app = typer.Typer()
    app.command("llm-simulator")(llm_simulator)
    app.command("version")(lambda: None)
    return CliRunner().invoke(app, ["llm-simulator", *args])


def test_an_unknown_fault_is_refused() -> None:
    result = run("--fault", "explode")
    assert result.exit_code == 2
    assert "fault must be one of none, malformed, invented, hostile, 429, slow, 500" in (
        result.output
    )


def test_a_share_outside_zero_to_one_is_refused() -> None:
    result = run("--fault-share", "1.5")
    assert result.exit_code == 2
    assert "fault_share must be 0..1" in result.output
