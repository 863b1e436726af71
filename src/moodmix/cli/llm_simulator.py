"""``moodmix llm-simulator``: serve the language-model stand-in in the foreground.

Registered on the CLI's Typer app by the CLI module::

    app.command("llm-simulator")(llm_simulator)

    $ moodmix llm-simulator --port 8767
    $ moodmix llm-simulator --fault slow --slow-s 10      # every answer late
    $ MOODMIX_LLM_URL=http://127.0.0.1:8767/v1 MOODMIX_LLM_MODEL=standin moodmix playlist "..."

One request at a time can ask for a fault with a marker in its mood text, e.g.
"rainy sunday [fault:429]"; ``PATCH /_admin/config`` changes the fault for every request.
A bad value prints one line saying which option and what is allowed, and exits with code 2.
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from moodmix.cli.serving import serve_until_stopped
from moodmix.simulator.llm import FAULTS, LlmConfig, LlmServer, serve_llm_forever


def llm_simulator(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port; 0 picks a free one.")] = 8767,
    fault: Annotated[
        str,
        typer.Option(
            help="Fault for every request: " + ", ".join(FAULTS) + " (one request can ask for "
            "one with [fault:NAME] in its mood text)."
        ),
    ] = "none",
    fault_share: Annotated[
        float,
        typer.Option(help="Share of requests given a random fault (malformed, 429, slow, 500)."),
    ] = 0.0,
    seed: Annotated[int, typer.Option(help="Seeds the random faults.")] = 0,
    latency_ms: Annotated[float, typer.Option(help="Added to every answer, in ms.")] = 0.0,
    slow_s: Annotated[float, typer.Option(help="How late a slow answer is, in s.")] = 10.0,
    retry_after_s: Annotated[float, typer.Option(help="The Retry-After of a 429, in s.")] = 30.0,
    api_key: Annotated[
        str | None,
        typer.Option(help="Require this Bearer key (else any request is answered).", hidden=True),
    ] = None,
) -> None:
    """Serve an OpenAI-compatible Chat Completions stand-in that reads moods from a table."""
    out, err = Console(), Console(stderr=True)
    try:
        config = LlmConfig(
            fault=fault,  # type: ignore[arg-type]  # checked by LlmConfig
            fault_share=fault_share,
            seed=seed,
            latency_ms=latency_ms,
            slow_s=slow_s,
            retry_after_s=retry_after_s,
            api_key=api_key,
        )
    except ValueError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None

    def ready(server: LlmServer) -> None:
        out.print(f"language-model stand-in on [bold]{server.url}[/bold] (API under /v1)")
        out.print(f"  fault: {fault}; admin: {server.url}/_admin/stats", highlight=False)
        out.print(
            f"  point moodmix at it: MOODMIX_LLM_URL={server.url}/v1 MOODMIX_LLM_MODEL=standin",
            highlight=False,
        )
        out.print("  Ctrl-C to stop")

    serve_until_stopped(
        lambda: serve_llm_forever(config, host=host, port=port, on_ready=ready),
        "stand-in",
        host,
        port,
    )
