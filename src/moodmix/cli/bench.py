"""``moodmix bench``: the profiles side by side on one seeded trace, against simulators.

Registered on the CLI's Typer app by the CLI module::

    app.command("bench")(bench)

    $ moodmix bench --json bench.json                 # 3 scenarios x 24 real hours, virtual time
    $ moodmix bench --hours 1 --zipf 1.1              # an hour of trace, steeper popularity
    $ moodmix bench --quick                           # a smoke run of a few seconds
    $ moodmix bench --clock real --hours 0.5          # simulator processes, time compressed x20
    $ moodmix bench --scenario matched --profiles seed,adaptive --upstream-rate 60/min
    $ moodmix bench --profiles all                    # + the peers (needs moodmix[bench])
    $ moodmix bench --workload playlists --json playlists.json   # the engine, about a minute
    $ moodmix bench --workload service --json service.json       # the HTTP service, ~2 min
    $ moodmix bench --instances 3 --scenario matched --redis-outage   # 3 processes, one Redis
    $ moodmix bench --workload saturate --upstream-rate 20,80,600 --upstream-burst 1,4,10

Progress goes to stderr, the tables to stdout. Missed targets are reported, not turned into
a failing exit code; a bad option prints what is allowed and exits with code 2.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import structlog
import typer
from rich.console import Console

from moodmix.bench.config import (
    DEFAULT_BURST,
    DEFAULT_HOURS,
    DEFAULT_TIME_SCALE,
    DEFAULT_USERS,
    DEFAULT_ZIPF,
    PROFILES,
    BenchConfig,
    scenarios,
)
from moodmix.bench.lookups import parse_users, run_bench
from moodmix.bench.report import WIDTH, json_bytes, render
from moodmix.bench.saturate.config import PROFILES as SATURATE_PROFILES
from moodmix.cli.bench_options import (
    LONG_RUN_S,
    WORKLOADS,
    parse_bench_profiles,
    parse_burst,
    parse_profiles,
    parse_upstream_rate,
    pick_clock,
)
from moodmix.cli.bench_runs import (
    instances_run,
    playlists_run,
    progress_printer,
    service_run,
    sweep_run,
    write_figures,
)
from moodmix.cli.bench_saturate import saturate_config, saturate_run


def bench(
    workload: Annotated[
        str,
        typer.Option(
            help="lookups (the gateway under a session trace), playlists (the engine), "
            "service (the HTTP service under load) or saturate (a client that always wants "
            "more than the hidden limit: how much of it each profile uses, how fast)."
        ),
    ] = "lookups",
    profiles: Annotated[
        str,
        typer.Option(
            help="Comma-separated profiles to run side by side: legacy, seed, adaptive, "
            "peer-aiolimiter, peer-botocore (the peers need moodmix[bench]), legacy-bucket, "
            "seed-bucket; all: the first five."
        ),
    ] = ",".join(PROFILES),
    scenario: Annotated[
        str,
        typer.Option(
            help="Upstream limit: below (40/min), matched (80/min), above (160/min) or all."
        ),
    ] = "all",
    upstream_rate: Annotated[
        str | None,
        typer.Option(
            metavar="N/min",
            help="Override the scenario's limit, real-world units: 60/min, 2/s; saturate: the "
            "hidden limit, a comma-separated list runs each (80).",
        ),
    ] = None,
    upstream_burst: Annotated[
        str,
        typer.Option(
            metavar="N",
            help="Requests the simulator lets through at once; saturate: a comma-separated "
            "list runs every limit x burst.",
        ),
    ] = str(DEFAULT_BURST),
    users: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="lookups: sessions in flight at the evening peak (20); playlists: users each "
            "asking for 5 playlists back to back (40); service: cold clients (100).",
        ),
    ] = None,
    duration: Annotated[
        float | None,
        typer.Option(
            min=0.1,
            metavar="SECONDS",
            help="lookups: seconds of arrivals per scenario instead of --hours, simulated on "
            "virtual time, wall on the real clock (hours = SECONDS x K / 3600); service: warm "
            "phase seconds (20).",
        ),
    ] = None,
    hours: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            metavar="H",
            help="lookups: real-world hours of trace per scenario, whatever the clock or time "
            f"scale ({DEFAULT_HOURS:g}; 0.02 with --quick); saturate: real-world hours of "
            "demand per cell (1; 5 minutes with --quick).",
        ),
    ] = None,
    zipf: Annotated[
        float,
        typer.Option(
            min=0.0, metavar="S", help="lookups: Zipf exponent of seed and lone-lookup popularity."
        ),
    ] = DEFAULT_ZIPF,
    start_hour: Annotated[
        float | None,
        typer.Option(
            min=0.0,
            max=23.99,
            metavar="HOUR",
            help="lookups: hour of the day the trace starts at (0; 20 with --quick).",
        ),
    ] = None,
    clock: Annotated[
        str | None,
        typer.Option(
            metavar="virtual|real",
            help="virtual (the lookups default): gateways and in-process simulators on one "
            "loop whose clock jumps to the next timer; the same seed gives the same figures "
            "anywhere, --time-scale does not apply. real (the only one for playlists, service "
            "and --instances): simulator processes over HTTP, time compressed by --time-scale.",
        ),
    ] = None,
    time_scale: Annotated[
        float | None,
        typer.Option(
            min=0.001,
            metavar="K",
            help="Real time only: real-world minutes per wall minute, rates x K, TTLs / K (20).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seeds the trace and the simulators' catalog.")] = 0,
    quick: Annotated[bool, typer.Option("--quick", help="A smoke run of a few seconds.")] = False,
    json_path: Annotated[
        Path | None, typer.Option("--json", metavar="PATH", help="Write the figures as JSON here.")
    ] = None,
    instances: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="lookups: run N real processes sharing one Redis (after one alone, same trace).",
        ),
    ] = None,
    redis_outage: Annotated[
        bool,
        typer.Option("--redis-outage", help="With --instances: kill and restart Redis mid-run."),
    ] = False,
    sweep_users: Annotated[
        str | None,
        typer.Option(
            metavar="LIST",
            help="lookups: run once per load (sessions in flight at the peak, e.g. "
            "5,10,20,40,80,160) and report the most users each profile serves with p95 under "
            "2 s and 429s under 1%.",
        ),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="lookups on virtual time: lanes (a profile in a scenario) run at once, each "
            "in its own process; figures do not depend on it. Default: one per CPU.",
        ),
    ] = None,
    demand_factor: Annotated[
        float,
        typer.Option(
            metavar="F", help="saturate: callers arrive at F times the limit in force (2)."
        ),
    ] = 2.0,
    restart_after: Annotated[
        float | None,
        typer.Option(
            metavar="S",
            help="saturate: close each gateway S real-world seconds in and open a new one on "
            "the same L2, as a restarted process would.",
        ),
    ] = None,
    rate_schedule: Annotated[
        str | None,
        typer.Option(
            metavar="AT:RATE,...",
            help='saturate: move the hidden limit, e.g. "0:80/min,600:40/min,1200:150/min" '
            "(seconds into the run).",
        ),
    ] = None,
    jobs: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="saturate on virtual time: cell x profile runs at once, each in its own "
            "process. Default: one per CPU.",
        ),
    ] = None,
    mood_reader: Annotated[
        str,
        typer.Option(
            metavar="READER",
            help="playlists: built-in, or llm (a language model over it: the model stand-in, "
            "answering in --llm-latency-ms, a share --llm-fault-share with a fault); llm "
            "reports the latency it adds and the share of readings that fell back.",
        ),
    ] = "built-in",
    llm_latency_ms: Annotated[
        float, typer.Option(metavar="MS", help="playlists --mood-reader llm: answer time.")
    ] = 300.0,
    llm_fault_share: Annotated[
        float,
        typer.Option(metavar="F", help="playlists --mood-reader llm: share of faulty answers."),
    ] = 0.05,
) -> None:
    """Replay one seeded trace through every profile against simulators; report the figures."""
    out, err = Console(), Console(stderr=True)
    if not out.is_terminal:
        out = Console(width=WIDTH)
    if not err.is_terminal:
        err = Console(stderr=True, width=WIDTH)
    if workload not in WORKLOADS:
        raise typer.BadParameter(
            f"{workload} is not a workload; use {' or '.join(WORKLOADS)}", param_hint="--workload"
        )
    mode = pick_clock(clock, workload=workload, instances=instances is not None or redis_outage)
    if time_scale is None:
        time_scale = DEFAULT_TIME_SCALE
    if workload == "saturate":
        unused = {
            "--redis-outage": redis_outage,
            "--users": users is not None,
            "--duration": duration is not None,
            "--sweep-users": sweep_users is not None,
            "--workers": workers is not None,
            "--start-hour": start_hour is not None,
            "--scenario": scenario != "all",
            "--zipf": zipf != DEFAULT_ZIPF,
        }
        for name, given in unused.items():
            if given:
                raise typer.BadParameter(
                    "does not apply to --workload saturate (it takes --upstream-rate, "
                    "--upstream-burst, --hours, --demand-factor, --restart-after, "
                    "--rate-schedule, --instances, --jobs)",
                    param_hint=name,
                )
        saturate = saturate_config(
            profiles=parse_bench_profiles(
                ",".join(SATURATE_PROFILES) if profiles == ",".join(PROFILES) else profiles
            ),
            upstream_rate=upstream_rate,
            upstream_burst=upstream_burst,
            hours=hours,
            demand_factor=demand_factor,
            restart_after=restart_after,
            rate_schedule=rate_schedule,
            instances=instances,
            clock=mode,
            time_scale=time_scale,
            seed=seed,
            quick=quick,
        )
        saturate_run(out, err, saturate, jobs=jobs, json_path=json_path)
        return
    burst = parse_burst(upstream_burst)
    if workload == "service":
        service_run(
            out,
            err,
            # One service, one profile: the default list means the default profile.
            profiles=parse_profiles("adaptive" if profiles == ",".join(PROFILES) else profiles),
            upstream_rate=parse_upstream_rate(upstream_rate) if upstream_rate else None,
            upstream_burst=burst,
            users=users,
            duration=duration,
            time_scale=time_scale,
            seed=seed,
            quick=quick,
            json_path=json_path,
        )
        return
    if workload == "playlists":
        structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
        playlists_run(
            out,
            err,
            profiles=parse_profiles(profiles),
            upstream_rate=parse_upstream_rate(upstream_rate) if upstream_rate else None,
            upstream_burst=burst,
            users=users,
            time_scale=time_scale,
            seed=seed,
            quick=quick,
            json_path=json_path,
            mood_reader=mood_reader,
            llm_latency_ms=llm_latency_ms,
            llm_fault_share=llm_fault_share,
        )
        return
    try:
        config = BenchConfig(
            profiles=parse_bench_profiles(profiles),
            scenarios=scenarios(
                scenario, parse_upstream_rate(upstream_rate) if upstream_rate else None
            ),
            upstream_burst=burst,
            users=DEFAULT_USERS if users is None else users,
            zipf=zipf,
            time_scale=time_scale if mode == "real" else DEFAULT_TIME_SCALE,
            seed=seed,
        )
        if mode == "virtual":
            config = config.virtual()
        if quick:
            config = config.quick()
        if hours is not None and duration is not None:
            raise ValueError("give --hours or --duration, not both")
        if hours is not None:
            config = replace(config, hours=hours)
        if duration is not None:
            config = config.with_wall_duration(duration)
        if start_hour is not None:
            config = replace(config, start_hour=start_hour)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None

    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.ERROR))
    if sweep_users is not None:
        if instances is not None or redis_outage:
            raise typer.BadParameter("a sweep runs in one process", param_hint="--sweep-users")
        try:
            loads = parse_users(sweep_users)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--sweep-users") from None
        sweep_run(out, err, config, loads, json_path, workers)
        return
    if instances is not None or redis_outage:
        instances_run(out, err, config, instances or 3, redis_outage, json_path)
        return
    names = ", ".join(s.name for s in config.scenarios)
    pace = "on virtual time" if mode == "virtual" else f"at x{config.time_scale:g}"
    err.print(
        f"bench: {', '.join(config.profiles)} on {names}; {config.hours:g} real hours of trace "
        f"({config.duration_s:,.0f} s of arrivals per scenario {pace}), {config.users} sessions "
        f"in flight at the peak, Zipf {config.zipf:g}, seed {config.seed}",
        highlight=False,
    )
    long_run = len(config.scenarios) * (config.duration_s + config.grace)
    if mode == "real" and long_run > LONG_RUN_S:
        err.print(
            f"note: replayed against the real clock this takes about {long_run / 3_600:.1f} "
            f"wall hours; shorten it with --hours or a larger --time-scale, or use virtual time",
            highlight=False,
        )
    run = asyncio.run(run_bench(config, on_progress=progress_printer(err), workers=workers))
    render(run, out)
    write_figures(err, json_path, json_bytes(run))
