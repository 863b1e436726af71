"""How each stand-in command (``simulator``, ``spotify-simulator``, ``llm-simulator``) runs
its server: until Ctrl-C, and a port it cannot listen on is a clear error, not a traceback::

    serve_until_stopped(lambda: serve_forever(config, catalog), "simulator", host, port)
"""

from __future__ import annotations

from collections.abc import Callable

import typer
from rich.console import Console
from rich.markup import escape


def serve_until_stopped(serve: Callable[[], None], name: str, host: str, port: int) -> None:
    """Run ``serve()``; Ctrl-C says ``<name> stopped``, a port in use exits 1 saying so."""
    try:
        serve()
    except KeyboardInterrupt:
        Console().print(f"{name} stopped")
    except OSError as exc:
        Console(stderr=True).print(
            f"[red]error:[/red] cannot listen on {escape(host)}:{port}: "
            f"{escape(exc.strerror or str(exc))}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(1) from None
