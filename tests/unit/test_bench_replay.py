"""The replay's figures count every call: one cancelled at the deadline is a timeout with the
time it waited, and a call is a hit only when none of its cache lookups missed."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from moodmix.bench.replay import Replay, Wait
from moodmix.bench.scaling import TimeScale
from moodmix.bench.virtual import virtual_runner
from moodmix.bench.workload import Session, Stage, Step, StepKind
from moodmix.store import CachePolicy, MemoryStorage, TieredCache


class SlowGateway:
    """Answers ``get_track`` from a real cache; a miss waits until released."""

    def __init__(self) -> None:
        self.cache = TieredCache(100, MemoryStorage(), {"track": CachePolicy(ttl=60)})
        self.released = asyncio.Event()

    async def get_track(self, id: str) -> Any:
        found = await self.cache.get("track", id)
        if found.hit:
            return found.value
        await self.released.wait()
        await self.cache.put("track", id, {"id": id})
        return {"id": id}


def session(index: int, *ids: str) -> Session:
    steps = tuple(Step(StepKind.TRACK, (id,)) for id in ids)
    return Session(index, 0, 0.0, "calm", (Stage(0.0, steps),))


async def test_a_cancelled_call_is_a_timeout_with_the_time_it_waited() -> None:
    gateway = SlowGateway()
    replay = Replay(gateway, TimeScale(10))  # type: ignore[arg-type]
    waiting = asyncio.create_task(replay.session(session(0, "never-answered")))
    await asyncio.sleep(0.05)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    [call] = replay.calls
    assert call.timeout
    assert not call.hit
    assert call.wall_ms >= 40
    assert call.ms == call.wall_ms * 10  # in the trace's real-world time
    assert replay.latencies_ms == [call.wall_ms]  # the worst wait is in the figures
    assert replay.completed == []  # and not in the bound of what was done


async def test_hits_and_misses_are_told_apart_by_the_cache_lookups() -> None:
    gateway = SlowGateway()
    gateway.released.set()
    replay = Replay(gateway, TimeScale(1))  # type: ignore[arg-type]
    await replay.session(session(0, "a"))  # a miss: fetched
    await replay.session(session(1, "a"))  # a hit: cached
    assert [c.hit for c in replay.calls] == [False, True]
    assert [c.timeout for c in replay.calls] == [False, False]
    assert len(replay.completed) == 2


def test_a_session_waits_only_for_data_and_a_cut_off_one_counts_too() -> None:
    async def sessions() -> list[Wait]:
        gateway = SlowGateway()
        replay = Replay(gateway, TimeScale(1))  # type: ignore[arg-type]
        step = (Step(StepKind.TRACK, ("a",)),)
        held = asyncio.create_task(replay.session(Session(0, 0, 0.0, "calm", (Stage(2, step),))))
        await asyncio.sleep(3)  # 2 s thinking, then 1 s waiting for "a"
        gateway.released.set()
        await held
        gateway.released.clear()
        cut = asyncio.create_task(replay.session(session(1, "b")))
        await asyncio.sleep(5)
        cut.cancel()
        await asyncio.gather(cut, return_exceptions=True)
        return replay.waits

    with virtual_runner() as runner:  # exact times: the loop's clock jumps
        waited, cut_off = runner.run(sessions())
    assert waited == Wait(pytest.approx(1_000), timeout=False)  # thinking is not waiting
    assert cut_off == Wait(pytest.approx(5_000), timeout=True)
