"""The runs ``moodmix bench`` hands its options to, beside the one-process lookups run.

    instances_run(out, err, config, instances=3, redis_outage=True, json_path=None)
    sweep_run(out, err, config, loads=(50, 100, 200), json_path=None, workers=None)
    playlists_run(out, err, profiles=("adaptive",), ..., json_path=None)   # --workload playlists
    service_run(out, err, profiles=("adaptive",), ..., json_path=None)     # --workload service

Each prints what it runs to ``err``, the tables to ``out``, and writes the figures as JSON
when ``json_path`` is given. ``--instances`` runs one profile (``adaptive`` unless
``--profiles`` names exactly one other); the scenarios, users, duration, time scale and seed
are the lookups workload's options.
"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from pathlib import Path
from typing import cast, get_args

import orjson
import typer
from rich.console import Console
from rich.table import Table

from moodmix.bench import playlists as playlist_bench
from moodmix.bench import service as service_bench
from moodmix.bench.config import PROFILES, BenchConfig
from moodmix.bench.instances import instances_json, render_instances, run_instances
from moodmix.bench.lookups import MAX_RATE_429, P95_LIMIT_MS, OnProgress, Progress, run_sweep
from moodmix.bench.playlists.reader import reader_table
from moodmix.bench.redisproc import RedisUnavailable
from moodmix.settings import Profile


def progress_printer(console: Console) -> OnProgress:
    """A line per progress report of a lookups run: each lane's requests, queue and finished."""

    def show(p: Progress) -> None:
        lanes = "  ".join(
            f"{lane.profile} {lane.requests:,} req ({lane.rate_limited:,} 429), "
            f"{lane.queued} queued, {lane.in_flight} out, {lane.finished:,} done"
            for lane in p.lanes
        )
        console.print(
            f"[{p.scenario}] {p.elapsed_s:5.1f} s  arrived {p.arrived:,}/{p.sessions:,}  {lanes}",
            highlight=False,
            markup=False,
        )

    return show


def instances_run(
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
    write_figures(err, json_path, instances_json(run))


def sweep_run(
    out: Console,
    err: Console,
    config: BenchConfig,
    loads: tuple[int, ...],
    json_path: Path | None,
    workers: int | None,
) -> None:
    err.print(
        f"sweep: {', '.join(config.profiles)} at {', '.join(map(str, loads))} sessions in "
        f"flight at the peak; {config.hours:g} real hours each, "
        + ("virtual time" if config.clock == "virtual" else f"real time at x{config.time_scale:g}"),
        highlight=False,
    )
    result = asyncio.run(
        run_sweep(config, users=loads, on_progress=progress_printer(err), workers=workers)
    )
    for scenario in config.scenarios:
        table = Table(
            title=f"{scenario.name}: p95 ms / 429 rate per load; served = every session "
            f"finished, p95 < {P95_LIMIT_MS:,.0f} ms, 429s < {MAX_RATE_429:.0%}",
            title_justify="left",
        )
        table.add_column("profile")
        for n in loads:
            table.add_column(f"{n} users", justify="right")
        table.add_column("most served", justify="right")
        for profile in config.profiles:
            row: list[str] = [profile]
            for n in loads:
                p = next(
                    p
                    for p in result.points
                    if (p.users, p.scenario, p.profile) == (n, scenario.name, profile)
                )
                mark = "" if p.served else " x"
                row.append(f"{p.p95_ms:,.0f} / {p.rate_429:.1%}{mark}")
            best = result.largest.get(scenario.name, {}).get(profile)
            row.append("none" if best is None else str(best))
            table.add_row(*row)
        out.print(table)
    write_figures(err, json_path, {"sweep": result.as_json()})


def playlists_run(
    out: Console,
    err: Console,
    *,
    profiles: tuple[Profile, ...],
    upstream_rate: float | None,
    upstream_burst: int,
    users: int | None,
    time_scale: float,
    seed: int,
    quick: bool,
    json_path: Path | None,
    mood_reader: str = "built-in",
    llm_latency_ms: float = 300.0,
    llm_fault_share: float = 0.05,
) -> None:
    """``--workload playlists``: the engine under many users, per profile."""
    if mood_reader not in ("built-in", "llm"):
        raise typer.BadParameter(
            f"{mood_reader!r} is not a reader; use built-in or llm", param_hint="--mood-reader"
        )
    try:
        config = playlist_bench.PlaylistBenchConfig(
            profiles=profiles,
            upstream_burst=upstream_burst,
            time_scale=time_scale,
            seed=seed,
            mood_reader="llm" if mood_reader == "llm" else "built-in",
            llm_latency_ms=llm_latency_ms,
            llm_fault_share=llm_fault_share,
        )
        if quick:
            config = config.quick()
        if upstream_rate is not None:
            config = replace(config, upstream_rate_per_min=upstream_rate)
        if users is not None:
            config = replace(config, users=users)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    err.print(
        f"bench playlists: {', '.join(config.profiles)}; {config.users} users x "
        f"{config.playlists_per_user} playlists of {config.size}, {config.prompts} prompts, "
        f"{config.upstream_rate_per_min:g}/min at x{config.time_scale:g}, seed {config.seed}",
        highlight=False,
    )
    run = asyncio.run(playlist_bench.run_playlists(config))
    out.print(playlist_bench.table(run))
    rows = [
        (r.profile, phase, figures)
        for r in run.results
        for phase, figures in (("probe", r.reader_probe), ("load", r.reader_load))
        if figures is not None
    ]
    if rows:
        out.print(reader_table(rows))
    write_figures(err, json_path, run.as_json())


def service_run(
    out: Console,
    err: Console,
    *,
    profiles: tuple[Profile, ...],
    upstream_rate: float | None,
    upstream_burst: int,
    users: int | None,
    duration: float | None,
    time_scale: float,
    seed: int,
    quick: bool,
    json_path: Path | None,
) -> None:
    """``--workload service``: the HTTP service process under a load-generating process."""
    if len(profiles) != 1:
        raise typer.BadParameter(
            "the service workload runs one profile; pass --profiles adaptive (or another one)",
            param_hint="--profiles",
        )
    try:
        config = service_bench.ServiceBenchConfig(
            profile=profiles[0], upstream_burst=upstream_burst, time_scale=time_scale, seed=seed
        )
        if quick:
            config = config.quick()
        if upstream_rate is not None:
            config = replace(config, upstream_rate_per_min=upstream_rate)
        if users is not None:
            config = replace(config, cold_clients=users)
        if duration is not None:
            config = replace(config, warm_duration_s=duration)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    err.print(
        f"bench service: {config.profile}; warm {config.warm_clients} clients x "
        f"{config.warm_duration_s:g} s on {config.warm_prompts} prompts, cold "
        f"{config.cold_clients} clients; upstream {config.upstream_rate_per_min:g}/min "
        f"at x{config.time_scale:g}, seed {config.seed}",
        highlight=False,
    )
    run = asyncio.run(
        service_bench.run_service_bench(
            config, say=lambda line: err.print(f"[service] {line}", highlight=False, markup=False)
        )
    )
    out.print(service_bench.table(run))
    write_figures(err, json_path, run.as_json())


def write_figures(err: Console, path: Path | None, figures: bytes | object) -> None:
    """Write ``figures`` (JSON bytes, or a value to write as indented JSON) to ``path``, if
    given, and say so."""
    if path is not None:
        body = (
            figures
            if isinstance(figures, bytes)
            else orjson.dumps(figures, option=orjson.OPT_INDENT_2)
        )
        path.write_bytes(body)
        err.print(f"figures written to {path}", highlight=False)
