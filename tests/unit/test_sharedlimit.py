"""``SharedBucket`` on the memory budget: several buckets in one event loop stand for several
processes. Each test runs on a virtual-time loop (``virtual_kit``), so heartbeats, draws and
the scheduler's timers run for seconds of loop time in no time.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Mapping
from typing import Any

import pytest
from outage import FlakyBudget
from rate_model import Scenario, simulate
from virtual_kit import until, virtual

from moodmix.clock import loop_time
from moodmix.coordination import Budget, MemoryBudget
from moodmix.resilience.adaptive import AdaptiveRate, StateValue
from moodmix.resilience.scheduler import Scheduler
from moodmix.resilience.sharedlimit import Heartbeat, Mode, SharedBucket


def bucket(budget: Budget, rate: float = 10.0, **options: Any) -> SharedBucket:
    return SharedBucket(
        budget, rate, 1, clock=loop_time, heartbeat=Heartbeat(every=0.5, ttl=1.5), **options
    )


async def drain(scheduler: Scheduler, until: float) -> list[float]:
    """Take tokens as fast as ``scheduler`` hands them out until loop time ``until``."""
    grants: list[float] = []
    while loop_time() < until:
        async with scheduler.slot():
            grants.append(loop_time())
    return grants


def test_buckets_in_one_loop_draw_from_one_budget() -> None:
    async def scenario() -> None:
        budget = MemoryBudget(clock=loop_time)
        buckets = [bucket(budget) for _ in range(3)]
        schedulers = [Scheduler(b, 2, clock=loop_time) for b in buckets]
        await until(lambda: all(b.live == 3 for b in buckets))
        start = loop_time()
        grants = await asyncio.gather(
            *(drain(s, start + 10.0) for s in schedulers for _ in range(2))
        )
        times = sorted(t for per_worker in grants for t in per_worker)
        assert all(grants), "every worker got some of the budget"
        # rate x time + the burst of 1 + the one drawn token each bucket may hold unused
        assert 95 <= len(times) <= 10.0 * (times[-1] - start) + 1 + 3
        assert sum(b.granted for b in buckets) == len(times)
        assert max(b.handed_out for b in buckets) >= 95
        for b in buckets:
            await b.aclose()

    virtual(scenario())


def test_a_429_seen_by_one_bucket_slows_all_and_its_retry_after_pauses_all() -> None:
    async def scenario() -> None:
        budget = MemoryBudget(clock=loop_time)
        controls = [AdaptiveRate(10.0, clock=loop_time) for _ in range(2)]
        one, two = (bucket(budget, controller=c) for c in controls)
        schedulers = [
            Scheduler(b, 2, clock=loop_time, controller=c)
            for b, c in zip((one, two), controls, strict=True)
        ]
        async with schedulers[1].slot():
            pass  # the second process draws too, so both know the shared state
        async with schedulers[0].slot() as slot:
            await until(lambda: one.live == 2 and two.live == 2)
            slot.paced = True  # as if its token came at the rate's pace, not from the burst
            slot.throttled(retry_after=1.0)
        assert one.rate < 10.0
        await until(lambda: two.rate == one.rate)
        draw = await budget.draw(two.rate, 1)
        assert not draw.granted
        assert 0 < draw.wait <= 1.0
        for b in (one, two):
            await b.aclose()

    virtual(scenario())


def test_a_fresh_budget_takes_the_first_bucket_s_learned_state() -> None:
    async def scenario() -> None:
        budget = MemoryBudget(clock=loop_time)
        control = AdaptiveRate(10.0, clock=loop_time)
        one = bucket(budget, controller=control)
        await until(lambda: one.live == 1)
        await asyncio.sleep(1.0)
        version, state = await budget.load()
        assert version >= 1
        assert state == control.state()
        await one.aclose()

    virtual(scenario())


def test_without_the_budget_a_bucket_paces_at_its_share_and_shares_again_when_it_returns() -> None:
    async def scenario() -> None:
        budget = FlakyBudget(MemoryBudget(clock=loop_time))
        modes: list[Mode] = []
        one = bucket(budget, on_mode_change=modes.append)
        two = bucket(budget)
        scheduler = Scheduler(one, 2, clock=loop_time)
        await until(lambda: one.live == 2 and two.live == 2)

        budget.down = True
        await until(lambda: one.mode == "local" and two.mode == "local")
        start = loop_time()
        grants = await drain(scheduler, start + 10.0)
        # Alone, at its share: half the rate, as two buckets were counted.
        assert 49 <= len(grants) <= 5.0 * 10.0 + 1

        budget.down = False
        await until(lambda: one.mode == "shared" and two.mode == "shared")
        assert len(await drain(scheduler, loop_time() + 1.0)) >= 9  # the whole rate again
        assert modes == ["local", "shared"]
        assert (one.lost, two.lost) == (1, 1)  # once for the whole outage
        for b in (one, two):
            await b.aclose()

    virtual(scenario())


def test_a_retry_after_seen_while_alone_still_holds_after_the_fall_to_local_mode() -> None:
    async def scenario() -> None:
        budget = FlakyBudget(MemoryBudget(clock=loop_time))
        one = bucket(budget)
        scheduler = Scheduler(one, 2, clock=loop_time)
        await until(lambda: one.live == 1)
        one.pause_until(loop_time() + 3.0)
        budget.down = True
        await until(lambda: one.mode == "local")
        start = loop_time()
        async with scheduler.slot():
            assert loop_time() >= start + 2.9

    virtual(scenario())


def test_a_bucket_that_closes_leaves_and_is_no_longer_counted() -> None:
    async def scenario() -> None:
        budget = MemoryBudget(clock=loop_time)
        one, two = bucket(budget), bucket(budget)
        await until(lambda: one.live == 2 and two.live == 2)
        await two.aclose()
        await until(lambda: one.live == 1)
        assert (await budget.beat("someone", 1.0)).live == 2  # one and someone
        await one.aclose()

    virtual(scenario())


def test_a_refunded_token_waits_for_the_next_caller_without_a_new_draw() -> None:
    async def scenario() -> None:
        budget = MemoryBudget(clock=loop_time)
        one = bucket(budget, rate=0.5)
        scheduler = Scheduler(one, 1, clock=loop_time)
        async with scheduler.slot():
            pass
        drawn = one.handed_out
        one.refund()
        assert one.try_acquire()
        assert one.handed_out == drawn
        assert not (await budget.draw(0.5, 1)).granted  # the budget did not get it back
        await one.aclose()

    virtual(scenario())


class SlowPublish(MemoryBudget):
    """A budget whose state arrives 0.1 s after it is published, as over a slow network."""

    async def publish(self, state: Mapping[str, StateValue]) -> int:
        await asyncio.sleep(0.1)
        return await super().publish(state)


def test_after_a_429_no_process_draws_at_the_rate_it_found_too_high() -> None:
    """Two processes take every token of a budget with room for two; one sees a 429 and
    lowers the rate, and its new state reaches the budget after the other's draw in the
    pause. The other, its heartbeat not yet come round, still holds the old rate when the
    pause ends: its draw is refused as stale, so the first tokens after the pause come at
    the new rate's interval, not the old one's."""

    async def scenario() -> None:
        budget = SlowPublish(clock=loop_time)
        controls = [AdaptiveRate(10.0, clock=loop_time) for _ in range(2)]
        slow = Heartbeat(every=60.0, ttl=180.0)
        one, two = (
            SharedBucket(budget, 10.0, 2, clock=loop_time, heartbeat=slow, controller=c)
            for c in controls
        )
        first, second = (
            Scheduler(b, 1, clock=loop_time, controller=c)
            for b, c in zip((one, two), controls, strict=True)
        )
        grants: list[float] = []

        async def take(scheduler: Scheduler, until: float) -> None:
            while loop_time() < until:
                async with scheduler.slot():
                    grants.append(loop_time())

        start = loop_time()
        await asyncio.gather(take(first, start + 2.0), take(second, start + 2.0))
        async with first.slot() as slot:
            slot.paced = True
            slot.throttled(retry_after=0.25)  # a 429: this process lowers the rate
        lowered = one.rate
        assert lowered < two.rate == 10.0
        grants.clear()
        await asyncio.gather(take(first, loop_time() + 1.0), take(second, loop_time() + 1.0))
        assert two.rate == one.rate == lowered
        gaps = [b - a for a, b in itertools.pairwise(grants[:4])]
        assert min(gaps) >= 1 / lowered - 1e-6, gaps  # none at the old rate's 0.1 s
        for b in (one, two):
            await b.aclose()

    virtual(scenario())


def test_a_429_measures_the_limit_from_every_process_s_tokens_since_the_last_one() -> None:
    """One process sees two 429s and sends nothing between them; another draws every token
    in between. What the upstream accepted between the two (its bucket empty at each) is
    the budget's count, all processes' requests, so the first process measures the limit
    as one process would from its own, though its own count is nothing."""

    async def scenario() -> None:
        budget = MemoryBudget(clock=loop_time)
        control = AdaptiveRate(2.0, clock=loop_time)
        one, two = bucket(budget, rate=2.0, controller=control), bucket(budget, rate=2.0)
        first = Scheduler(one, 1, clock=loop_time, controller=control)
        second = Scheduler(two, 2, clock=loop_time)
        await until(lambda: one.live == 2 and two.live == 2)
        async with first.slot() as slot:
            slot.paced = True
            slot.throttled(retry_after=0.5)
        assert control.proven_rate is None  # nothing came before it to measure
        started = loop_time()
        await drain(second, started + 10.0)
        async with first.slot() as slot:
            slot.paced = True
            slot.throttled(retry_after=0.5)
        # about 19 tokens in about 10 s, less the two the measurement leaves out
        assert control.proven_rate == pytest.approx(1.7, abs=0.2)
        for b in (one, two):
            await b.aclose()

    virtual(scenario())


@pytest.mark.parametrize("limit", [20.0, 55.0])
def test_three_instances_sharing_a_budget_find_a_limit_as_one_process_does(limit: float) -> None:
    """Burst 1, callers at twice the limit spread over three processes for an hour: the
    bounds one process meets (the code before met neither: 80.7% and 94.3% of the limit).
    What made the difference: a lower rate keeps the tokens the budget owes, each 429
    measures the limit from every process's requests, and a process that takes over the
    shared state judges a probe by the floor it began from and the bursts measured."""
    result = simulate(Scenario(limit=limit, burst=1, instances=3))
    assert result.utilisation >= 0.97
    assert result.throttle_share <= 0.01
    seconds = result.seconds_to(0.9)
    assert seconds is not None
    assert seconds <= 180
