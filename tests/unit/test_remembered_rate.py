"""``RememberedRate`` with the controller directly: what is saved, when, and what a restart
resumes. Memory storage and budget on a ``ManualClock`` wall clock; nothing sleeps for long.

Expected rates come from a reference controller resumed with the same record and age, so
these tests say what is kept and loaded, and ``AdaptiveRate.resume`` alone says how much
age discounts it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping

import pytest
from structlog.testing import capture_logs

from moodmix.clock import ManualClock
from moodmix.coordination import MemoryBudget
from moodmix.reccobeats._remembered import RememberedRate, decode, encode
from moodmix.resilience.adaptive import AdaptiveRate, Learned, Tuning
from moodmix.store import MemoryStorage, StorageUnavailable, Stored

START = 80 / 60
URL = "http://127.0.0.1:8765"
KEY = "adaptive-rate:" + URL


def controller() -> AdaptiveRate:
    return AdaptiveRate(START, clock=ManualClock(), tuning=Tuning(hidden_burst=10))


def learnt() -> AdaptiveRate:
    """A controller that showed a floor, probed above it and met a 429 there."""
    return learn(controller())


def learn(control: AdaptiveRate) -> AdaptiveRate:
    now = 0.0
    while not (control.clean_rate and control.rate > START):
        now += 1 / control.rate  # saturated: one answer a token
        control.on_success(now, saturated=True, sent_at=now)
    control.on_throttled(now, retry_after=1.0, sent_at=now)
    assert control.clean_rate is not None
    assert control.throttled_rate is not None
    return control


class Applied:
    """Stands for the scheduler's limiter: the rates it was told."""

    def __init__(self) -> None:
        self.rates: list[float] = []

    def __call__(self, rate: float) -> None:
        self.rates.append(rate)


def remembered(
    storage: MemoryStorage | Broken,
    control: AdaptiveRate,
    wall: ManualClock,
    *,
    applied: Applied | None = None,
    budget: MemoryBudget | None = None,
    upstream: str = URL,
    every: float = 5.0,
) -> RememberedRate:
    return RememberedRate(
        storage,
        control,
        upstream=upstream,
        apply=applied or Applied(),
        wall_clock=wall,
        budget=budget,
        every=every,
    )


def resumed_like(learned: Learned, age: float) -> AdaptiveRate:
    reference = controller()
    reference.resume(learned, age_s=age)
    return reference


async def test_a_restart_resumes_what_was_learnt_discounted_by_its_age() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    first = controller()
    one = remembered(storage, first, wall)
    await one.ready()  # the gateway's first request
    learn(first)
    await one.aclose()  # saves once on the way out
    saved = first.learned()

    wall.advance(1_800.0)
    second, applied = controller(), Applied()
    two = remembered(storage, second, wall, applied=applied)
    await two.ready()
    reference = resumed_like(saved, 1_800.0)
    assert two.resumed == (saved, 1_800.0)
    assert second.learned() == reference.learned()
    assert applied.rates == [reference.rate]  # the limiter runs at it before any request
    assert second.rate != START
    await two.aclose()


async def test_an_old_record_is_discounted_and_its_ceiling_dropped() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    first = learnt()
    saved = first.learned()
    await storage.set_many({KEY: Stored(encode(saved, saved_at=wall()), wall() + 86_400)})

    wall.advance(6 * 3_600.0)
    second = controller()
    two = remembered(storage, second, wall)
    await two.ready()
    assert second.rate == resumed_like(saved, 6 * 3_600.0).rate
    assert second.rate < saved.floor  # worth less for its age
    assert second.throttled_rate is None  # a 429 hours ago says nothing about now
    await two.aclose()


async def test_each_upstream_has_its_own_record() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    first = controller()
    one = remembered(storage, first, wall)
    await one.ready()
    learn(first)
    await one.aclose()
    assert await storage.get_many([KEY])
    other = controller()
    two = remembered(storage, other, wall, upstream="https://api.reccobeats.com/v1/")
    await two.ready()
    assert two.key == "adaptive-rate:https://api.reccobeats.com/v1"
    assert (two.resumed, other.rate) == (None, START)
    await two.aclose()


async def test_a_controller_that_learnt_nothing_saves_nothing() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    idle = remembered(storage, controller(), wall)
    await idle.ready()
    await idle.aclose()
    assert await storage.get_many([KEY]) == {}


async def test_a_gateway_that_never_asked_overwrites_nothing() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    record = Stored(encode(learnt().learned(), saved_at=wall()), wall() + 86_400)
    await storage.set_many({KEY: record})
    unused = remembered(storage, learnt(), wall)  # learnt, but never loaded (no request)
    await unused.aclose()
    assert await storage.get_many([KEY]) == {KEY: record}


