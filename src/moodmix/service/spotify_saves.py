"""Saving a finished playlist to the listener's Spotify account, once, and resumably.

::

    saves = SpotifySaves(db, listeners, lease_s=30.0)
    save = await saves.start(row, who)          # a SpotifySaveRow: running, or done already
    save = await saves.wait(row.id, who.account, within=60.0)
    save.spotify_url, save.tracks_added
    saves.start_sweeping()                      # adopt saves whose instance stopped

One Spotify playlist per moodmix playlist and listener: its id is stored the moment Spotify
makes it, so saving again (or after a failure) reuses it. The steps are
``spotify.saving.PlaylistSaver``'s: found by the marker in its description before one is
made, its tracks filled in order without sending an add twice (no track twice, none lost),
then the cover (``engine.cover``); this module keeps the record. Each call goes through the
app's lane (``spotify.Spotify``: the shared 30-second window, Retry-After for every process,
retries of what is safe to repeat) and is tried once more with a refreshed token after a
401.

A save is a job any instance can finish: while it runs, its instance touches the row every
third of ``lease_s``; a save still ``running`` whose row has not been touched for ``lease_s``
lost its instance, and the next sweep (every third of the lease, on every instance) claims
it, compare-and-set on that time, and resumes it with the listener's newest session. A save
running elsewhere is not started again here; ``wait`` follows it through the table.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, Final, TypeVar

import structlog
from sqlalchemy import select, update

from moodmix.engine.cover import playlist_cover
from moodmix.resilience.slot import Priority
from moodmix.service.db import Database
from moodmix.service.listeners import Listeners, SignedIn, SignInFailed
from moodmix.service.models import PlaylistRow, SpotifySaveRow, utcnow
from moodmix.spotify import SpotifyError, Unauthorized
from moodmix.spotify.saving import PlaylistSaver, marker_of

POLL_S: Final = 0.2
"""How often ``wait`` reads a save another instance is making."""
RUNNING: Final = "running"
DONE: Final = "done"
FAILED: Final = "failed"

T = TypeVar("T")
log = structlog.get_logger(__name__)


class SpotifySaves:
    """The ``spotify_saves`` table and the saves running in this instance."""

    def __init__(self, db: Database, listeners: Listeners, *, lease_s: float = 30.0) -> None:
        self._db = db
        self._listeners = listeners
        self._lease_s = lease_s
        self._running: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._sweeping: asyncio.Task[None] | None = None

    async def get(self, playlist_id: str, account: str) -> SpotifySaveRow | None:
        async with self._db.session() as session:
            return await session.get(SpotifySaveRow, (playlist_id, account))

    async def start(self, playlist: PlaylistRow, who: SignedIn) -> SpotifySaveRow:
        """Save ``playlist`` (finished, ``who``'s) unless it is saved, or being saved here or
        by an instance that is still alive."""
        key = (playlist.id, who.account)
        now = utcnow()
        async with self._db.session() as session, session.begin():
            save = await session.get(SpotifySaveRow, key)
            if save is not None and (
                save.status == DONE or key in self._running or self._alive_elsewhere(save)
            ):
                return save
            if save is None:
                save = SpotifySaveRow(playlist_id=playlist.id, account=who.account, created_at=now)
                session.add(save)
            save.status, save.error, save.updated_at = RUNNING, None, now
            save.tracks_total = len(_uris(playlist))
        self._run(playlist, who)
        return save

    async def wait(self, playlist_id: str, account: str, within: float) -> SpotifySaveRow | None:
        """The save once it has ended (or after ``within`` seconds, as it stands), here or on
        the instance making it."""
        task = self._running.get((playlist_id, account))
        if task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(task), within)
            return await self.get(playlist_id, account)
        deadline = asyncio.get_running_loop().time() + within
        while True:
            save = await self.get(playlist_id, account)
            if save is None or save.status != RUNNING:
                return save
            if asyncio.get_running_loop().time() >= deadline:
                return save
            await asyncio.sleep(POLL_S)

    def start_sweeping(self) -> None:
        """Adopt saves whose instance stopped, now and every third of the lease."""
        if self._sweeping is None:
            self._sweeping = asyncio.get_running_loop().create_task(self._sweep_forever())

    async def sweep(self) -> int:
        """Claim and resume the saves whose instance stopped touching them; how many."""
        cutoff = utcnow() - timedelta(seconds=self._lease_s)
        async with self._db.session() as session:
            found = await session.execute(
                select(SpotifySaveRow).where(
                    SpotifySaveRow.status == RUNNING, SpotifySaveRow.updated_at < cutoff
                )
            )
            stale = list(found.scalars())
        adopted = 0
        for save in stale:
            if (save.playlist_id, save.account) in self._running:
                continue
            if not await self._claim(save):
                continue
            adopted += 1
            await self._resume(save)
        return adopted

    async def aclose(self) -> None:
        tasks = list(self._running.values())
        if self._sweeping is not None:
            tasks.append(self._sweeping)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _alive_elsewhere(self, save: SpotifySaveRow) -> bool:
        cutoff = utcnow() - timedelta(seconds=self._lease_s)
        return save.status == RUNNING and save.updated_at >= cutoff

    def _run(self, playlist: PlaylistRow, who: SignedIn) -> None:
        key = (playlist.id, who.account)
        task = asyncio.get_running_loop().create_task(self._save(playlist, who))
        self._running[key] = task
        task.add_done_callback(lambda _: self._running.pop(key, None))

    async def _claim(self, save: SpotifySaveRow) -> bool:
        """Take over ``save`` unless another instance touched or claimed it meanwhile."""
        async with self._db.session() as session, session.begin():
            claimed = await session.execute(
                update(SpotifySaveRow)
                .where(
                    SpotifySaveRow.playlist_id == save.playlist_id,
                    SpotifySaveRow.account == save.account,
                    SpotifySaveRow.status == RUNNING,
                    SpotifySaveRow.updated_at == save.updated_at,
                )
                .values(updated_at=utcnow())
            )
        return bool(getattr(claimed, "rowcount", 0))

    async def _resume(self, save: SpotifySaveRow) -> None:
        async with self._db.session() as session:
            playlist = await session.get(PlaylistRow, save.playlist_id)
        who = await self._listeners.newest_session(save.account)
        if playlist is None or who is None:
            why = "the listener is signed out: sign in and save again"
            await self._update(save.playlist_id, save.account, status=FAILED, error=why)
            return
        log.info("spotify_save_adopted", playlist=save.playlist_id)
        self._run(playlist, who)

    async def _sweep_forever(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # a database hiccup: the next sweep tries again
                log.exception("spotify_save_sweep_failed")
            await asyncio.sleep(self._lease_s / 3)

    async def _save(self, playlist: PlaylistRow, who: SignedIn) -> None:
        beating = asyncio.get_running_loop().create_task(self._beat(playlist.id, who.account))
        try:
            await self._steps(playlist, who)
        except (SpotifyError, SignInFailed) as exc:
            log.warning("spotify_save_failed", playlist=playlist.id, error=exc.message)
            await self._update(playlist.id, who.account, status=FAILED, error=exc.message)
        except Exception as exc:  # never leave a save 'running' for ever
            log.exception("spotify_save_crashed", playlist=playlist.id)
            await self._update(playlist.id, who.account, status=FAILED, error=type(exc).__name__)
            raise
        finally:
            beating.cancel()

    async def _beat(self, playlist_id: str, account: str) -> None:
        """Touch the save's row while it runs, so no other instance adopts it."""
        while True:
            await asyncio.sleep(self._lease_s / 3)
            await self._update(playlist_id, account)

    async def _steps(self, playlist: PlaylistRow, who: SignedIn) -> None:
        saver = PlaylistSaver(
            self._listeners.spotify.client, functools.partial(self._call, who), user_id=who.id
        )
        save = await self.get(playlist.id, who.account)
        spotify_id = save.spotify_playlist_id if save is not None else None
        prompt = str(playlist.request.get("prompt", ""))
        result = playlist.result or {}
        if spotify_id is None:
            made = await saver.find_or_create(
                marker_of(playlist.id),
                str(result.get("name") or f"moodmix: {prompt}"),
                str(result.get("description") or f"Made by moodmix from the mood '{prompt[:200]}'"),
            )
            spotify_id = made.id
            await self._update(
                playlist.id,
                who.account,
                spotify_playlist_id=made.id,
                spotify_url=made.external_urls.spotify
                or f"https://open.spotify.com/playlist/{made.id}",
            )

        async def added(count: int) -> None:
            await self._update(playlist.id, who.account, tracks_added=count)

        held = await saver.fill(spotify_id, _uris(playlist), on_added=added)
        await self._update(playlist.id, who.account, tracks_added=held)
        cover = await asyncio.to_thread(playlist_cover, prompt, playlist.result)
        await saver.upload_cover(spotify_id, cover)
        await self._update(playlist.id, who.account, status=DONE)

    async def _call(self, who: SignedIn, call: Callable[[str], Awaitable[T]], retry: bool) -> T:
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
