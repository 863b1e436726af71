"""Putting a playlist into a Spotify account once, resumably: the steps of a save, whoever
keeps its record (the service's table, or nothing at all for ``moodmix save``).

    saver = PlaylistSaver(client, call, user_id="listener-1")
    made = await saver.find_or_create("[moodmix k3J9x]", "Rainy Sunday", "Calm songs ...")
    await saver.fill(made.id, uris, on_added=print)     # the tracks, in order, none twice
    await saver.upload_cover(made.id, jpeg)

``call(request, retry)`` runs ``request(access_token)`` in the app's Spotify lane (the window,
Retry-After, a refreshed token after a 401); ``retry`` says whether a 5xx may be sent again.
A playlist is found by the marker in its description before one is made, so a playlist made
though Spotify's answer was lost is not made twice. Adding is not idempotent, so before each
add the playlist's items decide what is sent: the missing tail when they are a prefix of the
wanted list, else a replacement; an add that failed is followed by reading what landed,
never by sending it again blindly. Tracks go in calls of at most 100 (``MAX_URIS_PER_CALL``).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Final, Protocol, TypeVar

from moodmix.spotify.client import MAX_URIS_PER_CALL, SpotifyClient
from moodmix.spotify.errors import SpotifyUnavailable
from moodmix.spotify.models import Paging, Playlist, PlaylistItem

T = TypeVar("T")
ATTEMPTS: Final = 5
"""Failed creates or adds one save survives (each followed by reading what landed)."""


class TokenCall(Protocol):
    """Runs ``request(access_token)`` in the app's Spotify lane."""

    async def __call__(self, request: Callable[[str], Awaitable[T]], retry: bool) -> T: ...


def marker_of(playlist_id: str) -> str:
    """What a saved playlist's description carries so a later save finds it."""
    return f"[moodmix {playlist_id}]"


class PlaylistSaver:
    """The steps of one save into ``user_id``'s account, through ``call``."""

    def __init__(self, client: SpotifyClient, call: TokenCall, *, user_id: str) -> None:
        self._client = client
        self._call = call
        self._user_id = user_id

    async def find_or_create(self, marker: str, name: str, description: str) -> Playlist:
        """The playlist whose description carries ``marker`` (made before, its answer lost
        perhaps), else a new one named ``name``. Creating is not repeated blindly: after a
        failure the account's playlists are looked through again."""
        for attempt in range(1, ATTEMPTS + 1):
            made = await self.find(marker)
            if made is not None:
                return made
            create = functools.partial(
                self._client.create_playlist,
                user_id=self._user_id,
                name=name[:100],
                description=f"{description[:250]} {marker}",
            )
            try:
                return await self._call(create, False)
            except SpotifyUnavailable:
                if attempt == ATTEMPTS:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def find(self, marker: str) -> Playlist | None:
        """The account's playlist whose description carries ``marker``, if any."""
        offset = 0
        while True:
            read = functools.partial(_mine, self._client, offset)
            page = await self._call(read, True)
            for found in page.items:
                if marker in (found.description or ""):
                    return found
            offset += len(page.items)
            if page.next is None or not page.items:
                return None

    async def fill(
        self,
        spotify_id: str,
        wanted: Sequence[str],
        on_added: Callable[[int], Awaitable[None]] | None = None,
    ) -> int:
        """Make ``spotify_id`` hold ``wanted`` (track URIs), in order, adding only what is
        missing; ``on_added(count)`` hears how many it holds after each add. Returns that."""
        wanted = list(wanted)
        there = await self.items(spotify_id)
        failures = 0
        while there != wanted:
            if there != wanted[: len(there)]:
                first = wanted[:MAX_URIS_PER_CALL]
                await self._call(functools.partial(_replace, self._client, spotify_id, first), True)
                there = first
                continue
            chunk = wanted[len(there) : len(there) + MAX_URIS_PER_CALL]
            try:
                await self._call(functools.partial(_add, self._client, spotify_id, chunk), False)
            except SpotifyUnavailable:
                failures += 1
                if failures >= ATTEMPTS:
                    raise
                there = await self.items(spotify_id)
                continue
            there = there + chunk
            if on_added is not None:
                await on_added(len(there))
        return len(there)

    async def items(self, spotify_id: str) -> list[str]:
        """The track URIs ``spotify_id`` holds, in order."""
        uris: list[str] = []
        while True:
            read = functools.partial(_page, self._client, spotify_id, len(uris))
            page = await self._call(read, True)
            uris += [item.entry.uri for item in page.items if item.entry is not None]
            if page.next is None or not page.items:
                return uris

    async def upload_cover(self, spotify_id: str, jpeg: bytes) -> None:
        """``jpeg`` as the playlist's cover (under 256 KB once base64-encoded)."""
        await self._call(functools.partial(_cover, self._client, spotify_id, jpeg), True)


async def _add(client: SpotifyClient, playlist_id: str, uris: list[str], token: str) -> str:
    return await client.add_items(token, playlist_id, uris)


async def _replace(client: SpotifyClient, playlist_id: str, uris: list[str], token: str) -> str:
    return await client.replace_items(token, playlist_id, uris)


async def _mine(client: SpotifyClient, offset: int, token: str) -> Paging[Playlist]:
    return await client.get_my_playlists(token, offset=offset)


async def _page(
    client: SpotifyClient, playlist_id: str, offset: int, token: str
) -> Paging[PlaylistItem]:
    return await client.get_items(token, playlist_id, offset=offset)


async def _cover(client: SpotifyClient, playlist_id: str, jpeg: bytes, token: str) -> None:
    await client.upload_cover(token, playlist_id, jpeg)
