"""The ``moodmix`` Typer app: every command registered, logging set up before any runs.

    $ moodmix recommend --offline
    $ moodmix simulator --rate 60/min --burst 5

``main`` is the console script (``moodmix = "moodmix.cli.app:main"`` in pyproject.toml).
"""

from __future__ import annotations

from typing import Annotated, Final

import typer
from pydantic import ValidationError

from moodmix.cli.bench import bench
from moodmix.cli.llm_simulator import llm_simulator
from moodmix.cli.login import login, me
from moodmix.cli.mood import mood
from moodmix.cli.playlist import playlist
from moodmix.cli.recommend import recommend
from moodmix.cli.revise import (
    extend,
    move,
    pin,
    redo,
    refine,
    remove,
    replace,
    undo,
    versions,
)
from moodmix.cli.save import save
from moodmix.cli.serve import serve
from moodmix.cli.simulator import simulator
from moodmix.cli.spotify_simulator import spotify_simulator
from moodmix.cli.worker import worker
from moodmix.logs import configure_logging
from moodmix.settings import Settings, settings_error

app = typer.Typer(
    help="Mood-based playlists on the ReccoBeats API, within its strict rate limits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold keys and tokens
)
app.command("playlist")(playlist)
app.command("mood")(mood)
app.command("recommend")(recommend)
app.command("serve")(serve)
app.command("worker")(worker)
app.command("bench")(bench)
app.command("simulator")(simulator)
app.command("spotify-simulator")(spotify_simulator)
app.command("llm-simulator")(llm_simulator)
app.command("login")(login)
app.command("me")(me)
app.command("save")(save)
app.command("refine")(refine)
app.command("undo")(undo)
app.command("redo")(redo)
app.command("replace")(replace)
app.command("remove")(remove)
app.command("pin")(pin)
app.command("move")(move)
app.command("extend")(extend)
app.command("versions")(versions)


QUIET_COMMANDS: Final = frozenset(
    {"playlist", "recommend", "mood", "login", "me", "save"}
    | {"refine", "undo", "redo", "replace", "remove", "pin", "move", "extend", "versions"}
)
"""Commands that show their own progress: their logs stay out of it (errors only) unless
``--verbose``, ``--debug`` or ``MOODMIX_LOG_LEVEL`` asks for more."""


@app.callback()
def _setup(
    ctx: typer.Context,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug",
            help="Log at debug, with local variables in tracebacks (secrets still redacted).",
        ),
    ] = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="Show the logs (info and above) on stderr beside the progress."
        ),
    ] = False,
) -> None:
    """Mood-based playlists on the ReccoBeats API, within its strict rate limits."""
    try:
        settings = Settings()
    except ValidationError as exc:
        typer.echo(f"error in MOODMIX_* settings:\n{settings_error(exc)}", err=True)
        raise typer.Exit(2) from None
    configure_logging(
        log_level(ctx.invoked_subcommand, settings, verbose=verbose, debug=debug),
        json=settings.log_json,
        debug=debug,
        secrets=settings.secrets(),
    )


def log_level(command: str | None, settings: Settings, *, verbose: bool, debug: bool) -> str:
    """How much ``command`` logs: debug with ``--debug``, info with ``--verbose``, errors only
    for a command that shows its own progress unless ``MOODMIX_LOG_LEVEL`` says otherwise."""
    if debug:
        return "debug"
    if verbose:
        return "info"
    if command in QUIET_COMMANDS and "log_level" not in settings.model_fields_set:
        return "error"
    return settings.log_level


def main() -> None:
    app()
