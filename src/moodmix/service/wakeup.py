"""Tell worker processes a job was queued, through Redis pub/sub, so they adopt it at once.

Jobs live in the database and every worker finds unowned ones on its next sweep (every
``min(2 s, MOODMIX_JOB_LEASE_S / 3)``); this only saves that wait. A lost message costs
nothing but the wait, which is why plain pub/sub (no delivery guarantee) is enough::

    wakeup = JobWakeup("redis://127.0.0.1:6379/0")
    wakeup.listen(runner.wake)        # a worker: sweep whenever a job is queued anywhere
    wakeup.notify("k3J9x")            # an instance that queued a job without running it
    await wakeup.aclose()

Neither side ever raises: while Redis is down, notices are dropped and the listener
reconnects with a growing pause (up to ``MAX_PAUSE_S``).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Final

import redis.asyncio as aioredis
import structlog
from redis.exceptions import RedisError

log = structlog.get_logger("moodmix.service.wakeup")

MAX_PAUSE_S: Final = 10.0


class JobWakeup:
    """Publishes and listens on one channel (``<prefix>jobs:queued``)."""

    def __init__(self, url: str, *, prefix: str = "moodmix:", timeout: float = 2.0) -> None:
        self.channel = f"{prefix}jobs:queued"
        self._redis = aioredis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout
        )
        self._listener: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[None]] = set()

    def notify(self, id: str) -> None:
        """Announce the queued job ``id`` (in the background; never raises)."""
        task = asyncio.create_task(self._publish(id))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _publish(self, id: str) -> None:
        try:
            await self._redis.publish(self.channel, id)
        except RedisError as exc:
            log.debug("job_wakeup_not_sent", id=id, error=str(exc))

    def listen(self, on_wake: Callable[[], None]) -> None:
        """Call ``on_wake()`` for every job queued anywhere, until ``aclose``."""
        if self._listener is None:
            self._listener = asyncio.create_task(self._listen(on_wake), name="moodmix-wakeup")

    async def _listen(self, on_wake: Callable[[], None]) -> None:
        pause = 0.5
        while True:
            try:
                async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
                    await pubsub.subscribe(self.channel)
                    pause = 0.5
                    while True:
                        message = await pubsub.get_message(timeout=1.0)
                        if message is not None:
                            on_wake()
            except (RedisError, OSError) as exc:
                log.debug("job_wakeup_listener_down", error=str(exc), retry_in_s=pause)
                await asyncio.sleep(pause)
                pause = min(MAX_PAUSE_S, pause * 2)

    async def aclose(self) -> None:
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
            self._listener = None
        for task in list(self._sending):
            task.cancel()
        await asyncio.gather(*self._sending, return_exceptions=True)
        await self._redis.aclose()
