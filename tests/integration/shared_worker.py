"""A separate process for the shared-mode tests (run as a script, never collected).

::

    python shared_worker.py draw URL PREFIX RATE SECONDS LOOPS START
        LOOPS threads, each an event loop with its own scheduler and SharedBucket, take
        tokens from the budget for SECONDS from wall time START; prints their grant times
        (JSON list of wall seconds). SIGUSR1 prints, on stderr, every thread's stack and every
        loop's tasks, buckets and schedulers (what the test shows if a worker never finishes).
    python shared_worker.py hold URL PREFIX KEY TTL
        takes the fetch lock KEY and keeps renewing it; prints "held" and waits to be killed.
"""

from __future__ import annotations

import asyncio
import faulthandler
import signal
import sys
import threading
import time
from types import FrameType

import orjson
import redis.asyncio as aioredis

from moodmix.coordination.redis_budget import RedisBudget
from moodmix.coordination.redis_locks import RedisLocks
from moodmix.resilience.scheduler import Scheduler
from moodmix.resilience.sharedlimit import SharedBucket


def _client(url: str) -> aioredis.Redis:
    """A client whose reads give up after 5 s: a stuck Redis shows up as an error with its
    traceback in the test's output, not as a worker that never finishes."""
    return aioredis.Redis.from_url(url, socket_timeout=5.0, socket_connect_timeout=5.0)


_RUNNING: list[tuple[asyncio.AbstractEventLoop, SharedBucket, Scheduler]] = []


def _report(signum: int, frame: FrameType | None) -> None:
    faulthandler.dump_traceback(all_threads=True)
    for loop, bucket, scheduler in list(_RUNNING):
        print(f"{bucket!r} mode={bucket.mode} {scheduler.stats}", file=sys.stderr)
        print(f"  bucket state: {vars(bucket)}", file=sys.stderr)
        for task in asyncio.all_tasks(loop):
            task.print_stack(file=sys.stderr)
    sys.stderr.flush()


async def _draw(url: str, prefix: str, rate: float, seconds: float, start: float) -> list[float]:
    client = _client(url)
    bucket = SharedBucket(RedisBudget(client, prefix=prefix), rate, 1)
    scheduler = Scheduler(bucket, max_concurrency=1)
    _RUNNING.append((asyncio.get_running_loop(), bucket, scheduler))
    grants: list[float] = []
    await asyncio.sleep(max(0.0, start - time.time()))
    while time.time() < start + seconds:
        async with scheduler.slot():
            grants.append(time.time())
    await bucket.aclose()
    await client.aclose()
    return grants


def draw(url: str, prefix: str, rate: str, seconds: str, loops: str, start: str) -> None:
    signal.signal(signal.SIGUSR1, _report)
    results: list[list[float]] = []
    failures: list[BaseException] = []

    def run() -> None:
        try:
            grants = asyncio.run(_draw(url, prefix, float(rate), float(seconds), float(start)))
        except BaseException as exc:  # reported below, and the process exits with 1
            failures.append(exc)
        else:
            results.append(grants)

    threads = [threading.Thread(target=run) for _ in range(int(loops))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise SystemExit(f"{len(failures)} of {loops} drawing loops failed: {failures!r}")
    print(orjson.dumps([t for grants in results for t in grants]).decode(), flush=True)


async def hold(url: str, prefix: str, key: str, ttl: str) -> None:
    client = _client(url)
    locks = RedisLocks(client, prefix=prefix)
    if not await locks.acquire([key], float(ttl)):
        print("taken", flush=True)
        return
    print("held", flush=True)
    while True:
        await asyncio.sleep(float(ttl) / 3)
        await locks.extend([key], float(ttl))


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "draw":
        draw(*args)
    else:
        asyncio.run(hold(*args))
