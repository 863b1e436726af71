"""``moodmix simulator``: serve the ReccoBeats stand-in in the foreground.

Registered on the CLI's Typer app by the CLI module::

    app.command("simulator")(simulator)

    $ moodmix simulator --rate 60/min --burst 5 --error-rate 0.02 --latency-ms 40
    $ moodmix simulator --rate-schedule "0:80/min,600:40/min,1200:150/min"
    $ MOODMIX_RECCOBEATS_URL=http://127.0.0.1:8765 moodmix playlist "rainy sunday"

A bad value prints one line saying which option and what is allowed, and exits with code 2.
"""

from __future__ import annotations

import time
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from moodmix.cli.serving import serve_until_stopped
from moodmix.simulator.config import (
    SimulatorConfig,
    describe_errors,
    format_rate_schedule,
    parse_rate,
    parse_rate_schedule,
)
from moodmix.simulator.server import SimulatorServer, build_catalog, serve_forever

_MAX_ARTISTS = 5_000


def simulator(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port; 0 picks a free one.")] = 8765,
    rate: Annotated[
        str, typer.Option(help="Per-client rate limit, COUNT/UNIT: 60/min, 2/s, 1000/hour.")
    ] = "100/min",
    rate_schedule: Annotated[
        str,
        typer.Option(
            help="Move the limit over time: OFFSET:RATE,... with OFFSET in seconds since the "
            "simulator started, e.g. 0:80/min,600:40/min,1200:150/min; --rate holds before "
            "the first step."
        ),
    ] = "",
    burst: Annotated[int, typer.Option(help="Requests a client may send at once.")] = 10,
    seed: Annotated[int, typer.Option(help="Seeds the catalog, latency and faults.")] = 0,
    tracks: Annotated[int, typer.Option(help="Catalog size in tracks.")] = 50_000,
    latency_ms: Annotated[
        float, typer.Option(help="Median added latency in ms (lognormal); 0 for none.")
    ] = 0,
    latency_p99_ms: Annotated[
        float | None, typer.Option(help="99th percentile latency in ms [default: 4 x median].")
    ] = None,
    error_rate: Annotated[float, typer.Option(help="Share of requests answered 500.")] = 0,
    timeout_rate: Annotated[
        float, typer.Option(help="Share of requests held 30 s, then answered 504.")
    ] = 0,
    malformed_rate: Annotated[
        float, typer.Option(help="Share of 200s with a truncated or mistyped body.")
    ] = 0,
    drop_rate: Annotated[
        float, typer.Option(help="Share of requests whose connection is closed unanswered.")
    ] = 0,
    throttle_rate: Annotated[
        float, typer.Option(help="Share of requests answered 429 with --throttle-retry-after-s.")
    ] = 0,
    throttle_retry_after_s: Annotated[
        float, typer.Option(help="The Retry-After of an injected 429, in s.")
    ] = 60,
    partial_rate: Annotated[
        float, typer.Option(help="Share of batch answers with some items left out.")
    ] = 0,
    extra_rate: Annotated[
        float, typer.Option(help="Share of batch answers with items nobody asked for.")
    ] = 0,
    penalty_after: Annotated[
        int,
        typer.Option(help="Block a client after this many requests inside a Retry-After; 0: off."),
    ] = 0,
    penalty_s: Annotated[float, typer.Option(help="How long a penalty block lasts, in s.")] = 60,
) -> None:
    """Serve a ReccoBeats-compatible API offline, with its rate limits and failure modes."""
    out, err = Console(), Console(stderr=True)
    try:
        try:
            schedule = parse_rate_schedule(rate_schedule)
        except ValueError as exc:
            raise ValueError(f"--rate-schedule: {exc}") from None
        config = SimulatorConfig(
            host=host,
            port=port,
            rate_per_min=parse_rate(rate),
            rate_schedule=schedule,
            burst=burst,
            seed=seed,
            tracks=tracks,
            artists=min(_MAX_ARTISTS, max(1, tracks // 10)),
            latency_ms=latency_ms,
            latency_p99_ms=latency_p99_ms,
            error_rate=error_rate,
            timeout_rate=timeout_rate,
            malformed_rate=malformed_rate,
            drop_rate=drop_rate,
            throttle_rate=throttle_rate,
            throttle_retry_after_s=throttle_retry_after_s,
            partial_rate=partial_rate,
            extra_rate=extra_rate,
            penalty_after=penalty_after,
            penalty_s=penalty_s,
        )
    except ValueError as exc:
        message = describe_errors(exc) if isinstance(exc, ValidationError) else str(exc)
        err.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None

    started = time.perf_counter()
    catalog = build_catalog(config)
    out.print(
        f"catalog: {catalog.n_tracks:,} tracks, {catalog.n_artists:,} artists, "
        f"{catalog.n_albums:,} albums (seed {config.seed}) built in "
        f"{time.perf_counter() - started:.2f} s"
    )

    def ready(server: SimulatorServer) -> None:
        out.print(f"ReccoBeats simulator on [bold]{server.url}[/bold] (API under /v1)")
        steps = format_rate_schedule(config.rate_schedule)
        limit = f"rate {rate} per client" + (f" then {steps} (s from now)" if steps else "")
        out.print(f"  {limit}, burst {burst}; admin: {server.url}/_admin/stats", highlight=False)
        out.print(f"  point moodmix at it: MOODMIX_RECCOBEATS_URL={server.url}", highlight=False)
        out.print("  Ctrl-C to stop")

    serve_until_stopped(
        lambda: serve_forever(config, catalog, on_ready=ready), "simulator", host, port
    )
