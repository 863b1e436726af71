"""Run awaitables concurrently so that none outlives the call: ``asyncio.gather`` without its
orphans.

When one of ``asyncio.gather``'s awaitables fails, ``gather`` raises at once and leaves the
others running. Here the others are cancelled and waited for before the first error is
raised, so a failed lookup does not leave a sibling polling Redis or holding a scheduler slot
after its caller has gone (or after the gateway has closed)::

    tracks, features = await together([gateway.get_tracks(ids), gateway.get_audio_features(ids)])

``asyncio.TaskGroup`` does the cancelling and waiting; what it adds over it is raising the
first error itself rather than an ``ExceptionGroup``, so callers catch what they would catch
from ``gather``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from typing import Any, TypeVar

T = TypeVar("T")


async def together(coros: Iterable[Coroutine[Any, Any, T]]) -> list[T]:
    """The results of ``coros``, run concurrently, in order; the first error of any of them
    (the others cancelled and finished first)."""
    tasks: list[asyncio.Task[T]] = []
    try:
        async with asyncio.TaskGroup() as group:
            tasks += [group.create_task(coro) for coro in coros]
    except BaseExceptionGroup as failed:
        # No reference cycles, which only the garbage collector would free (with every failed
        # task's frames): the group's traceback holds the frame that raised it, which holds
        # the group; raised in here, the first error would hold the group as its context;
        # and this frame, which the error's traceback holds, would hold the error itself
        # and, through the tasks, the task that failed with it.
        failed.__traceback__ = None
        first = failed.exceptions[0]
    else:
        return [task.result() for task in tasks]
    tasks.clear()
    try:
        raise first from None
    finally:
        del first
