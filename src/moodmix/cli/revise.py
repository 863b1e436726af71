"""``moodmix refine``, ``undo``, ``redo``, ``replace``, ``remove``, ``pin``, ``move``,
``extend``, ``versions``: change a playlist the moodmix service made, by its id.

    $ moodmix serve --offline &                  # or any running moodmix service
    $ moodmix refine k3J9xQ "more upbeat, less vocals"
    $ moodmix refine k3J9xQ "slower" --exclude-artist "Norah Jones"
    $ moodmix replace k3J9xQ 1f0c2a3e-...        # a track id, as the playlist shows it
    $ moodmix remove k3J9xQ 1f0c2a3e-...
    $ moodmix pin k3J9xQ 1f0c2a3e-... ; moodmix pin k3J9xQ 1f0c2a3e-... --off
    $ moodmix move k3J9xQ 1f0c2a3e-... 1     # to the top
    $ moodmix extend k3J9xQ 10
    $ moodmix undo k3J9xQ ; moodmix redo k3J9xQ
    $ moodmix versions k3J9xQ

Playlist ids are the service's, so these talk to it over HTTP: ``--url`` (``MOODMIX_URL``,
default ``http://127.0.0.1:8000``) and, where it asks for one, ``--api-key``
(``MOODMIX_API_KEY``). Each prints the playlist at its new version as ``moodmix playlist``
does (``--json``: the service's JSON), then the change that made it.
"""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Final, NoReturn

import httpx
import typer
from rich.console import Console
from rich.table import Table

from moodmix.cli.playlist import print_playlist
from moodmix.engine.stored import playlist_from_json

DEFAULT_URL: Final = "http://127.0.0.1:8000"
FOLLOW_LIMIT_S: Final = 600.0
"""How long a refine or extend is followed once the service answered 202."""
POLL_S: Final = 0.5

