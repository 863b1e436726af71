"""``moodmix recommend``: recommendations for seed tracks, through the gateway.

    $ moodmix recommend --offline                     # a sample seed, embedded simulator
    $ moodmix recommend 00aqkszH1FdUiJJWvX6iEl --energy 0.3 --size 15
    $ moodmix recommend spotify:track:00aqkszH1FdUiJJWvX6iEl --json

``--offline`` starts the simulator in this process and keeps the cache in memory, so nothing
it learns is mixed with what the real ReccoBeats taught the on-disk cache.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from moodmix.cli.offline import offline_simulator, upstream_problem
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.reccobeats.ids import parse_ids
from moodmix.reccobeats.models import AudioFeatures, Track
from moodmix.settings import Settings, settings_error

if TYPE_CHECKING:
    from moodmix.simulator import RunningSimulator

_FEATURES = ("energy", "valence", "danceability", "acousticness", "tempo")


def recommend(
    seeds: Annotated[
        list[str] | None,
        typer.Argument(help="Seed tracks: Spotify ids, spotify: URIs, links or ReccoBeats ids."),
    ] = None,
    offline: Annotated[
        bool, typer.Option(help="Use the embedded ReccoBeats simulator instead of the real API.")
    ] = False,
    size: Annotated[int, typer.Option(min=1, max=100, help="How many tracks.")] = 10,
    energy: Annotated[float | None, typer.Option(min=0, max=1, help="Target energy.")] = None,
    valence: Annotated[float | None, typer.Option(min=0, max=1, help="Target valence.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """Recommendations for up to five seed tracks, with their audio features."""
    console = Console(stderr=True)
    try:
        parse_ids(seeds or [], expect="track")
        if not seeds and not offline:
            raise ValueError("give at least one seed track, or --offline for a sample one")
        if seeds and len(seeds) > 5:
            raise ValueError(f"at most 5 seeds, got {len(seeds)}")
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    with offline_simulator(offline, console) as sim:
        try:
            settings = (
                Settings(reccobeats_url=sim.url, cache_backend="memory") if sim else Settings()
            )
        except ValidationError as exc:
            console.print(f"[red]error in MOODMIX_* settings:[/red] {settings_error(exc)}")
            raise typer.Exit(2) from None
        chosen = seeds or (_sample_seed(sim) if sim else [])
        try:
            tracks, features, cost = asyncio.run(_run(settings, chosen, size, energy, valence))
        except ReccoBeatsError as exc:
            problem = upstream_problem(settings.reccobeats_url, exc)
            console.print(f"[red]ReccoBeats:[/red] {escape(problem)}")
            raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(_as_json(chosen, tracks, features, cost), indent=2))
        return
    _print_table(Console(), chosen, tracks, features, cost)


async def _run(
    settings: Settings,
    seeds: list[str],
    size: int,
    energy: float | None,
    valence: float | None,
) -> tuple[list[Track], dict[str, AudioFeatures], int]:
    async with ReccoBeats.from_settings(settings) as rb:
        tracks = await rb.get_recommendations(seeds, size=size, energy=energy, valence=valence)
        features = await rb.get_audio_features([t.id for t in tracks]) if tracks else []
        return tracks, {f.id or "": f for f in features}, rb.stats().upstream_requests


def _sample_seed(sim: RunningSimulator) -> list[str]:
    """The simulator's most popular track, as a Spotify id."""
    catalog = sim.state.catalog
    return [catalog.track_spotify_ids()[catalog.popularity_rank()[0]]]


def _as_json(
    seeds: list[str], tracks: list[Track], features: dict[str, AudioFeatures], cost: int
) -> dict[str, Any]:
    return {
        "seeds": seeds,
        "upstream_requests": cost,
        "tracks": [
            {
                "id": t.id,
                "spotify_id": t.spotify_id,
                "title": t.track_title,
                "artists": [a.name for a in t.artists],
                "features": features[t.id].to_wire() if t.id in features else None,
            }
            for t in tracks
        ],
    }


def _print_table(
    console: Console,
    seeds: list[str],
    tracks: list[Track],
    features: dict[str, AudioFeatures],
    cost: int,
) -> None:
    table = Table(title=f"Recommendations for {', '.join(seeds)}")
    table.add_column("#", justify="right")
    table.add_column("title")
    table.add_column("artists")
    for name in _FEATURES:
        table.add_column(name, justify="right")
    for n, track in enumerate(tracks, 1):
        f = features.get(track.id)
        values = [f"{getattr(f, name):.2f}" if f else "-" for name in _FEATURES]
        if f:
            values[-1] = f"{f.tempo:.0f}"
        table.add_row(str(n), track.track_title, ", ".join(a.name for a in track.artists), *values)
    console.print(table)
    console.print(f"{len(tracks)} tracks, {cost} upstream requests.")
