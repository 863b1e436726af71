"""``moodmix bench --workload saturate``: each profile against hidden limits it must find.

::

    saturate_run(out, err, profiles="adaptive,peer-botocore", upstream_rate="20,80,600",
                 upstream_burst="1,4,10", hours=1.0, demand_factor=2.0, ...)

    $ moodmix bench --workload saturate --upstream-rate 80/min --upstream-burst 4 --hours 0.25
    $ moodmix bench --workload saturate --upstream-rate 20,55,80,110,300,600 \\
          --upstream-burst 1,4,10 --hours 1 --jobs 2 --json saturate.json
    $ moodmix bench --workload saturate --restart-after 3600 --hours 1.5
    $ moodmix bench --workload saturate --rate-schedule "0:80/min,600:40/min,1200:150/min"

A bad option exits with code 2 and says what is allowed; counts that disagree with the
simulator's (``CountsDisagree``) exit with code 1. Progress goes to stderr, the Markdown
table to stdout.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

import structlog
import typer
from rich.console import Console

from moodmix.bench.profiles import BenchProfile
from moodmix.bench.redisproc import RedisUnavailable
from moodmix.bench.saturate import (
    CountsDisagree,
    SaturateConfig,
    markdown,
    parse_bursts,
    parse_rates,
    parse_schedule,
    run_grid,
    saturate_json,
)
from moodmix.bench.saturate.config import DEFAULT_BURST, ClockMode
from moodmix.cli.bench_runs import write_figures

T = TypeVar("T")

DEFAULT_RATE = "80"


def _option(parse: Callable[[str], T], text: str, hint: str) -> T:
    """``parse(text)``, or ``typer.BadParameter`` (exit 2) for ``hint`` saying why not."""
    try:
        return parse(text)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint=hint) from None


def saturate_config(
    *,
    profiles: tuple[BenchProfile, ...],
    upstream_rate: str | None,
    upstream_burst: str | None,
    hours: float | None,
    demand_factor: float,
    restart_after: float | None,
    rate_schedule: str | None,
    instances: int | None,
    clock: ClockMode,
    time_scale: float,
    seed: int,
    quick: bool,
) -> SaturateConfig:
    """The run the options ask for; ``typer.BadParameter`` (exit 2) naming a bad one."""
    rates = _option(parse_rates, upstream_rate or DEFAULT_RATE, "--upstream-rate")
    bursts = _option(parse_bursts, upstream_burst or str(DEFAULT_BURST), "--upstream-burst")
    schedule = (
        () if rate_schedule is None else _option(parse_schedule, rate_schedule, "--rate-schedule")
    )
    try:
        config = SaturateConfig(
            rates=rates,
            bursts=bursts,
            profiles=profiles,
            demand_factor=demand_factor,
            schedule=schedule,
            instances=instances or 1,
            clock=clock,
            time_scale=time_scale,
            seed=seed,
        )
        if quick:
            config = config.quick()
        if hours is not None:
            config = replace(config, hours=hours)
        if restart_after is not None:
            config = replace(config, restart_after_s=restart_after)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    return config


def saturate_run(
    out: Console, err: Console, config: SaturateConfig, *, jobs: int | None, json_path: Path | None
) -> None:
    """Run every cell x profile of ``config``, print the table, write the figures."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    cells = config.cells()
    pace = "virtual time" if config.clock == "virtual" else f"real time at x{config.time_scale:g}"
    err.print(
        f"bench saturate: {', '.join(config.profiles)} on {len(cells)} cell"
        f"{'s' if len(cells) != 1 else ''} ({', '.join(c.label for c in cells)}); "
        f"{config.hours:g} h each, demand {config.demand_factor:g} x the limit, callers give up "
        f"after {config.deadline_s:g} s"
        + (f", restart at {config.restart_after_s:g} s" if config.restart_after_s else "")
        + (f", {config.instances} instances" if config.instances > 1 else "")
        + f"; {pace}, seed {config.seed}",
        highlight=False,
        markup=False,
    )
    started = time.perf_counter()

    def say(line: str) -> None:
        err.print(line, highlight=False, markup=False)

    try:
        results = asyncio.run(run_grid(config, jobs=jobs, say=say))
    except CountsDisagree as exc:
        err.print(f"bench saturate: the counts disagree: {exc}", highlight=False, markup=False)
        raise typer.Exit(1) from None
    except RedisUnavailable as exc:
        err.print(f"bench saturate: {exc}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    wall_s = time.perf_counter() - started
    out.print(markdown(results), highlight=False, markup=False, soft_wrap=True)
    err.print(f"bench saturate: {len(results)} runs in {wall_s:,.1f} s", highlight=False)
    write_figures(err, json_path, saturate_json(config, results, wall_s))