PlaylistArg = Annotated[str, typer.Argument(help="The playlist's id, as the service gave it.")]
TrackArg = Annotated[str, typer.Argument(help="A track's id, as the playlist shows it.")]
Url = Annotated[
    str, typer.Option("--url", envvar="MOODMIX_URL", help="Where the moodmix service is.")
]
ApiKey = Annotated[
    str | None,
    typer.Option("--api-key", envvar="MOODMIX_API_KEY", help="Your key, if the service asks."),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the service's JSON.")]


def refine(
    id: PlaylistArg,
    text: Annotated[str, typer.Argument(help="The change, in words: 'more upbeat'.")],
    exclude_artist: Annotated[
        list[str] | None,
        typer.Option("--exclude-artist", help="Leave out this artist from now on (repeatable)."),
    ] = None,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Change a playlist in words ("more upbeat, less vocals", "slower", "like track 3")."""
    body: dict[str, Any] = {"text": text}
    if exclude_artist:
        body["exclude_artists"] = list(exclude_artist)
    _change(url, api_key, as_json, "POST", f"/v1/playlists/{id}/refine", body)


def extend(
    id: PlaylistArg,
    count: Annotated[int, typer.Argument(min=1, max=99, help="How many tracks to add.")],
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Add COUNT more tracks like these."""
    _change(url, api_key, as_json, "POST", f"/v1/playlists/{id}/extend", {"count": count})


def replace(
    id: PlaylistArg,
    track: TrackArg,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Replace a track by the best fitting unused candidate."""
    _change(url, api_key, as_json, "POST", f"/v1/playlists/{id}/tracks/{track}/replace")


def remove(
    id: PlaylistArg,
    track: TrackArg,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Remove a track."""
    _change(url, api_key, as_json, "DELETE", f"/v1/playlists/{id}/tracks/{track}")


def pin(
    id: PlaylistArg,
    track: TrackArg,
    off: Annotated[bool, typer.Option("--off", help="Unpin it instead.")] = False,
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Pin a track where it is (refines keep it), or with --off unpin it."""
    _change(
        url, api_key, as_json, "DELETE" if off else "POST", f"/v1/playlists/{id}/tracks/{track}/pin"
    )


def move(
    id: PlaylistArg,
    track: TrackArg,
    to: Annotated[int, typer.Argument(min=1, help="Its new position, from 1.")],
    url: Url = DEFAULT_URL,
    api_key: ApiKey = None,
    as_json: AsJson = False,
) -> None:
    """Move a track to position TO (1 is the first)."""
    path = f"/v1/playlists/{id}/tracks/{track}/move"
    _change(url, api_key, as_json, "POST", path, {"to": to - 1})


def undo(
    id: PlaylistArg, url: Url = DEFAULT_URL, api_key: ApiKey = None, as_json: AsJson = False
) -> None:
    """Go back to the version this one was made from."""
    _change(url, api_key, as_json, "POST", f"/v1/playlists/{id}/undo")


def redo(
    id: PlaylistArg, url: Url = DEFAULT_URL, api_key: ApiKey = None, as_json: AsJson = False
) -> None:
    """Go forward to the newest version made from this one."""
    _change(url, api_key, as_json, "POST", f"/v1/playlists/{id}/redo")


def versions(
    id: PlaylistArg, url: Url = DEFAULT_URL, api_key: ApiKey = None, as_json: AsJson = False
) -> None:
    """Every version of a playlist, and the change that made each."""
    with service_client(url, api_key) as http:
        body = service_call(http, url, "GET", f"/v1/playlists/{id}/versions")
    if as_json:
        print(json.dumps(body, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"versions of {id}", title_justify="left")
    for name in ("#", "from", "tracks", "change", "made"):
        table.add_column(name, justify="right" if name in ("#", "from", "tracks") else "left")
    for item in body["items"]:
        mark = "▶ " if item["current"] else ""
        parent = "" if item["parent"] is None else str(item["parent"])
        number = f"{mark}{item['number']}"
        table.add_row(number, parent, str(item["tracks"]), item["change"], item["created_at"])
    Console().print(table)


def _change(
    url: str,
    api_key: str | None,
    as_json: bool,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
) -> None:
    with service_client(url, api_key) as http:
        waits = path.endswith(("/refine", "/extend"))
        params = {"wait": "true"} if waits else None
        found = service_call(http, url, method, path, body, params=params)
        found = _follow(http, url, found)
        listed = service_call(http, url, "GET", f"/v1/playlists/{found['id']}/versions")
    if as_json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return
    print_playlist(Console(), playlist_from_json(found["playlist"]))
    change = next((v["change"] for v in listed["items"] if v["current"]), "")
    Console().print(f"[bold]Version {found['version']}[/bold]: {change}")


def _follow(http: httpx.Client, url: str, body: dict[str, Any]) -> dict[str, Any]:
    """The playlist once a change still in progress (202) is done."""
    deadline = time.monotonic() + FOLLOW_LIMIT_S
    while body.get("status") in ("queued", "running"):
        if time.monotonic() > deadline:
            fail(f"the change is still being made; see {url}/v1/playlists/{body['id']}", 1)
        time.sleep(POLL_S)
        body = service_call(http, url, "GET", f"/v1/playlists/{body['id']}")
    error = body.get("error") or {}
    if error.get("change"):
        fail(str(error.get("message") or "the change could not be made"), 1)
    return body


def service_client(url: str, api_key: str | None) -> httpx.Client:
    """An HTTP client for the moodmix service at ``url`` (with ``api_key`` when given)."""
    headers = {"X-API-Key": api_key} if api_key else {}
    return httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=FOLLOW_LIMIT_S)


def service_call(
    http: httpx.Client,
    url: str,
    method: str,
    path: str,
    body: dict[str, Any] | None = None,
    *,
    params: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The service's JSON answer; a clear message and exit code 1 when it cannot be had."""
    try:
        answer = http.request(method, path, json=body, params=params)
    except httpx.ConnectError:
        fail(f"cannot reach moodmix at {url} (start it with `moodmix serve --offline`)", 1)
    except httpx.HTTPError as exc:
        fail(f"moodmix at {url}: {type(exc).__name__}: {exc}", 1)
    try:
        data = answer.json()
    except ValueError:
        fail(f"moodmix at {url} answered {answer.status_code} without JSON", 1)
    if answer.status_code >= 400:
        message = data.get("message") if isinstance(data, dict) else None
        fail(f"{message or 'refused'} (HTTP {answer.status_code})", 1)
    if not isinstance(data, dict):
        fail(f"moodmix at {url} answered with unexpected JSON", 1)
    return data


def fail(message: str, code: int) -> NoReturn:
    """Say ``message`` on stderr and exit with ``code``."""
    Console(stderr=True).print(f"[red]error:[/red] {message}", soft_wrap=True)
    raise typer.Exit(code)
