"""``StateSync`` on the memory budget: two controllers kept in step through one budget."""

from __future__ import annotations

from outage import FlakyBudget

from moodmix.clock import ManualClock
from moodmix.coordination import MemoryBudget, SharedUnavailable
from moodmix.resilience.adaptive import AdaptiveRate
from moodmix.resilience.statesync import StateSync


def pair(
    budget: MemoryBudget | FlakyBudget, rate: float, lost: list[SharedUnavailable]
) -> tuple[AdaptiveRate, StateSync]:
    control = AdaptiveRate(rate, clock=ManualClock())
    return control, StateSync(budget, control, on_lost=lost.append)


async def test_a_fresh_budget_takes_the_first_controller_s_state() -> None:
    budget, lost = MemoryBudget(clock=ManualClock()), []
    control, sync = pair(budget, 10.0, lost)
    assert not await sync.sync(0)
    assert await budget.load() == (1, control.state())
    assert (sync.version, sync.synced, lost) == (1, True, [])


async def test_another_process_s_change_is_taken_and_its_own_is_not_loaded_again() -> None:
    budget, lost = MemoryBudget(clock=ManualClock()), []
    one, one_sync = pair(budget, 10.0, lost)
    two, two_sync = pair(budget, 20.0, lost)
    await one_sync.sync(0)  # publishes version 1 (rate 10)
    assert await two_sync.sync(1)  # two takes one's state
    assert two.rate == 10.0
    one.on_throttled()
    await one_sync.publish()
    assert not await one_sync.sync(2)  # its own write
    assert await two_sync.sync(2)
    assert two.rate == one.rate < 10.0
    assert not await two_sync.sync(2)  # seen already


async def test_an_unreadable_state_is_replaced_by_this_controller_s() -> None:
    budget, lost = MemoryBudget(clock=ManualClock()), []
    await budget.publish({"rate": "fast"})  # type: ignore[dict-item]
    control, sync = pair(budget, 10.0, lost)
    assert not await sync.sync(1)
    assert await budget.load() == (2, control.state())


async def test_a_failed_publish_is_reported_not_raised() -> None:
    budget, lost = FlakyBudget(MemoryBudget(clock=ManualClock())), []
    _, sync = pair(budget, 10.0, lost)
    budget.down = True
    await sync.publish()
    assert len(lost) == 1
