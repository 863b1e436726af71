"""``moodmix mood``: what the analyser reads in a mood, feature by feature.

    $ moodmix mood "rainy Sunday, mellow acoustic, nothing sad"
    $ moodmix mood "170 bpm, no lyrics" --json

The table shows each feature's target, acceptable range and weight, then what was recognised
and the explanation; ``--json`` prints exactly ``MoodProfile.to_json()``.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from moodmix.engine.mood import analyse
from moodmix.engine.profile import FEATURES, MoodProfile

_UNITS = {"tempo": " BPM", "loudness": " dB"}


def mood(
    text: Annotated[str, typer.Argument(help="The mood, in your own words.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """How a mood reads: target, range and weight per audio feature, and why."""
    profile = analyse(text)
    if as_json:
        print(json.dumps(profile.to_json(), ensure_ascii=False, indent=2))
        return
    console = Console()
    console.print(_table(profile))
    for line in _recognised_lines(profile):
        console.print(line)
    console.print(escape(profile.explanation))


def _table(profile: MoodProfile) -> Table:
    title = escape(profile.text if len(profile.text) <= 60 else profile.text[:59] + "…")
    table = Table(title=f"mood: {title}", title_justify="left")
    table.add_column("feature")
    table.add_column("target", justify="right")
    table.add_column("range", justify="right")
    table.add_column("weight", justify="right")
    table.add_column("", no_wrap=True)
    for name in FEATURES:
        low, high = profile.ranges[name]
        unit = _UNITS.get(name, "")
        weight = profile.weights[name]
        table.add_row(
            name,
            f"{_number(name, profile.targets[name])}{unit}",
            f"{_number(name, low)} – {_number(name, high)}",
            f"{weight:.2f}",
            "█" * round(weight * 10),
        )
    return table


def _recognised_lines(profile: MoodProfile) -> list[str]:
    lines = []
    for key, value in profile.recognised.to_json().items():
        if value in (None, [], ()):
            continue
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        lines.append(f"[bold]{key}[/bold]: {escape(shown)}")
    if profile.unwanted_versions:
        lines.append(
            f"[bold]unwanted versions[/bold]: {escape(', '.join(profile.unwanted_versions))}"
        )
    return lines


def _number(name: str, value: float) -> str:
    return f"{value:.1f}" if name in _UNITS else f"{value:.2f}"
