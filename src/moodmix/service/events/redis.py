"""Job events through Redis: a stream per job, so any instance can follow any job.

The instance running a job appends each event to ``moodmix:job:<id>:events`` (the
``EventBroker``'s ``mirror``); an instance asked for the job's events reads that stream::

    events = RedisEvents("redis://127.0.0.1:6379/0", retention_s=600)
    broker = EventBroker(mirror=events.publish)        # publishing never blocks or raises
    async for event in events.follow("k3J9x", snapshot={"id": "k3J9x", ...}):
        ...                                            # state, progress..., done | failed
    await events.aclose()                              # sends what is still pending first

A stream rather than pub/sub: every entry carries the job's state after it, so a follower
that arrives late starts from the newest entry (its ``state`` event) and reads on from that
entry's id, with no gap between the snapshot and the live events and nothing lost while it
connects. Streams are capped (``MAXLEN ~``) and expire ``retention_s`` after their last
event; the finished playlist itself stays in the database. Publishing is best effort: events
queue in memory and a background task sends them in pipelines; while Redis is down they are
dropped (one warning), and followers fall back to reading the database, which ``follow``
asks for by raising ``EventsUnavailable``. ``follow`` yields ``None`` when nothing arrived
for ``block_s``, so the caller can check the database meanwhile (the running instance may be
the one that cannot reach Redis).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncGenerator
from typing import Any, Final

import orjson
import redis.asyncio as aioredis
import structlog
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

from moodmix.service.events.broker import JobEvent

log = structlog.get_logger("moodmix.service.events.redis")

Json = dict[str, Any]

FINAL: Final = frozenset({"done", "failed"})
UNFINISHED: Final = frozenset({"queued", "running"})
MAX_PENDING: Final = 10_000
"""Events waiting to be sent; beyond this (Redis far too slow) new ones are dropped."""
BATCH: Final = 200
"""Events sent in one pipeline."""


class EventsUnavailable(Exception):
    """Redis cannot be read; follow the job from the database instead."""


class RedisEvents:
    """Publishes job events to Redis streams and follows them, on one event loop."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "moodmix:",
        retention_s: float = 600.0,
        max_len: int = 1_000,
        block_s: float = 1.0,
        timeout: float = 2.0,
    ) -> None:
        if not url.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError(f"url must start with redis://, rediss:// or unix://, got {url!r}")
        self.prefix = prefix
        self.retention_ms = max(1, int(retention_s * 1000))
        self.max_len = max_len
        self.block_ms = max(1, int(block_s * 1000))
        self._redis = aioredis.Redis.from_url(
            url,
            socket_timeout=block_s + timeout,
            socket_connect_timeout=timeout,
            retry=Retry(ExponentialBackoff(cap=0.1, base=0.01), retries=1),
        )
        self._pending: asyncio.Queue[tuple[str, dict[bytes, bytes]]] = asyncio.Queue(MAX_PENDING)
        self._sender: asyncio.Task[None] | None = None
        self._down = False
        self.dropped = 0

    def key(self, id: str) -> str:
        return f"{self.prefix}job:{id}:events"

    # --- publishing ----------------------------------------------------------------------------

    def publish(self, id: str, event: JobEvent, state: Json) -> None:
        """Queue ``event`` (with the job's ``state`` after it) for the job's stream."""
        fields = {
            b"kind": event.kind.encode(),
            b"data": orjson.dumps(event.data),
            b"state": orjson.dumps(state),
        }
        try:
            self._pending.put_nowait((id, fields))
        except asyncio.QueueFull:
            self.dropped += 1
            return
        if self._sender is None or self._sender.done():
            self._sender = asyncio.create_task(self._send(), name="moodmix-events-redis")

    async def _send(self) -> None:
        while True:
            batch = [await self._pending.get()]
            while len(batch) < BATCH and not self._pending.empty():
                batch.append(self._pending.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for id, fields in batch:
                        key = self.key(id)
                        pipe.xadd(key, fields, maxlen=self.max_len, approximate=True)  # type: ignore[arg-type]
                        pipe.pexpire(key, self.retention_ms)
                    await pipe.execute()
            except (RedisError, OSError) as exc:
                self.dropped += len(batch)
                if not self._down:
                    log.warning("job_events_redis_down", error=str(exc), dropped=len(batch))
                self._down = True
            else:
                if self._down:
                    log.info("job_events_redis_back")
                self._down = False
            finally:
                for _ in batch:
                    self._pending.task_done()

    # --- following -----------------------------------------------------------------------------

    async def follow(self, id: str, *, snapshot: Json) -> AsyncGenerator[JobEvent | None, None]:
        """``state`` (the newest in the stream, else ``snapshot``), then each later event until
        ``done`` or ``failed``; ``None`` after ``block_s`` without one. A ``done`` or
        ``failed`` newest while ``snapshot`` (the stored row) is unfinished ended an earlier
        job under this id: it is skipped. Raises ``EventsUnavailable`` when Redis fails."""
        key = self.key(id)
        seq = 1
        newest = await self._call(self._redis.xrevrange(key, count=1))
        if newest:
            last_id, fields = newest[0]
            event, state = _decode(fields)
            if event.kind in FINAL and snapshot.get("status") in UNFINISHED:
                # A previous job's end: a change to a finished playlist runs as a new job under
                # the same id, and the store says that one is not over.
                yield JobEvent("state", snapshot, seq)
            else:
                yield JobEvent("state", {"id": id, **state}, seq)
                if event.kind in FINAL:
                    yield JobEvent(event.kind, event.data, seq + 1)
                    return
        else:
            last_id = b"0-0"
            yield JobEvent("state", snapshot, seq)
        while True:
            got = await self._call(
                self._redis.xread({key: last_id}, count=BATCH, block=self.block_ms)
            )
            if not got:
                yield None
                continue
            for entry_id, fields in got[0][1]:
                last_id = entry_id
                event, state = _decode(fields)
                seq += 1
                if event.kind == "interrupted":
                    # The instance running it stopped: the job waits for another to adopt it.
                    if "message" in event.data:
                        yield JobEvent("state", {"id": id, **state}, seq)
                    continue
                yield JobEvent(event.kind, event.data, seq)
                if event.kind in FINAL:
                    return

    async def _call(self, pending: Any) -> Any:
        try:
            return await pending
        except (RedisError, OSError) as exc:
            raise EventsUnavailable(f"cannot read job events from Redis: {exc}") from exc

    async def flush(self, within: float = 1.0) -> bool:
        """Wait (at most ``within`` seconds) until every queued event was sent or dropped."""
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                await self._pending.join()
                return True
        return False

    async def aclose(self, flush_s: float = 1.0) -> None:
        """Send what is pending (for at most ``flush_s``), then close the connections."""
        if self._sender is not None:
            await self.flush(flush_s)
            self._sender.cancel()
            await asyncio.gather(self._sender, return_exceptions=True)
        await self._redis.aclose()


def _decode(fields: dict[bytes, bytes]) -> tuple[JobEvent, Json]:
    event = JobEvent(fields[b"kind"].decode(), orjson.loads(fields[b"data"]))
    state: Json = orjson.loads(fields[b"state"])
    return event, state
