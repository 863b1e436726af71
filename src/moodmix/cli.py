"""The ``moodmix`` command line: one Typer app, each command in the module of its subject.

$ moodmix recommend --offline
$ moodmix simulator --rate 60/min --burst 5
"""

from __future__ import annotations

import typer

from moodmix.recommend_command import recommend
from moodmix.simulator.command import simulator

app = typer.Typer(
    help="Mood-based playlists on the ReccoBeats API, within its strict rate limits.",
    no_args_is_help=True,
    add_completion=False,
)
app.command("recommend")(recommend)
app.command("simulator")(simulator)


def main() -> None:
    app()
