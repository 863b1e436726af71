"""``together``: results in order; a failure cancels and finishes the others first, and is
raised as itself."""

from __future__ import annotations

import asyncio
import gc
import weakref

import pytest

from moodmix.resilience.together import together


async def test_results_come_in_the_order_asked() -> None:
    async def after(delay: float, value: int) -> int:
        await asyncio.sleep(delay)
        return value

    assert await together([after(0.03, 1), after(0.0, 2), after(0.01, 3)]) == [1, 2, 3]
    assert await together([]) == []


async def test_a_failure_cancels_the_others_before_it_is_raised() -> None:
    finished: list[str] = []
    cancelled: list[str] = []

    async def slow() -> str:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append("slow")
            raise
        finished.append("slow")
        return "slow"

    async def failing() -> str:
        await asyncio.sleep(0.01)
        raise LookupError("gone")

    with pytest.raises(LookupError, match="gone"):  # itself, not an ExceptionGroup
        await together([slow(), failing()])
    assert cancelled == ["slow"]  # already finished when the error reached us
    assert finished == []


async def test_cancelling_the_caller_cancels_every_one() -> None:
    started = asyncio.Event()
    cancelled: list[int] = []

    async def wait(n: int) -> int:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.append(n)
            raise
        return n

    call = asyncio.create_task(together([wait(1), wait(2)]))
    await started.wait()
    call.cancel()
    with pytest.raises(asyncio.CancelledError):
        await call
    assert sorted(cancelled) == [1, 2]


class _Failed(Exception):
    pass


async def test_the_error_raised_is_freed_once_handled_not_left_to_the_garbage_collector() -> None:
    async def fails() -> int:
        await asyncio.sleep(0)
        raise _Failed("no")

    async def waits() -> int:
        await asyncio.sleep(10)
        return 1

    gc.disable()
    try:
        try:
            await together([waits(), fails()])
        except _Failed as exc:
            chained = (exc.__cause__, exc.__suppress_context__)
            handled = weakref.ref(exc)
        assert chained == (None, True)  # raised as itself, from None
        assert handled() is None  # in no reference cycle: freed as the handler ends
    finally:
        gc.enable()
