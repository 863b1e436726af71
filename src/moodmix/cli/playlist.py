"""``moodmix playlist``: a playlist for a mood, with progress while it is made.

    $ moodmix playlist "rainy Sunday, mellow acoustic, nothing sad" --offline
    $ moodmix playlist "late night drive" --seed spotify:track:00aqkszH1FdUiJJWvX6iEl --size 20
    $ moodmix playlist "focus" --duration 1h30m --order smooth --json
    $ moodmix playlist "rainy Sunday" --offline --export rainy.xspf   # .m3u8 .jspf .csv .txt
    $ moodmix playlist "90s rock" --exclude-artist Nickelback --exclude-artist "Creed" \
        --no-explicit --max-track-length 6m --years 1990-2005

``--offline`` runs the ReccoBeats simulator in this process and keeps the cache in memory.
Progress (stages, and waits for quota with the expected time) goes to stderr; the table or
the JSON to stdout.
"""

from __future__ import annotations

import asyncio
import enum
import json
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape
from rich.status import Status
from rich.table import Table
from rich.text import Text

from moodmix.cli.offline import offline_simulator, upstream_problem
from moodmix.engine.duration import format_duration, parse_duration
from moodmix.engine.exclusions import NothingLeft
from moodmix.engine.export import export, format_for
from moodmix.engine.model_reader import open_reader
from moodmix.engine.pipeline import make_playlist
from moodmix.engine.playlist import Playlist, PlaylistRequest
from moodmix.engine.progress import Progress
from moodmix.engine.readers import ReaderReport
from moodmix.engine.seeds import NoSeedsFound, SeedError, parse_seeds
from moodmix.reccobeats.errors import ReccoBeatsError
from moodmix.reccobeats.gateway import ReccoBeats
from moodmix.settings import Settings, settings_error

_COLUMNS = ("energy", "valence", "danceability", "acousticness", "tempo")
_HEADERS = {
    "energy": "energy",
    "valence": "val.",
    "danceability": "dance",
    "acousticness": "acou.",
    "tempo": "BPM",
}


class OrderChoice(enum.StrEnum):
    arc = "arc"
    smooth = "smooth"
    score = "score"


