"""The gateway's background tasks end on close, even one that swallows its cancellation."""

from __future__ import annotations

import asyncio

from moodmix.reccobeats._background import BackgroundTasks


async def test_a_task_that_swallows_its_cancellation_is_cancelled_again() -> None:
    tasks = BackgroundTasks()
    swallowed: list[int] = []

    async def stubborn() -> None:
        try:
            await asyncio.sleep(60)
        except asyncio.CancelledError:
            swallowed.append(1)  # as a Redis client caught mid-call has done
        await asyncio.sleep(60)

    tasks.spawn(stubborn(), name="stubborn")
    await asyncio.sleep(0)
    await asyncio.wait_for(tasks.aclose(), timeout=10)
    assert swallowed == [1]
    assert len(tasks) == 0
