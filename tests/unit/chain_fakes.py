"""Fakes for testing the gateway's layers one at a time: a next layer that records what it
was asked and answers from a dict, a sender likewise, and a small cache and registry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from moodmix.clock import ManualClock
from moodmix.reccobeats._chain import Batch
from moodmix.reccobeats._metrics import GatewayMetrics
from moodmix.reccobeats.models import Track
from moodmix.resilience.scheduler import Priority, Ticket
from moodmix.store import CachePolicy, IdRegistry, MemoryStorage, TieredCache

RID = "8212bab8-0000-4000-8000-000000000001"
SID = "00aqkszH1FdUiJJWvX6iEl"


def track(rid: str, sid: str | None = None) -> Track:
    href = f"https://open.spotify.com/track/{sid}" if sid else None
    return Track(id=rid, track_title=f"Song {rid[:4]}", href=href)


class FakeNext:
    """A next layer: answers from ``values``; ``gate`` (when set) holds every fetch."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self.values = dict(values or {})
        self.asked: list[tuple[list[str], Priority]] = []
        self.promoted: list[list[str]] = []
        self.closed = False
        self.gate: asyncio.Event | None = None
        self.error: BaseException | None = None

    async def fetch_many(self, keys: list[str], priority: Priority) -> dict[str, Any]:
        self.asked.append((list(keys), priority))
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return {k: self.values[k] for k in keys if k in self.values}

    def promote(self, keys: list[str]) -> None:
        self.promoted.append(list(keys))

    async def aclose(self) -> None:
        self.closed = True


class FakeSender:
    """A sender below the batcher: answers from ``values``; ``gate`` (when set) is the wait
    for a slot, in ``hold`` (and in ``send`` for a call that did not hold one)."""

    def __init__(self, values: dict[str, Any] | None = None) -> None:
        self.values = dict(values or {})
        self.sent: list[tuple[list[str], Priority, Ticket | None]] = []
        self.gate: asyncio.Event | None = None
        self.holds = 0

    @asynccontextmanager
    async def hold(self, priority: Priority, ticket: Ticket | None) -> AsyncIterator[Any]:
        if self.gate is not None:
            await self.gate.wait()
        self.holds += 1
        yield object()

    async def send(self, batch: Batch) -> dict[str, Any]:
        if batch.held is None and self.gate is not None:
            await self.gate.wait()
        self.sent.append((list(batch.keys), batch.priority, batch.ticket))
        return {k: self.values[k] for k in batch.keys if k in self.values}


def cache(
    clock: ManualClock, *, ttl: float = 60.0, swr: float = 0.0, sie: float = 0.0
) -> TieredCache:
    policy = CachePolicy(ttl, stale_while_revalidate=swr, stale_if_error=sie)
    return TieredCache(100, MemoryStorage(clock=clock), {"track": policy}, clock=clock)


def registry(clock: ManualClock) -> IdRegistry:
    return IdRegistry(MemoryStorage(clock=clock), clock=clock)


def metrics() -> GatewayMetrics:
    return GatewayMetrics()


def count(counter: Any, **labels: str) -> float:
    """The value of one labelled child of a counter."""
    value: float = counter.labels(**labels)._value.get()
    return value
