"""Progress of a playlist as it is made: small, JSON-ready events for a callback.

The CLI shows them with Rich; the HTTP service streams them as Server-Sent Events::

    def show(event: Progress) -> None:
        print(event.to_json())   # {"stage": "candidates", "message": "...", "current": 1, ...}

    await make_playlist(gateway, request, on_progress=show)

Stages, in order: ``mood``, ``seeds``, ``candidates`` (``current``/``total`` recommendation
calls), ``scoring``, then ``done`` (or ``failed``). ``waiting`` may come at any point between:
requests are queued for quota, and ``wait_s`` is the scheduler's estimate of how long.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from moodmix.resilience.scheduler import Priority

Stage = Literal["mood", "seeds", "candidates", "waiting", "scoring", "done", "failed"]


@dataclass(frozen=True, slots=True)
class Progress:
    """One step: the stage, a line for people, and numbers for machines."""

    stage: Stage
    message: str
    current: int | None = None
    total: int | None = None
    wait_s: float | None = None

    def to_json(self) -> dict[str, Any]:
        """The event without its empty fields."""
        out: dict[str, Any] = {"stage": self.stage, "message": self.message}
        if self.current is not None:
            out["current"] = self.current
        if self.total is not None:
            out["total"] = self.total
        if self.wait_s is not None:
            out["wait_s"] = round(self.wait_s, 1)
        return out


ProgressCallback = Callable[[Progress], object]
"""Called with each event, on the event loop: keep it quick (put it on a queue, print it)."""


class _Stats(Protocol):
    @property
    def queued(self) -> Mapping[Priority, int]: ...


class QuotaView(Protocol):
    """What ``watch_quota`` reads: the gateway satisfies it."""

    def expected_wait(self) -> float: ...

    def quota(self) -> _Stats: ...


@contextlib.asynccontextmanager
async def watch_quota(
    quota: QuotaView,
    emit: ProgressCallback,
    *,
    interval: float = 0.5,
    threshold: float = 0.5,
) -> AsyncIterator[None]:
    """While the block runs, report ``waiting`` whenever requests queue for quota.

    Every ``interval`` seconds: if interactive requests are queued and a new one would wait at
    least ``threshold`` seconds, emit ``Progress("waiting", ..., wait_s=...)``.
    """

    async def watch() -> None:
        while True:
            wait = quota.expected_wait()
            if quota.quota().queued.get(Priority.INTERACTIVE, 0) > 0 and wait >= threshold:
                emit(Progress("waiting", f"waiting for quota, about {wait:.1f} s", wait_s=wait))
            await asyncio.sleep(interval)

    task = asyncio.create_task(watch())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
