"""The bench's virtual loop: its clock jumps to the next timer, and stands still for threads."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from moodmix.bench.virtual import VIRTUAL_START_S, VirtualLoop, virtual_runner


def test_an_hour_of_sleeping_takes_no_wall_time_and_lands_on_the_hour() -> None:
    async def sleep_an_hour() -> float:
        loop = asyncio.get_running_loop()
        await asyncio.sleep(3_600)
        return loop.time()

    started = time.monotonic()
    with virtual_runner() as runner:
        now = runner.run(sleep_an_hour())

    assert now == pytest.approx(VIRTUAL_START_S + 3_600, abs=1e-6)
    assert time.monotonic() - started < 5


def test_timers_fire_in_order_at_their_own_times() -> None:
    async def three_sleepers() -> list[tuple[str, float]]:
        loop = asyncio.get_running_loop()
        woke: list[tuple[str, float]] = []

        async def sleeper(name: str, seconds: float) -> None:
            await asyncio.sleep(seconds)
            woke.append((name, loop.time() - VIRTUAL_START_S))

        await asyncio.gather(sleeper("c", 30), sleeper("a", 0.015), sleeper("b", 10))
        return woke

    with virtual_runner() as runner:
        woke = runner.run(three_sleepers())

    assert [name for name, _ in woke] == ["a", "b", "c"]
    assert [at for _, at in woke] == pytest.approx([0.015, 10, 30], abs=1e-6)


def test_the_clock_stands_still_while_a_thread_works() -> None:
    release = threading.Event()

    def slow_job() -> str:
        release.wait(5)
        return "done"

    async def race() -> tuple[str, float, list[str]]:
        loop = asyncio.get_running_loop()
        order: list[str] = []

        async def timer() -> None:
            await asyncio.sleep(60)
            order.append("timer")

        ticking = asyncio.create_task(timer())
        job = asyncio.create_task(asyncio.to_thread(slow_job))
        await asyncio.sleep(0)  # both started; the thread now blocks on `release`
        loop.call_later(0, release.set)  # a callback the thread cannot see
        result = await job
        order.append("job")
        at_job = loop.time() - VIRTUAL_START_S
        await ticking
        return result, at_job, order

    with virtual_runner() as runner:
        result, at_job, order = runner.run(race())

    assert result == "done"
    assert order == ["job", "timer"]  # the 60 s timer did not jump ahead of the thread
    assert at_job < 60


def test_a_loop_with_nothing_scheduled_waits_for_a_thread_in_real_time() -> None:
    async def only_a_thread() -> float:
        loop = asyncio.get_running_loop()
        before = loop.time()
        await loop.run_in_executor(None, time.sleep, 0.05)
        return loop.time() - before

    with virtual_runner() as runner:
        moved = runner.run(only_a_thread())

    assert moved == 0.0


def test_virtual_runner_makes_virtual_loops() -> None:
    with virtual_runner() as runner:
        assert isinstance(runner.get_loop(), VirtualLoop)
