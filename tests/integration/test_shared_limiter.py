"""One rate budget for every process, kept in Redis: it holds across processes and event
loops, a 429 seen by one process slows all, and a Retry-After pauses all."""

from __future__ import annotations

import asyncio
import signal
import sys
import time
from pathlib import Path

import orjson
import pytest
import redis.asyncio as aioredis
from shared_kit import URL, key_prefix, redis_client, until

from moodmix.coordination import Presence
from moodmix.coordination.redis_budget import RedisBudget
from moodmix.resilience.adaptive import AdaptiveRate
from moodmix.resilience.scheduler import Scheduler
from moodmix.resilience.sharedlimit import Heartbeat, SharedBucket

pytestmark = pytest.mark.redis

WORKER = Path(__file__).with_name("shared_worker.py")


prefix = pytest.fixture(key_prefix, name="prefix")
client = pytest.fixture(redis_client, name="client")


async def test_the_budget_holds_across_processes_and_event_loops(prefix: str) -> None:
    rate, seconds, processes, loops = 20.0, 2.0, 3, 2
    start = time.time() + 1.5  # every worker starts drawing at the same moment
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(WORKER),
            "draw",
            URL,
            prefix,
            str(rate),
            str(seconds),
            str(loops),
            str(start),
            stdout=asyncio.subprocess.PIPE,
        )
        for _ in range(processes)
    ]
    try:
        outputs = [await asyncio.wait_for(worker.communicate(), 60) for worker in workers]
    except TimeoutError:
        stuck = [worker for worker in workers if worker.returncode is None]
        for worker in stuck:
            worker.send_signal(signal.SIGUSR1)  # its stacks and state go to stderr
        await asyncio.sleep(2.0)
        for worker in stuck:
            worker.kill()
        raise AssertionError(
            "a drawing process did not finish within 60 s (its state is in the captured stderr)"
        ) from None
    assert [worker.returncode for worker in workers] == [0] * processes  # stderr says why not
    grants = [orjson.loads(out) for out, _ in outputs]
    assert all(grants), "every process got some of the budget"
    times = sorted(t for per_process in grants for t in per_process)
    # Six drawers, each as greedy as it can be: together no more than the one budget
    # (rate x time + the burst of 1, and the one drawn token each drawer may hold unused).
    assert len(times) <= rate * (times[-1] - times[0]) + 1 + processes * loops
    assert len(times) > 1


async def test_a_429_seen_by_one_process_slows_all_and_its_retry_after_pauses_all(
    prefix: str, client: aioredis.Redis
) -> None:
    budget = RedisBudget(client, prefix=prefix)
    buckets, schedulers = [], []
    for _ in range(2):
        control = AdaptiveRate(10.0)
        bucket = SharedBucket(
            budget, 10.0, 1, controller=control, heartbeat=Heartbeat(every=0.05, ttl=1)
        )
        buckets.append(bucket)
        schedulers.append(Scheduler(bucket, 2, controller=control))
    one, two = buckets
    async with schedulers[1].slot():
        pass  # the second process draws too, so both beat and know the shared state
    async with schedulers[0].slot() as slot:
        await until(lambda: one.live == 2 and two.live == 2)
        slot.throttled(retry_after=1.0)
    assert one.rate < 10.0
    await until(lambda: two.rate == one.rate)
    draw = await budget.draw(two.rate, 1)
    assert not draw.granted
    assert 0 < draw.wait <= 1.0
    for bucket in buckets:
        await bucket.aclose()


async def test_a_process_that_leaves_is_no_longer_counted(
    prefix: str, client: aioredis.Redis
) -> None:
    budget = RedisBudget(client, prefix=prefix)
    assert (await budget.beat("a", 5.0)).live == 1
    assert (await budget.beat("b", 5.0)).live == 2
    await budget.leave("b")
    assert (await budget.beat("a", 5.0)).live == 1


async def test_a_refunded_token_can_be_drawn_again(prefix: str, client: aioredis.Redis) -> None:
    budget = RedisBudget(client, prefix=prefix)
    assert (await budget.draw(rate=0.1, burst=1)).granted
    assert not (await budget.draw(rate=0.1, burst=1)).granted  # the next is 10 s away
    await budget.refund(rate=0.1)
    assert (await budget.draw(rate=0.1, burst=1)).granted


async def test_the_run_counts_tokens_drawn_back_to_back_and_restarts_when_they_lay_unused(
    prefix: str, client: aioredis.Redis
) -> None:
    budget = RedisBudget(client, prefix=prefix)
    rate = 20.0  # a token every 50 ms

    async def draw_when_due(rate: float = rate) -> int:
        for _ in range(100):
            draw = await budget.draw(rate, 1)
            if draw.granted:
                return draw.run
            await asyncio.sleep(draw.wait)
        raise AssertionError("no token in 100 draws")

    assert [await draw_when_due() for _ in range(4)] == [1, 2, 3, 4]
    await asyncio.sleep(0.2)  # three tokens' worth of time unused: demand fell
    assert await draw_when_due() == 1
    assert await draw_when_due() == 2
    assert await draw_when_due(rate=25.0) == 3  # a new rate goes on with the run
    await budget.pause(0.1, rate=25.0, burst=1)
    assert await draw_when_due(rate=25.0) == 4  # a pause makes no token to leave unused
    waiting = await budget.draw(25.0, 1)
    assert not waiting.granted
    assert waiting.run == 4  # a refused draw tells the run too
    assert waiting.handed_out == 8  # and every token handed out, runs or not
    last = None
    for _ in range(100):  # the last caller in a queue: its token ends the run after it
        last = await budget.draw(25.0, 1, backlog=False)
        if last.granted:
            break
        await asyncio.sleep(last.wait)
    assert last is not None
    assert last.run == 5
    assert await draw_when_due(rate=25.0) == 1


class SwallowingBudget(RedisBudget):
    """A budget whose heartbeat call swallows one cancellation, as redis-py has been seen
    to do (issue #2551); the cancellation cannot be timed into the real client on demand."""

    def __init__(self, client: aioredis.Redis, prefix: str) -> None:
        super().__init__(client, prefix=prefix)
        self.beating = asyncio.Event()
        self.swallowed = 0

    async def beat(self, member: str, ttl: float) -> Presence:
        self.beating.set()
        try:
            await asyncio.sleep(0.5)
        except asyncio.CancelledError:
            self.swallowed += 1
        return await super().beat(member, ttl)


async def test_closing_ends_a_heartbeat_whose_cancellation_was_swallowed(
    prefix: str, client: aioredis.Redis
) -> None:
    budget = SwallowingBudget(client, prefix)
    bucket = SharedBucket(budget, 10.0, 1, heartbeat=Heartbeat(every=0.05, ttl=1))
    bucket.delay()  # starts the heartbeat
    await asyncio.wait_for(budget.beating.wait(), timeout=5)
    await asyncio.wait_for(bucket.aclose(), timeout=5)
    assert budget.swallowed == 1
