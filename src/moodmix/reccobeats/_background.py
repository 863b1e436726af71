"""Fire-and-forget background work the gateway owns and cancels on close.

tasks = BackgroundTasks()
tasks.spawn(refresh())          # runs on its own; a failure is logged, never raised
await tasks.aclose()            # cancels what is still running

A task that swallows its cancellation (a Redis client can, redis-py issue #2551) is
cancelled again every ``_RECANCEL_S`` until it ends, so closing never waits for ever.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import structlog

log = structlog.get_logger("moodmix.gateway")

_RECANCEL_S = 1.0


class BackgroundTasks:
    """A set of tasks kept alive until done, cancelled together on ``aclose``."""

    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def __len__(self) -> int:
        return len(self._tasks)

    def spawn(self, coro: Coroutine[Any, Any, Any], *, name: str = "background") -> None:
        task = asyncio.create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and (exc := task.exception()) is not None:
            log.info("background_task_failed", task=task.get_name(), error=repr(exc))

    async def aclose(self) -> None:
        pending = set(self._tasks)
        while pending:
            for task in pending:
                task.cancel()
            _, pending = await asyncio.wait(pending, timeout=_RECANCEL_S)
