"""Saving a finished playlist to the listener's Spotify account, once, and resumably.

::

    saves = SpotifySaves(db, listeners)
    save = await saves.start(row, who)          # a SpotifySaveRow: running, or done already
    save = await saves.wait(row.id, who.account, within=60.0)
    save.spotify_url, save.tracks_added

One Spotify playlist per moodmix playlist and listener: its id is stored the moment Spotify
makes it, so saving again (or after a failure) reuses it, and its description carries
``[moodmix <id>]``, so one made though Spotify's answer was lost is found, not made twice.
Tracks go in calls of at most 100. Adding is not idempotent, so before each add the
playlist's items decide what is sent: the missing tail when they are a prefix of the wanted
list, else a replacement; an add that failed is followed by reading what landed, never by
sending it again blindly (no track twice, none lost). Then the cover (``engine.cover``).
Each call goes through the app's lane (``spotify.Spotify``: the shared 30-second window,
Retry-After for every process, retries of what is safe to repeat) and is tried once more
with a refreshed token after a 401.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from typing import Any, Final, TypeVar

import structlog

from moodmix.engine.cover import playlist_cover
from moodmix.resilience.slot import Priority
from moodmix.service.db import Database
from moodmix.service.listeners import Listeners, SignedIn, SignInFailed
from moodmix.service.models import PlaylistRow, SpotifySaveRow, utcnow
from moodmix.spotify import (
    MAX_URIS_PER_CALL,
    Paging,
    Playlist,
    PlaylistItem,
    SpotifyClient,
    SpotifyError,
    SpotifyUnavailable,
    Unauthorized,
)

ADD_ATTEMPTS: Final = 5
"""Failed creates or adds one save survives (each followed by reading what landed)."""
RUNNING: Final = "running"
DONE: Final = "done"
FAILED: Final = "failed"

T = TypeVar("T")
log = structlog.get_logger(__name__)


class SpotifySaves:
    """The ``spotify_saves`` table and the saves running in this instance."""

    def __init__(self, db: Database, listeners: Listeners) -> None:
        self._db = db
        self._listeners = listeners
        self._running: dict[tuple[str, str], asyncio.Task[None]] = {}

    async def get(self, playlist_id: str, account: str) -> SpotifySaveRow | None:
        async with self._db.session() as session:
            return await session.get(SpotifySaveRow, (playlist_id, account))

    async def start(self, playlist: PlaylistRow, who: SignedIn) -> SpotifySaveRow:
        """Save ``playlist`` (finished, ``who``'s) unless it is saved or being saved here."""
        key = (playlist.id, who.account)
        now = utcnow()
        async with self._db.session() as session, session.begin():
            save = await session.get(SpotifySaveRow, key)
            if save is not None and (save.status == DONE or key in self._running):
                return save
            if save is None:
                save = SpotifySaveRow(playlist_id=playlist.id, account=who.account, created_at=now)
                session.add(save)
            save.status, save.error, save.updated_at = RUNNING, None, now
            save.tracks_total = len(_uris(playlist))
        task = asyncio.get_running_loop().create_task(self._save(playlist, who))
        self._running[key] = task
        task.add_done_callback(lambda _: self._running.pop(key, None))
        return save

    async def wait(self, playlist_id: str, account: str, within: float) -> SpotifySaveRow | None:
        """The save once it ends here (or after ``within`` seconds, as it stands)."""
        task = self._running.get((playlist_id, account))
        if task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), within)
        return await self.get(playlist_id, account)

    async def aclose(self) -> None:
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _save(self, playlist: PlaylistRow, who: SignedIn) -> None:
        try:
            await self._steps(playlist, who)
        except (SpotifyError, SignInFailed) as exc:
            log.warning("spotify_save_failed", playlist=playlist.id, error=exc.message)
            await self._update(playlist.id, who.account, status=FAILED, error=exc.message)
        except Exception as exc:  # never leave a save 'running' for ever
            log.exception("spotify_save_crashed", playlist=playlist.id)
            await self._update(playlist.id, who.account, status=FAILED, error=type(exc).__name__)
            raise

    async def _steps(self, playlist: PlaylistRow, who: SignedIn) -> None:
        spotify = self._listeners.spotify.client
        save = await self.get(playlist.id, who.account)
        spotify_id = save.spotify_playlist_id if save is not None else None
        prompt = str(playlist.request.get("prompt", ""))
        if spotify_id is None:
            made = await self._create(who, playlist.id, prompt, playlist.result or {})
            spotify_id = made.id
            await self._update(
                playlist.id,
                who.account,
                spotify_playlist_id=made.id,
                spotify_url=made.external_urls.spotify
                or f"https://open.spotify.com/playlist/{made.id}",
            )
        await self._fill(playlist.id, who, spotify_id, _uris(playlist))
        cover = await asyncio.to_thread(playlist_cover, prompt, playlist.result)
        await self._call(who, lambda token: spotify.upload_cover(token, spotify_id, cover))
        await self._update(playlist.id, who.account, status=DONE)

    async def _create(
        self, who: SignedIn, playlist_id: str, prompt: str, result: dict[str, Any]
    ) -> Playlist:
        """The Spotify playlist for ``playlist_id``: one made before (its answer lost, found
        by the marker in its description), else a new one. Creating is not repeated
        blindly: after a failure the listener's playlists are looked through again."""
        spotify = self._listeners.spotify.client
        marker = f"[moodmix {playlist_id}]"
        name = str(result.get("name") or f"moodmix: {prompt}")[:100]
        about = str(result.get("description") or f"Made by moodmix from the mood '{prompt[:200]}'")
        for attempt in range(1, ADD_ATTEMPTS + 1):
            made = await self._made(who, marker)
            if made is not None:
                return made
            try:
                return await self._call(
                    who,
                    lambda token: spotify.create_playlist(
                        token,
                        user_id=who.id,
                        name=name,
                        description=f"{about[:250]} {marker}",
                    ),
                    retry=False,
                )
            except SpotifyUnavailable:
                if attempt == ADD_ATTEMPTS:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    async def _made(self, who: SignedIn, marker: str) -> Playlist | None:
        """The listener's Spotify playlist whose description carries ``marker``: one this
        save made though Spotify's answer never came back."""
        spotify = self._listeners.spotify.client
        offset = 0
        while True:
            read = functools.partial(_mine, spotify, offset)
            page = await self._call(who, read)
            for found in page.items:
                if marker in (found.description or ""):
                    return found
            offset += len(page.items)
            if page.next is None or not page.items:
                return None

    async def _fill(
        self, playlist_id: str, who: SignedIn, spotify_id: str, wanted: list[str]
    ) -> None:
        """Make the Spotify playlist hold ``wanted``, in order, adding only what is missing.

        Adding is not idempotent: an add whose answer is lost may have landed. So a failed
        add is not sent again blindly; the playlist is read, and what it holds decides the
        next call (its tail added, or, if it is not a prefix of ``wanted``, replaced)."""
        spotify = self._listeners.spotify.client
        there = await self._items(who, spotify_id)
        failures = 0
        while there != wanted:
            if there != wanted[: len(there)]:
                first = wanted[:MAX_URIS_PER_CALL]
                await self._call(who, functools.partial(_replace, spotify, spotify_id, first))
                there = first
                continue
            chunk = wanted[len(there) : len(there) + MAX_URIS_PER_CALL]
            try:
                add = functools.partial(_add, spotify, spotify_id, chunk)
                await self._call(who, add, retry=False)
            except SpotifyUnavailable:
                failures += 1
                if failures >= ADD_ATTEMPTS:
                    raise
                there = await self._items(who, spotify_id)
                continue
            there = there + chunk
            await self._update(playlist_id, who.account, tracks_added=len(there))
        await self._update(playlist_id, who.account, tracks_added=len(there))

    async def _items(self, who: SignedIn, spotify_id: str) -> list[str]:
        uris: list[str] = []
        while True:
            read = functools.partial(_page, self._listeners.spotify.client, spotify_id, len(uris))
            page = await self._call(who, read)
            uris += [item.entry.uri for item in page.items if item.entry is not None]
            if page.next is None or not page.items:
                return uris

    async def _call(
        self, who: SignedIn, call: Callable[[str], Awaitable[T]], *, retry: bool = True
    ) -> T:
        """``call(token)`` in the app's Spotify lane at background priority (after sign-ins and
        listeners' pages; window, Retry-After, and with ``retry`` a 5xx tried again), once
        more with a refreshed token if Spotify says the token is no longer good."""
        spotify = self._listeners.spotify
        token = await self._listeners.access_token(who)
        try:
            return await spotify.call(
                lambda _: call(token), retry_unavailable=retry, priority=Priority.BACKGROUND
            )
        except Unauthorized:
            token = await self._listeners.access_token(who, refresh=True)
            return await spotify.call(
                lambda _: call(token), retry_unavailable=retry, priority=Priority.BACKGROUND
            )

    async def _update(self, playlist_id: str, account: str, **values: Any) -> None:
        async with self._db.session() as session, session.begin():
            save = await session.get(SpotifySaveRow, (playlist_id, account))
            if save is None:
                return
            for name, value in values.items():
                setattr(save, name, value)
            save.updated_at = utcnow()


def _uris(playlist: PlaylistRow) -> list[str]:
    tracks = (playlist.result or {}).get("tracks", [])
    return [f"spotify:track:{t['spotify_id']}" for t in tracks if t.get("spotify_id")]


async def _add(spotify: SpotifyClient, playlist_id: str, uris: list[str], token: str) -> str:
    return await spotify.add_items(token, playlist_id, uris)


async def _replace(spotify: SpotifyClient, playlist_id: str, uris: list[str], token: str) -> str:
    return await spotify.replace_items(token, playlist_id, uris)


async def _mine(spotify: SpotifyClient, offset: int, token: str) -> Paging[Playlist]:
    return await spotify.get_my_playlists(token, offset=offset)


async def _page(
    spotify: SpotifyClient, playlist_id: str, offset: int, token: str
) -> Paging[PlaylistItem]:
    return await spotify.get_items(token, playlist_id, offset=offset)
