"""Progress events are small and JSON-ready; quota waits are reported while they happen."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

from moodmix.engine.progress import Progress, watch_quota
from moodmix.resilience.scheduler import Priority


def test_events_serialise_without_empty_fields() -> None:
    assert Progress("seeds", "choosing seeds").to_json() == {
        "stage": "seeds",
        "message": "choosing seeds",
    }
    event = Progress("candidates", "recommendations 1/2", 1, 2).to_json()
    assert event == {
        "stage": "candidates",
        "message": "recommendations 1/2",
        "current": 1,
        "total": 2,
    }
    waiting = Progress("waiting", "waiting for quota", wait_s=3.14159)
    assert json.loads(json.dumps(waiting.to_json()))["wait_s"] == 3.1


@dataclass
class _Stats:
    queued: Mapping[Priority, int] = field(default_factory=dict)


@dataclass
class FakeQuota:
    wait: float = 0.0
    stats: _Stats = field(default_factory=_Stats)

    def expected_wait(self) -> float:
        return self.wait

    def quota(self) -> _Stats:
        return self.stats


async def _let_it_look(times: int = 5) -> None:
    for _ in range(times):
        await asyncio.sleep(0)


async def test_a_wait_is_reported_with_its_expected_length() -> None:
    quota = FakeQuota(4.0, _Stats({Priority.INTERACTIVE: 2}))
    events: list[Progress] = []
    async with watch_quota(quota, events.append, interval=0):
        await _let_it_look()
    assert events
    assert all(e.stage == "waiting" and e.wait_s == 4.0 for e in events)


async def test_nothing_is_reported_when_no_one_waits_or_the_wait_is_short() -> None:
    events: list[Progress] = []
    idle = FakeQuota(4.0, _Stats({Priority.INTERACTIVE: 0, Priority.BACKGROUND: 3}))
    async with watch_quota(idle, events.append, interval=0):
        await _let_it_look()
    short = FakeQuota(0.1, _Stats({Priority.INTERACTIVE: 1}))
    async with watch_quota(short, events.append, interval=0):
        await _let_it_look()
    assert events == []


async def test_the_watch_stops_with_its_block() -> None:
    quota = FakeQuota(4.0, _Stats({Priority.INTERACTIVE: 1}))
    events: list[Progress] = []
    async with watch_quota(quota, events.append, interval=0):
        await _let_it_look()
    seen = len(events)
    await _let_it_look()
    assert len(events) == seen
