"""``WindowGate``: waits for room, refuses a wait past its bound, pauses for a Retry-After,
and counts alone while the shared window is unreachable."""

from __future__ import annotations

import asyncio

import pytest

from moodmix.clock import ManualClock
from moodmix.coordination import MemoryWindow, SharedUnavailable
from moodmix.resilience.slot import Priority
from moodmix.resilience.windowgate import RETRY_SHARED_S, WindowFull, WindowGate


class Sleeper:
    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.slept: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.clock.advance(seconds)


class Unreachable(MemoryWindow):
    """A shared window that is down while ``down`` is set."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__(clock=clock)
        self.down = False
        self.asked = 0

    async def admit(self, key: str, limit: int, seconds: float) -> float:
        self.asked += 1
        if self.down:
            raise SharedUnavailable("down on purpose")
        return await super().admit(key, limit, seconds)


def gate(clock: ManualClock, window: MemoryWindow, sleeper: Sleeper) -> WindowGate:
    return WindowGate(window, "app", limit=2, seconds=30.0, sleep=sleeper, clock=clock)


async def test_a_full_window_is_waited_out_then_refused_past_the_bound() -> None:
    clock = ManualClock()
    sleeper = Sleeper(clock)
    g = gate(clock, MemoryWindow(clock=clock), sleeper)
    await g.acquire()
    clock.advance(10)
    await g.acquire()
    await g.acquire(max_wait=30)  # the first leaves 20 s later
    assert sleeper.slept == [20.0]
    assert g.waited_s == 20.0
    with pytest.raises(WindowFull) as full:
        await g.acquire(max_wait=5)
    assert full.value.retry_after == 10.0  # the second leaves then
    assert sleeper.slept == [20.0]  # refused without waiting


async def test_a_pause_holds_the_gate() -> None:
    clock = ManualClock()
    sleeper = Sleeper(clock)
    g = gate(clock, MemoryWindow(clock=clock), sleeper)
    await g.pause(7.0)
    await g.acquire()
    assert sleeper.slept == [7.0]


async def test_an_unreachable_window_is_counted_alone_then_asked_again() -> None:
    clock = ManualClock()
    sleeper = Sleeper(clock)
    shared = Unreachable(clock)
    g = gate(clock, shared, sleeper)
    shared.down = True
    await g.acquire()
    await g.acquire()  # alone, at the whole limit
    with pytest.raises(WindowFull):
        await g.acquire(max_wait=1)
    assert shared.asked == 1  # not asked again before RETRY_SHARED_S
    shared.down = False
    clock.advance(RETRY_SHARED_S)
    await g.acquire()
    assert shared.asked == 2  # shared again


class HeldSleeps:
    """Sleeps that end when the test says, in the order it says."""

    def __init__(self) -> None:
        self.held: list[asyncio.Future[None]] = []

    async def __call__(self, seconds: float) -> None:
        future = asyncio.get_running_loop().create_future()
        self.held.append(future)
        await future

    async def wake(self, index: int) -> None:
        self.held[index].set_result(None)
        for _ in range(5):
            await asyncio.sleep(0)


async def test_an_interactive_request_goes_before_a_background_one_that_waited_longer() -> None:
    clock, sleeps = ManualClock(), HeldSleeps()
    gate = WindowGate(
        MemoryWindow(clock=clock), "app", limit=1, seconds=10.0, sleep=sleeps, clock=clock
    )
    await gate.acquire()  # the window is full for 10 s
    admitted: list[str] = []

    async def ask(name: str, priority: Priority) -> None:
        await gate.acquire(priority=priority)
        admitted.append(name)

    save = asyncio.create_task(ask("save", Priority.BACKGROUND))
    await asyncio.sleep(0)
    sign_in = asyncio.create_task(ask("sign-in", Priority.INTERACTIVE))
    await asyncio.sleep(0)
    assert len(sleeps.held) == 2  # both wait for room
    clock.advance(10)
    await sleeps.wake(0)  # the save wakes first, and lets the sign-in go ahead
    await sleeps.wake(1)
    assert admitted == ["sign-in"]
    clock.advance(10)
    await sleeps.wake(2)
    await asyncio.gather(save, sign_in)
    assert admitted == ["sign-in", "save"]


async def test_background_requests_go_as_they_come_when_nothing_interactive_waits() -> None:
    gate = WindowGate(MemoryWindow(), "app", limit=3, seconds=30.0)
    for _ in range(3):
        await gate.acquire(priority=Priority.BACKGROUND, max_wait=0)
    with pytest.raises(WindowFull):
        await gate.acquire(priority=Priority.BACKGROUND, max_wait=1)
