"""``moodmix bench --instances N [--redis-outage]``: the several-instances run from the CLI.

::

    instances_bench(out, err, config, instances=3, redis_outage=True, json_path=None)

One profile runs (``adaptive`` unless ``--profiles`` names exactly one other); the scenarios,
users, duration, time scale and seed are the lookups workload's options.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import cast, get_args

import typer
from rich.console import Console

from moodmix.bench.config import PROFILES, BenchConfig
from moodmix.bench.instances import run_instances
from moodmix.bench.instances_report import instances_json, render_instances
from moodmix.bench.redisproc import RedisUnavailable
from moodmix.settings import Profile


def instances_bench(
    out: Console,
    err: Console,
    config: BenchConfig,
    instances: int,
    redis_outage: bool,
    json_path: Path | None,
) -> None:
    profiles = config.profiles
    if profiles == PROFILES:
        profiles = ("adaptive",)
    if len(profiles) != 1 or profiles[0] not in get_args(Profile):
        raise typer.BadParameter(
            "--instances runs one profile of the settings (legacy, seed or adaptive); pass "
            "--profiles adaptive (or another one)",
            param_hint="--profiles",
        )
    profile = cast(Profile, profiles[0])
    names = ", ".join(s.name for s in config.scenarios)
    err.print(
        f"bench instances: {profiles[0]} on {names}; 1 instance alone, then {instances} sharing "
        f"one Redis{' (killed mid-run)' if redis_outage else ''}; {config.duration_s:g} s of "
        f"arrivals at x{config.time_scale:g}, {config.users} users, seed {config.seed}",
        highlight=False,
    )

    def say(text: str) -> None:
        err.print(text, end="", highlight=False, markup=False)

    try:
        run = asyncio.run(
            run_instances(
                config,
                instances=instances,
                profile=profile,
                redis_outage=redis_outage,
                say=say,
            )
        )
    except RedisUnavailable as exc:
        err.print(f"bench instances: {exc}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    render_instances(run, out)
    if json_path is not None:
        json_path.write_bytes(instances_json(run))
        err.print(f"figures written to {json_path}", highlight=False)