def playlist(
    prompt: Annotated[str, typer.Argument(help="The mood, in your own words.")],
    seed: Annotated[
        list[str] | None,
        typer.Option(
            "--seed",
            help="A seed track (repeatable): Spotify id, spotify: URI, link or ReccoBeats id.",
        ),
    ] = None,
    size: Annotated[int, typer.Option(min=1, max=100, help="How many tracks.")] = 30,
    duration: Annotated[
        str | None,
        typer.Option(help="Fill to a length instead of a size: 60m, 1h30m, 45:00."),
    ] = None,
    order: Annotated[
        OrderChoice, typer.Option(help="arc (energy arc), smooth (tempo/key steps) or score.")
    ] = OrderChoice.arc,
    offline: Annotated[
        bool, typer.Option(help="Use the embedded ReccoBeats simulator instead of the real API.")
    ] = False,
    exclude_artist: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude-artist", help="Leave out this artist (repeatable): a name or an id."
        ),
    ] = None,
    exclude_track: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude-track", help="Leave out this track (repeatable): an id, link or title."
        ),
    ] = None,
    no_explicit: Annotated[
        bool,
        typer.Option(
            "--no-explicit", help="Leave out tracks marked explicit (where the data says)."
        ),
    ] = False,
    max_track_length: Annotated[
        str | None,
        typer.Option(help="Leave out tracks longer than this: 6m, 5m30s, 5:30."),
    ] = None,
    years: Annotated[
        str | None,
        typer.Option(help="Only tracks released in these years (where known): 1990-2005."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    export_to: Annotated[
        Path | None,
        typer.Option(
            "--export",
            help="Also write the playlist to this file; the extension picks the format: "
            ".m3u8, .xspf, .jspf, .csv, or .txt (Spotify URIs).",
        ),
    ] = None,
) -> None:
    """A playlist for a mood: seeds, recommendations, scoring, each track with its reason."""
    console = Console(stderr=True)
    try:
        request = PlaylistRequest(
            prompt,
            seeds=tuple(seed or ()),
            size=size,
            duration_s=parse_duration(duration) if duration else None,
            order=order.value,
            exclude_artists=tuple(exclude_artist or ()),
            exclude_tracks=tuple(exclude_track or ()),
            explicit=not no_explicit,
            max_track_s=_longest(max_track_length) if max_track_length else None,
            years=parse_years(years) if years else None,
        )
        parse_seeds(request.seeds)
        fmt = format_for(str(export_to)) if export_to is not None else None
    except ValueError as exc:
        _fail(console, "error", str(exc), 2)
    with offline_simulator(offline, console) as sim:
        try:
            settings = (
                Settings(reccobeats_url=sim.url, cache_backend="memory") if sim else Settings()
            )
        except ValidationError as exc:
            _fail(console, "error in MOODMIX_* settings", settings_error(exc), 2)
        try:
            result = asyncio.run(_run(settings, request, console))
        except SeedError as exc:
            _fail(console, "seed", str(exc), 2)
        except NoSeedsFound as exc:
            _fail(console, "no seeds", str(exc), 1)
        except NothingLeft as exc:
            _fail(console, "nothing left", str(exc), 1)
        except ReccoBeatsError as exc:
            _fail(console, "ReccoBeats", upstream_problem(settings.reccobeats_url, exc), 1)
    if export_to is not None and fmt is not None:
        try:
            export_to.write_bytes(export(result.to_json(), fmt, title=prompt))
        except OSError as exc:
            _fail(console, "export", f"cannot write {export_to}: {exc.strerror or exc}", 1)
        console.print(f"wrote {export_to} ({fmt}, {len(result.tracks)} tracks)")
    if as_json:
        print(json.dumps(result.to_json(), indent=2, ensure_ascii=False))
        return
    print_playlist(Console(), result)


def _longest(text: str) -> float:
    try:
        return parse_duration(text)
    except ValueError as exc:
        raise ValueError(f"--max-track-length: {exc}") from None


def parse_years(text: str) -> tuple[int, int]:
    """``"1990-2005"`` -> ``(1990, 2005)``; one year (``"1997"``) is that year alone."""
    first, sep, last = text.strip().partition("-")
    try:
        start = int(first)
        end = int(last) if sep else start
    except ValueError:
        raise ValueError(f"--years must look like 1990-2005, got {text!r}") from None
    return start, end


async def _run(settings: Settings, request: PlaylistRequest, console: Console) -> Playlist:
    with console.status("Starting…") as status:
        shown = _ProgressView(console, status)
        async with ReccoBeats.from_settings(settings) as gateway:
            reader = open_reader(settings, gateway)
            try:
                return await make_playlist(gateway, request, reader=reader, on_progress=shown)
            finally:
                await reader.aclose()


class _ProgressView:
    """Shows the current stage on the status line and a line per finished stage."""

    def __init__(self, console: Console, status: Status) -> None:
        self._console = console
        self._status = status
        self._last: Progress | None = None

    def __call__(self, event: Progress) -> None:
        if event.stage == "waiting":
            self._status.update(f"[yellow]{event.message}[/yellow]")
            return
        if event.stage == "failed":
            return  # the command says what went wrong
        last = self._last
        if last is not None and last.stage != event.stage:
            self._console.print(f"[green]✓[/green] {last.message}")
        if event.stage == "done":
            self._console.print(f"[green]✓[/green] {event.message}")
        else:
            self._status.update(event.message)
        self._last = event


def _reader_line(report: ReaderReport) -> str:
    if report.fell_back:
        return f"built-in (fell back: {report.note})"
    cost = (
        "from the cache"
        if report.cached
        else (
            f"{report.prompt_tokens + report.completion_tokens} tokens, cost {report.cost:.6g}, "
            f"{report.elapsed_s:.2f} s"
        )
    )
    return f"built-in + {report.model} ({cost})"


def print_playlist(console: Console, result: Playlist) -> None:
    """The playlist as a table with features and reasons, then its profile and figures."""
    profile = result.profile
    if result.name:
        console.print(f"[bold]{result.name}[/bold]")
    if result.description:
        console.print(result.description, style="italic")
    table = Table(title=f"moodmix: {profile.text}", title_justify="left", show_lines=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("track, artists and why", ratio=1, min_width=24)
    for name in _COLUMNS:
        table.add_column(_HEADERS[name], justify="right", no_wrap=True)
    table.add_column("fit", justify="right", no_wrap=True)
    for n, track in enumerate(result.tracks, 1):
        values = [
            f"{track.features[name]:.0f}" if name == "tempo" else f"{track.features[name]:.2f}"
            for name in _COLUMNS
        ]
        about = Text(track.title, style="bold")
        about.append(f"\n{', '.join(track.artists)}", style="cyan")
        about.append(f"\n{track.reason}", style="dim")
        table.add_row(str(n), about, *values, f"{track.score:.2f}")
    console.print(table)
    if profile.explanation:
        console.print(f"[bold]Mood:[/bold] {escape(profile.explanation)}")
    if result.reader is not None and result.reader.kind == "llm":
        console.print(f"[bold]Reader:[/bold] {escape(_reader_line(result.reader))}")
    seeds = "; ".join(f"{s.title} ({', '.join(s.artists)})" for s in result.seeds)
    console.print(f"[bold]Seeds:[/bold] {seeds}")
    for skipped in result.skipped_seeds:
        console.print(f"[yellow]Skipped seed[/yellow] {skipped.seed}: {skipped.why}")
    q = result.quality
    console.print(
        f"{len(result.tracks)} tracks, {format_duration(q.duration_ms / 1000)}; "
        f"mean distance to target {q.mean_distance:.3f}, artist diversity "
        f"{q.artist_diversity:.2f}, seed coverage {q.seed_coverage:.2f}; "
        f"{result.upstream_requests} upstream requests."
    )
    for note in result.notes:
        console.print(f"[yellow]Note:[/yellow] {note}")


def _fail(console: Console, what: str, message: str, code: int) -> NoReturn:
    console.print(f"[red]{what}:[/red] {message}")
    raise typer.Exit(code)
