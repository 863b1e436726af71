"""``moodmix save``: put a playlist the moodmix service made into your Spotify account.

    $ moodmix login                # once: sign in to Spotify; the tokens stay on this machine
    $ moodmix save k3J9xQ          # https://open.spotify.com/playlist/...  (30 tracks)
    $ moodmix save k3J9xQ --url http://moodmix.example --api-key ...

The playlist is read from the service (``--url``, ``--api-key``, as for ``moodmix refine``)
and saved with the sign-in of ``moodmix login`` the way the service saves one
(``spotify.saving``): the playlist carrying its marker is found before one is made, its
tracks go in order, none twice, and it gets the mood's cover. Saving again brings that same
Spotify playlist up to date with the playlist's current version.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from moodmix.cli.login import KeptToken, load_token
from moodmix.cli.revise import DEFAULT_URL, ApiKey, PlaylistArg, Url, fail, service_call
from moodmix.cli.revise import service_client as moodmix_client
from moodmix.coordination import MemoryWindow
from moodmix.engine.cover import playlist_cover
from moodmix.resilience.windowgate import WindowGate
from moodmix.settings import Settings
from moodmix.spotify import (
    SpotifyClient,
    SpotifyError,
    Token,
    Unauthorized,
)
from moodmix.spotify.gateway import Spotify
from moodmix.spotify.saving import PlaylistSaver, marker_of

T = TypeVar("T")
WINDOW_S = 31.0
"""Spotify's rolling window (30 s) and a second's margin, as the service counts it."""


def save(id: PlaylistArg, url: Url = DEFAULT_URL, api_key: ApiKey = None) -> None:
    """Save a playlist of the moodmix service to your Spotify account (moodmix login first)."""
    console = Console(stderr=True)
    settings = Settings()
    if not settings.spotify_client_id:
        fail("set MOODMIX_SPOTIFY_CLIENT_ID to your Spotify app's client id", 2)
    kept = load_token()
    if kept is None:
        fail("nobody is signed in to Spotify here: run moodmix login", 1)
    with moodmix_client(url, api_key) as http:
        found = service_call(http, url, "GET", f"/v1/playlists/{id}")
    playlist = found.get("playlist")
    if found.get("status") != "done" or not isinstance(playlist, dict):
        fail(f"playlist {id} is {found.get('status')}: only a finished one can be saved", 1)
    uris = [f"spotify:track:{t['spotify_id']}" for t in playlist["tracks"] if t.get("spotify_id")]
    if not uris:
        fail(f"playlist {id} has no track Spotify knows", 1)
    console.print(f"saving {len(uris)} tracks to Spotify ...")
    try:
        link, held = asyncio.run(_save(settings, kept, id, found, uris))
    except (SpotifyError, ValueError) as exc:
        console.print(f"[red]Spotify:[/red] {escape(str(exc))}")
        raise typer.Exit(1) from None
    console.print(f"{held} tracks in your Spotify playlist")
    print(link)


async def _save(
    settings: Settings,
    kept: tuple[Token, float],
    id: str,
    found: dict[str, Any],
    uris: list[str],
) -> tuple[str, int]:
    token = KeptToken(settings, *kept)
    gate = WindowGate(
        MemoryWindow(),
        f"spotify:{settings.spotify_client_id}",
        limit=settings.spotify_window_limit,
        seconds=WINDOW_S,
    )
    client = SpotifyClient(settings.spotify_api_url, mode=settings.spotify_mode)
    async with Spotify(client, gate) as spotify:

        async def call(request: Callable[[str], Awaitable[T]], retry: bool) -> T:
            access = await token.access()
            try:
                return await spotify.call(lambda _: request(access), retry_unavailable=retry)
            except Unauthorized:
                access = await token.access(refresh=True)
                return await spotify.call(lambda _: request(access), retry_unavailable=retry)

        me = await call(client.get_me, True)
        saver = PlaylistSaver(client, call, user_id=me.id)
        result: dict[str, Any] = found["playlist"]
        prompt = str(
            found.get("request", {}).get("prompt") or result.get("profile", {}).get("text")
        )
        made = await saver.find_or_create(
            marker_of(id),
            str(result.get("name") or f"moodmix: {prompt}"),
            str(result.get("description") or f"Made by moodmix from the mood '{prompt[:200]}'"),
        )
        held = await saver.fill(made.id, uris)
        await saver.upload_cover(made.id, await asyncio.to_thread(playlist_cover, prompt, result))
    return made.external_urls.spotify or f"https://open.spotify.com/playlist/{made.id}", held
