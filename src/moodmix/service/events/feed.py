"""Follow a job from any instance: the best source of its events, and waiting for its end.

::

    feed = JobFeed(broker, repo, remote=RedisEvents(url))   # remote=None: no Redis
    async for event in feed.follow("k3J9x"):      # state, progress..., done | failed
        ...
    row = await feed.wait("k3J9x", within=60)     # the finished row, or None
    async for event in until_set(feed.follow(id), stopping, id=id, message="stopping"):
        ...                                       # ends with ``interrupted`` once it is set

The sources, best first: this instance's ``EventBroker`` when the job runs here (every
event, at once); the job's Redis stream when ``remote`` is set (every event, from whichever
instance runs it); the database, read every ``poll_s`` (progress as often as the running
instance stores it). While following Redis, the database is read whenever Redis has been
quiet for a while, so a job whose instance cannot reach Redis is still seen to finish; when
Redis fails, the stream goes on from the database without a second ``state`` event.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from dataclasses import dataclass
from typing import Any, Final, Protocol

import anyio
import structlog

from moodmix.service.events.broker import TERMINAL, EventBroker, JobEvent
from moodmix.service.events.db import final_of, poll_store, state_of
from moodmix.service.events.redis import EventsUnavailable, RedisEvents
from moodmix.service.models import DONE, FAILED, PlaylistRow
from moodmix.service.repository import PlaylistRepository

log = structlog.get_logger("moodmix.service.events.feed")

Json = dict[str, Any]

FINAL: Final = (DONE, FAILED)


@dataclass
class _Seen:
    """What a follower was sent so far."""

    progress: Json | None
    state: bool = False
    final: bool = False


class Waitable(Protocol):
    """An event to wait for (``asyncio.Event``, ``anyio.Event``)."""

    async def wait(self) -> Any: ...


class JobFeed:
    """Where to read a job's events from, chosen per follower."""

    def __init__(
        self,
        broker: EventBroker,
        repo: PlaylistRepository,
        *,
        remote: RedisEvents | None = None,
        poll_s: float = 1.0,
    ) -> None:
        self.broker = broker
        self.repo = repo
        self.remote = remote
        self.poll_s = poll_s

    async def follow(self, id: str) -> AsyncGenerator[JobEvent, None]:
        """``state`` first, then the job's events until ``done``, ``failed`` or (this
        instance stopping) ``interrupted``; nothing if there is no such job."""
        subscription = self.broker.subscribe(id)
        if subscription is not None:
            try:
                yield subscription.snapshot
                async for event in subscription:
                    yield event
            finally:
                subscription.close()
            return
        row = await self.repo.get(id)
        if row is None:
            return
        if row.status in FINAL:
            yield JobEvent("state", state_of(row))
            yield final_of(row)
            return
        seen = _Seen(progress=row.progress)
        if self.remote is not None:
            try:
                async with contextlib.aclosing(self._from_redis(self.remote, row, seen)) as events:
                    async for event in events:
                        yield event
            except EventsUnavailable as exc:
                log.warning("job_events_from_database", id=id, reason=str(exc))
            if seen.final:
                return
        async for event in poll_store(
            self.repo,
            id,
            interval_s=self.poll_s,
            sent_state=seen.state,
            last_progress=seen.progress,
        ):
            yield event

    async def _from_redis(
        self, remote: RedisEvents, row: PlaylistRow, seen: _Seen
    ) -> AsyncGenerator[JobEvent, None]:
        async with contextlib.aclosing(remote.follow(row.id, snapshot=state_of(row))) as events:
            async for event in events:
                if event is None:  # Redis quiet: is it over, unseen?
                    stored = await self.repo.get(row.id)
                    if stored is None or stored.status in FINAL:
                        seen.final = True
                        if stored is not None:
                            yield final_of(stored)
                        return
                    continue
                seen.state = True
                if event.kind == "state":
                    seen.progress = event.data.get("progress")
                elif event.kind == "progress":
                    seen.progress = event.data
                yield event
                if event.kind in FINAL:
                    seen.final = True
                    return

    async def wait(self, id: str, within: float) -> PlaylistRow | None:
        """The job's row once it is done or failed, or ``None`` if not within ``within``
        seconds (or this instance stops meanwhile)."""
        try:
            async with asyncio.timeout(within), contextlib.aclosing(self.follow(id)) as events:
                async for event in events:
                    if event.kind in TERMINAL:
                        break
        except TimeoutError:
            return None
        row = await self.repo.get(id)
        return row if row is not None and row.status in FINAL else None


async def until_set(
    events: AsyncGenerator[JobEvent, None], stopping: Waitable, *, id: str, message: str
) -> AsyncGenerator[JobEvent, None]:
    """``events`` until ``stopping`` is set, then ``interrupted`` with ``message``.

    However it ends (``events`` ends, ``stopping`` is set, the consumer closes it or is
    cancelled while it waits, as when a client disconnects), a read still running on
    ``events`` is cancelled and waited for before ``events`` is closed, shielded from the
    caller's cancellation: an async generator cannot be closed while it is running."""

    async def step() -> JobEvent:
        return await events.__anext__()

    stop = asyncio.ensure_future(stopping.wait())
    reading: asyncio.Future[JobEvent] | None = None
    try:
        while True:
            reading = asyncio.ensure_future(step())
            await asyncio.wait({reading, stop}, return_when=asyncio.FIRST_COMPLETED)
            if not reading.done():
                await _cancelled(reading)
                reading = None
                yield JobEvent("interrupted", {"id": id, "message": message})
                return
            done, reading = reading, None
            try:
                event = done.result()
            except StopAsyncIteration:
                return
            yield event
    finally:
        with anyio.CancelScope(shield=True):
            stop.cancel()
            if reading is not None:
                await _cancelled(reading)
            await events.aclose()


async def _cancelled(reading: asyncio.Future[JobEvent]) -> None:
    """Cancel ``reading`` and wait until it has stopped, whatever it ended with."""
    reading.cancel()
    await asyncio.gather(reading, return_exceptions=True)