async def test_what_changes_is_saved_in_the_background() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    control = controller()
    keeper = remembered(storage, control, wall, every=0.001)
    await keeper.ready()
    control.on_throttled(retry_after=1.0)  # 80/min drew a 429: half that from now on
    for _ in range(1_000):
        found = await storage.get_many([KEY])
        if found:
            break
        await asyncio.sleep(0.001)
    learned, saved_at = decode(found[KEY].value)
    assert (learned, saved_at) == (control.learned(), wall())
    await keeper.aclose()


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"\x00not json", "not JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"rate": 1.0, "floor": 1.0, "ceiling": null}', "'saved_at' must be a number"),
        (b'{"rate": -1, "floor": 1.0, "ceiling": null, "saved_at": 5}', "'rate'"),
        (b'{"rate": 1.0, "floor": "x", "ceiling": null, "saved_at": 5}', "'floor'"),
    ],
)
async def test_a_corrupt_record_is_logged_ignored_and_overwritten_later(
    raw: bytes, problem: str
) -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    await storage.set_many({KEY: Stored(raw, wall() + 86_400)})
    control = controller()
    keeper = remembered(storage, control, wall)
    with capture_logs() as logs:
        await keeper.ready()
    unreadable = [e for e in logs if e["event"] == "learned_rate_unreadable"]
    assert len(unreadable) == 1
    assert problem in unreadable[0]["error"]
    assert unreadable[0]["log_level"] == "warning"
    assert (keeper.resumed, control.rate) == (None, START)
    control.on_throttled(retry_after=1.0)
    await keeper.aclose()
    assert decode((await storage.get_many([KEY]))[KEY].value)[0] == control.learned()


class Broken:
    """A storage whose server is down."""

    def __init__(self) -> None:
        self.calls = 0

    async def get_many(self, keys: Iterable[str]) -> dict[str, Stored]:
        self.calls += 1
        raise StorageUnavailable("cannot read from Redis at redis://x: refused", backend="redis")

    async def set_many(self, items: Mapping[str, Stored]) -> None:
        self.calls += 1
        raise StorageUnavailable("cannot write to Redis at redis://x: refused", backend="redis")

    async def delete_many(self, keys: Iterable[str]) -> None:
        raise NotImplementedError

    async def clear(self, prefix: str | None = None) -> int:
        raise NotImplementedError

    async def close(self) -> None:
        return None


async def test_a_storage_that_fails_is_logged_once_and_the_rate_goes_on() -> None:
    storage = Broken()
    control = controller()
    keeper = remembered(storage, control, ManualClock())
    with capture_logs() as logs:
        await keeper.ready()
        control.on_throttled(retry_after=1.0)
        await keeper.aclose()
    assert storage.calls == 2  # the load, and the save at the end
    failed = [e for e in logs if e["event"] == "learned_rate_unavailable"]
    assert [e["doing"] for e in failed] == ["load"]  # once until it answers again
    assert "refused" in failed[0]["error"]
    assert control.rate == START / 2


async def test_shared_mode_takes_a_live_deployments_state_and_resumes_nothing() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    await storage.set_many({KEY: Stored(encode(learnt().learned(), saved_at=wall()), 2e9)})
    budget = MemoryBudget(clock=wall)
    live = controller()
    live.on_throttled(retry_after=1.0)
    await budget.publish(live.state())  # another process is running and learnt something
    control, applied = controller(), Applied()
    keeper = remembered(storage, control, wall, applied=applied, budget=budget)
    await keeper.ready()
    assert (keeper.resumed, applied.rates, control.rate) == (None, [], START)
    await keeper.aclose()


async def test_shared_mode_after_the_deployment_stopped_resumes_from_the_record() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    saved = learnt().learned()
    await storage.set_many({KEY: Stored(encode(saved, saved_at=wall()), 2e9)})
    budget = MemoryBudget(clock=wall)
    await budget.publish(learnt().state())  # the stopped deployment's, undiscounted
    wall.advance(3_600.0)  # nobody beat since: the budget dropped it
    control = controller()
    keeper = remembered(storage, control, wall, budget=budget)
    await keeper.ready()
    assert keeper.resumed == (saved, 3_600.0)
    assert control.rate == resumed_like(saved, 3_600.0).rate
    await keeper.aclose()


async def test_shared_mode_resumes_over_a_fresh_state_and_publishes_it() -> None:
    wall = ManualClock(1_700_000_000.0)
    storage = MemoryStorage(clock=wall)
    saved = learnt().learned()
    await storage.set_many({KEY: Stored(encode(saved, saved_at=wall()), 2e9)})
    budget = MemoryBudget(clock=wall)
    await budget.publish(controller().state())  # a process of the same restart, knowing nothing
    control = controller()
    keeper = remembered(storage, control, wall, budget=budget)
    await keeper.ready()
    assert keeper.resumed == (saved, 0.0)
    assert await budget.load() == (2, control.state())  # the others take it from the budget
    await keeper.aclose()
