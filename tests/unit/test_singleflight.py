from __future__ import annotations

import asyncio
import gc
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moodmix.resilience.singleflight import SingleFlight


async def settle(rounds: int = 5) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


class Gate:
    """An upstream stand-in whose calls wait until released."""

    def __init__(self) -> None:
        self.calls: list[object] = []
        self.release = asyncio.Event()

    async def value(self, result: str = "v") -> str:
        self.calls.append(result)
        await self.release.wait()
        return result

    async def many(self, keys: list[str]) -> Mapping[str, str]:
        self.calls.append(list(keys))
        await self.release.wait()
        return {key: key.upper() for key in keys if not key.startswith("x")}


async def test_concurrent_callers_of_one_key_share_one_execution() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    callers = [asyncio.create_task(flight.do("k", gate.value)) for _ in range(5)]
    await settle()
    assert flight.in_flight("k")
    gate.release.set()
    assert await asyncio.gather(*callers) == ["v"] * 5
    assert gate.calls == ["v"]
    assert flight.stats.executions == 1
    assert flight.stats.joins == 4


async def test_different_keys_run_separately() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    gate.release.set()
    results = await asyncio.gather(
        flight.do("a", lambda: gate.value("A")), flight.do("b", lambda: gate.value("B"))
    )
    assert list(results) == ["A", "B"]
    assert flight.stats.executions == 2
    assert flight.stats.joins == 0


async def test_error_reaches_every_waiter() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    release = asyncio.Event()
    boom = RuntimeError("upstream down")

    async def failing() -> str:
        await release.wait()
        raise boom

    callers = [asyncio.create_task(flight.do("k", failing)) for _ in range(3)]
    await settle()
    release.set()
    results = await asyncio.gather(*callers, return_exceptions=True)
    assert results == [boom, boom, boom]
    assert not flight.in_flight("k")


async def test_synchronous_raise_in_fn_reaches_waiters() -> None:
    flight: SingleFlight[str, str] = SingleFlight()

    def broken() -> asyncio.Future[str]:
        raise ValueError("bad")

    with pytest.raises(ValueError, match="bad"):
        await flight.do("k", broken)
    assert len(flight) == 0


async def test_key_is_free_after_completion() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    counter = iter(range(100))

    async def next_value() -> int:
        return next(counter)

    assert await flight.do("k", next_value) == 0
    assert not flight.in_flight("k")
    assert await flight.do("k", next_value) == 1
    assert flight.stats.executions == 2


async def test_key_is_free_even_for_a_caller_arriving_in_the_same_tick() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    counter = iter(range(100))
    seen: list[int] = []

    async def next_value() -> int:
        return next(counter)

    async def first() -> None:
        seen.append(await flight.do("k", next_value))
        seen.append(await flight.do("k", next_value))

    await first()
    assert seen == [0, 1]


async def test_one_cancelled_waiter_does_not_cancel_the_work_or_others() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    first = asyncio.create_task(flight.do("k", gate.value))
    second = asyncio.create_task(flight.do("k", gate.value))
    await settle()
    first.cancel()
    await settle()
    assert first.cancelled()
    assert flight.in_flight("k")
    gate.release.set()
    assert await second == "v"
    assert gate.calls == ["v"]


async def test_when_every_waiter_is_cancelled_the_work_is_cancelled_too() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    finished: list[str] = []
    cancelled: list[str] = []

    async def work() -> str:
        try:
            value = await gate.value()
        except asyncio.CancelledError:
            cancelled.append("k")
            raise
        finished.append(value)
        return value

    callers = [asyncio.create_task(flight.do("k", work)) for _ in range(2)]
    await settle()
    callers[0].cancel()
    await settle()
    assert flight.in_flight("k")  # one caller still waits: the work goes on
    callers[1].cancel()
    await settle()
    assert all(caller.cancelled() for caller in callers)
    assert cancelled == ["k"]
    assert not flight.in_flight("k")
    gate.release.set()
    await settle()
    assert finished == []
    assert await flight.do("k", work) == "v"  # the key is free for the next caller


async def test_a_batch_fetch_goes_on_while_any_of_its_callers_waits() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()

    async def fetch(keys: list[str]) -> dict[str, str]:
        value = await gate.value()
        return {key: value for key in keys}

    first = asyncio.create_task(flight.do_many(["a", "b"], fetch))
    await settle()

    async def never() -> str:
        raise AssertionError("a key in flight is joined, not fetched again")

    joined = asyncio.create_task(flight.do("b", never))
    await settle()
    first.cancel()
    await settle()
    assert flight.in_flight("a")  # "b"'s caller still waits on the same fetch
    gate.release.set()
    assert await joined == "v"


async def test_failed_work_with_no_waiters_left_is_not_reported_as_unretrieved() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    release = asyncio.Event()
    reported: list[dict[str, object]] = []
    asyncio.get_running_loop().set_exception_handler(lambda _loop, ctx: reported.append(ctx))

    async def failing() -> str:
        await release.wait()
        raise RuntimeError("late")

    caller = asyncio.create_task(flight.do("k", failing))
    await settle()
    caller.cancel()
    release.set()
    await settle()
    del caller
    gc.collect()
    await settle()
    assert reported == []
    assert len(flight) == 0


async def test_do_many_joins_in_flight_keys_and_fetches_the_rest_at_once() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    single = asyncio.create_task(flight.do("a", lambda: gate.value("A!")))
    await settle()
    batch = asyncio.create_task(flight.do_many(["a", "b", "c", "b"], gate.many))
    await settle()
    gate.release.set()
    assert await batch == {"a": "A!", "b": "B", "c": "C"}
    assert await single == "A!"
    assert gate.calls == ["A!", ["b", "c"]]
    assert flight.stats.executions == 2
    assert flight.stats.joins == 1
    assert len(flight) == 0


async def test_do_many_leaves_out_keys_the_fetch_does_not_know() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    gate.release.set()
    assert await flight.do_many(["a", "x1", "b"], gate.many) == {"a": "A", "b": "B"}


async def test_do_many_keys_are_joinable_one_by_one() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    batch = asyncio.create_task(flight.do_many(["a", "x1"], gate.many))
    await settle()

    async def unused() -> str:
        raise AssertionError("must join, not run")

    found = asyncio.create_task(flight.do("a", unused))
    absent = asyncio.create_task(flight.do("x1", unused))
    later_batch = asyncio.create_task(flight.do_many(["a", "x1"], gate.many))
    await settle()
    gate.release.set()
    assert await batch == {"a": "A"}
    assert await found == "A"
    with pytest.raises(KeyError):
        await absent
    assert await later_batch == {"a": "A"}
    assert gate.calls == [["a", "x1"]]
    assert flight.stats.joins == 4


async def test_do_many_fetch_error_reaches_every_waiter_of_its_keys() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    release = asyncio.Event()
    boom = ConnectionError("reset")

    async def failing(keys: list[str]) -> Mapping[str, str]:
        await release.wait()
        raise boom

    batch = asyncio.create_task(flight.do_many(["a", "b"], failing))
    await settle()

    async def unused() -> str:
        raise AssertionError("must join, not run")

    joiner = asyncio.create_task(flight.do("b", unused))
    await settle()
    release.set()
    results = await asyncio.gather(batch, joiner, return_exceptions=True)
    assert list(results) == [boom, boom]
    assert len(flight) == 0


async def test_do_many_raises_the_error_of_a_joined_single_flight() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    release = asyncio.Event()

    async def failing() -> str:
        await release.wait()
        raise TimeoutError("slow")

    single = asyncio.create_task(flight.do("a", failing))
    await settle()
    gate = Gate()
    gate.release.set()
    batch = asyncio.create_task(flight.do_many(["a", "b"], gate.many))
    await settle()
    release.set()
    with pytest.raises(TimeoutError):
        await batch
    with pytest.raises(TimeoutError):
        await single
    assert gate.calls == [["b"]]


async def test_do_many_with_every_key_in_flight_makes_no_fetch() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    first = asyncio.create_task(flight.do_many(["a", "b"], gate.many))
    await settle()
    second = asyncio.create_task(flight.do_many(["b", "a"], gate.many))
    await settle()
    gate.release.set()
    assert await first == await second == {"a": "A", "b": "B"}
    assert gate.calls == [["a", "b"]]
    assert flight.stats.executions == 1


async def test_do_many_fetch_returning_no_mapping_fails_its_callers() -> None:
    flight: SingleFlight[str, str] = SingleFlight()

    async def broken(keys: list[str]) -> Any:
        return ["A"]

    with pytest.raises(TypeError, match="Mapping"):
        await flight.do_many(["a"], broken)
    assert len(flight) == 0


async def test_cancelled_do_many_caller_does_not_cancel_the_fetch_for_joiners() -> None:
    flight: SingleFlight[str, str] = SingleFlight()
    gate = Gate()
    batch = asyncio.create_task(flight.do_many(["a"], gate.many))
    await settle()

    async def unused() -> str:
        raise AssertionError("must join, not run")

    joiner = asyncio.create_task(flight.do("a", unused))
    await settle()
    batch.cancel()
    await settle()
    gate.release.set()
    assert await joiner == "A"
    assert batch.cancelled()


@dataclass
class _Caller:
    keys: list[int]
    start: int
    work: int
    cancel_after: int | None
    fails: bool


@dataclass
class _Trace:
    tick: int = 0
    running: dict[int, int] = field(default_factory=dict)
    overlaps: list[int] = field(default_factory=list)
    ends: dict[int, int] = field(default_factory=dict)
    execution_id: int = 0


callers_strategy = st.lists(
    st.builds(
        _Caller,
        keys=st.lists(st.integers(0, 3), min_size=1, max_size=3),
        start=st.integers(0, 6),
        work=st.integers(0, 4),
        cancel_after=st.none() | st.integers(0, 6),
        fails=st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


async def _run_scenario(callers: list[_Caller]) -> _Trace:
    flight: SingleFlight[int, int] = SingleFlight()
    trace = _Trace()

    async def execute(keys: list[int], work: int, fails: bool) -> dict[int, int]:
        trace.execution_id += 1
        me = trace.execution_id
        for key in keys:
            trace.running[key] = trace.running.get(key, 0) + 1
            if trace.running[key] > 1:
                trace.overlaps.append(key)
        try:
            for _ in range(work):
                await asyncio.sleep(0)
        finally:
            for key in keys:
                trace.running[key] -= 1
            trace.ends[me] = trace.tick
        if fails:
            raise RuntimeError(me)
        return dict.fromkeys(keys, me)

    async def one(key: int, caller: _Caller) -> int:
        return (await execute([key], caller.work, caller.fails))[key]

    async def call(caller: _Caller) -> None:
        for _ in range(caller.start):
            await asyncio.sleep(0)
        called_at = trace.tick
        try:
            if len(caller.keys) == 1:
                key = caller.keys[0]
                got = {key: await flight.do(key, lambda: one(key, caller))}
            else:
                got = await flight.do_many(
                    caller.keys, lambda keys: execute(keys, caller.work, caller.fails)
                )
        except RuntimeError as exc:
            got = dict.fromkeys(caller.keys, exc.args[0])
        assert set(got) == set(caller.keys)
        for produced_by in got.values():
            assert trace.ends[produced_by] >= called_at, (
                "a result or error from a call that had ended"
            )

    async def cancel_later(task: asyncio.Task[None], ticks: int) -> None:
        for _ in range(ticks):
            await asyncio.sleep(0)
        task.cancel()

    async def ticker() -> None:
        while True:
            trace.tick += 1
            await asyncio.sleep(0)

    clock = asyncio.create_task(ticker())
    tasks = [asyncio.create_task(call(caller)) for caller in callers]
    cancellers = [
        asyncio.create_task(cancel_later(task, caller.cancel_after))
        for caller, task in zip(callers, tasks, strict=True)
        if caller.cancel_after is not None
    ]
    outcomes = await asyncio.gather(*tasks, *cancellers, return_exceptions=True)
    for _ in range(20):
        await asyncio.sleep(0)
    clock.cancel()
    failures = [o for o in outcomes if isinstance(o, AssertionError)]
    assert failures == []
    assert len(flight) == 0
    return trace


@settings(max_examples=150, deadline=None)
@given(callers_strategy)
def test_no_two_executions_for_one_key_ever_overlap(callers: list[_Caller]) -> None:
    trace = asyncio.run(_run_scenario(callers))
    assert trace.overlaps == []
    assert all(count == 0 for count in trace.running.values())


async def test_aclose_cancels_running_work_and_its_waiters() -> None:
    flight: SingleFlight[str, int] = SingleFlight()
    started = asyncio.Event()

    async def slow() -> int:
        started.set()
        await asyncio.Event().wait()
        return 1

    waiter = asyncio.create_task(flight.do("k", slow))
    await started.wait()
    await flight.aclose()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    assert not flight.in_flight("k")
