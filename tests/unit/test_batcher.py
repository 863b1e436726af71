from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moodmix.resilience.batcher import MISSING, Batcher, BatcherStats

LONG = 3600.0


async def settle(rounds: int = 5) -> None:
    for _ in range(rounds):
        await asyncio.sleep(0)


class Upstream:
    """Answers ``{key: key * 10}`` for non-negative keys; negative keys are unknown."""

    def __init__(self, *, hold: bool = False) -> None:
        self.calls: list[list[int]] = []
        self.running = 0
        self.most_running = 0
        self.releases: list[asyncio.Event] = []
        self.hold = hold
        self.fail_on: set[int] = set()

    async def fetch(self, keys: list[int]) -> Mapping[int, int]:
        self.calls.append(list(keys))
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        try:
            if self.hold:
                release = asyncio.Event()
                self.releases.append(release)
                await release.wait()
            if self.fail_on & set(keys):
                raise ConnectionError(f"batch {keys} failed")
            return {key: key * 10 for key in keys if key >= 0}
        finally:
            self.running -= 1

    def release_all(self) -> None:
        for release in self.releases:
            release.set()


async def test_callers_in_one_window_share_one_fetch() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=0.0)
    results = await asyncio.gather(*(batcher.get(key) for key in [1, 2, 3]))
    assert results == [10, 20, 30]
    assert upstream.calls == [[1, 2, 3]]
    assert batcher.stats.batches == 1


async def test_a_key_the_fetch_leaves_out_is_missing() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=0.0)
    known, unknown = await asyncio.gather(batcher.get(4), batcher.get(-4))
    assert known == 40
    assert unknown is MISSING
    assert upstream.calls == [[4, -4]]


async def test_get_many_returns_only_known_keys() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=0.0)
    assert await batcher.get_many([1, -1, 2, 1]) == {1: 10, 2: 20}
    assert upstream.calls == [[1, -1, 2]]


async def test_requests_after_the_window_go_in_a_new_batch() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=0.0)
    first = asyncio.create_task(batcher.get(1))
    await settle()
    second = asyncio.create_task(batcher.get(2))
    assert await first == 10
    assert await second == 20
    assert upstream.calls == [[1], [2]]


async def test_the_window_holds_a_partial_batch_back() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=LONG)
    first = asyncio.create_task(batcher.get(1))
    await settle()
    second = asyncio.create_task(batcher.get(2))
    await settle()
    assert upstream.calls == []
    assert batcher.queued == 2
    batcher.flush()
    assert [await first, await second] == [10, 20]
    assert upstream.calls == [[1, 2]]


async def test_a_full_batch_is_sent_without_waiting_for_the_window() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=LONG, max_batch=40)
    callers = [asyncio.create_task(batcher.get(key)) for key in range(41)]
    await settle()
    assert upstream.calls == [list(range(40))]
    assert all(caller.done() for caller in callers[:40])
    assert not callers[40].done()
    batcher.flush()
    assert await callers[40] == 400
    assert upstream.calls[1] == [40]


async def test_large_requests_split_into_batches_of_forty() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=0.0)
    found = await batcher.get_many(range(100))
    assert found == {key: key * 10 for key in range(100)}
    assert [len(call) for call in upstream.calls] == [40, 40, 20]
    assert sorted(key for call in upstream.calls for key in call) == list(range(100))
    assert batcher.stats.sizes == {40: 2, 20: 1}
    assert batcher.stats.mean_batch_size == pytest.approx(100 / 3)


async def test_duplicate_keys_are_fetched_once() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=0.0)
    results = await asyncio.gather(*(batcher.get(key) for key in [7, 7, 8, 7]))
    assert results == [70, 70, 80, 70]
    assert upstream.calls == [[7, 8]]
    assert batcher.stats == BatcherStats(
        requests=4, coalesced=2, batches=1, keys_fetched=2, sizes=Counter({2: 1})
    )
    assert batcher.stats.requests_saved == 3


async def test_a_key_asked_for_while_in_flight_joins_that_fetch() -> None:
    upstream = Upstream(hold=True)
    batcher = Batcher(upstream.fetch, window=0.0)
    first = asyncio.create_task(batcher.get(5))
    await settle()
    assert batcher.in_flight == 1
    second = asyncio.create_task(batcher.get(5))
    await settle()
    upstream.release_all()
    assert [await first, await second] == [50, 50]
    assert upstream.calls == [[5]]


async def test_no_more_than_max_concurrent_batches_are_in_flight() -> None:
    upstream = Upstream(hold=True)
    batcher = Batcher(upstream.fetch, window=LONG, max_batch=10, max_concurrent_batches=4)
    everything = asyncio.create_task(batcher.get_many(range(100)))
    await settle()
    assert len(upstream.calls) == 4
    assert batcher.in_flight == 4
    assert batcher.queued == 60
    for step in range(6):
        upstream.releases[step].set()
        await settle()
        assert upstream.running == 4
        assert len(upstream.calls) == 5 + step
    upstream.release_all()
    await settle()
    upstream.release_all()
    assert len(await everything) == 100
    assert upstream.most_running == 4
    assert [len(call) for call in upstream.calls] == [10] * 10


async def test_a_due_batch_keeps_filling_while_every_slot_is_busy() -> None:
    upstream = Upstream(hold=True)
    batcher = Batcher(upstream.fetch, window=0.0, max_batch=40, max_concurrent_batches=1)
    first = asyncio.create_task(batcher.get(0))
    await settle()
    assert upstream.calls == [[0]]
    later = [asyncio.create_task(batcher.get(key)) for key in (1, 2)]
    await settle()
    more = asyncio.create_task(batcher.get(3))
    await settle()
    assert len(upstream.calls) == 1, "the window passed but no slot was free"
    upstream.release_all()
    await first
    await settle()
    upstream.release_all()
    assert await asyncio.gather(*later, more) == [10, 20, 30]
    assert upstream.calls == [[0], [1, 2, 3]]


async def test_an_error_reaches_exactly_the_callers_of_its_batch() -> None:
    upstream = Upstream()
    upstream.fail_on = {1}
    batcher = Batcher(upstream.fetch, window=LONG, max_batch=2)
    results = await asyncio.gather(
        *(batcher.get(key) for key in [1, 2, 3, 4]), return_exceptions=True
    )
    assert isinstance(results[0], ConnectionError)
    assert results[1] is results[0]
    assert results[2:] == [30, 40]


async def test_get_many_raises_when_one_of_its_batches_fails() -> None:
    upstream = Upstream()
    upstream.fail_on = {45}
    batcher = Batcher(upstream.fetch, window=0.0)
    with pytest.raises(ConnectionError):
        await batcher.get_many(range(50))
    assert len(upstream.calls) == 2


async def test_a_cancelled_caller_does_not_break_the_batch() -> None:
    upstream = Upstream(hold=True)
    batcher = Batcher(upstream.fetch, window=0.0)
    callers = [asyncio.create_task(batcher.get(key)) for key in (1, 2, 3)]
    await settle()
    callers[1].cancel()
    await settle()
    upstream.release_all()
    assert await callers[0] == 10
    assert await callers[2] == 30
    assert callers[1].cancelled()
    assert upstream.calls == [[1, 2, 3]]


async def test_a_caller_cancelled_before_the_window_leaves_others_intact() -> None:
    upstream = Upstream()
    batcher = Batcher(upstream.fetch, window=LONG)
    first = asyncio.create_task(batcher.get(1))
    second = asyncio.create_task(batcher.get(1))
    await settle()
    first.cancel()
    await settle()
    batcher.flush()
    assert await second == 10
    assert first.cancelled()


async def test_a_fetch_returning_no_mapping_fails_its_callers() -> None:
    async def broken(keys: list[int]) -> Any:
        return [1, 2]

    batcher: Batcher[int, int] = Batcher(broken, window=0.0)
    with pytest.raises(TypeError, match="Mapping"):
        await batcher.get(1)
    assert batcher.in_flight == 0


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"max_batch": 0}, "max_batch"),
        ({"window": -0.1}, "window"),
        ({"max_concurrent_batches": 0}, "max_concurrent_batches"),
    ],
)
def test_bad_settings_are_refused_by_name(options: dict[str, Any], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        Batcher(Upstream().fetch, **options)


@settings(max_examples=60, deadline=None)
@given(
    waves=st.lists(st.lists(st.integers(-3, 60), max_size=60), min_size=1, max_size=5),
    max_batch=st.integers(1, 40),
    slots=st.integers(1, 4),
)
def test_every_caller_gets_its_own_answer_within_the_limits(
    waves: list[list[int]], max_batch: int, slots: int
) -> None:
    async def scenario() -> None:
        upstream = Upstream()
        batcher = Batcher(
            upstream.fetch, window=0.0, max_batch=max_batch, max_concurrent_batches=slots
        )
        tasks = []
        for wave in waves:
            tasks += [(key, asyncio.create_task(batcher.get(key))) for key in wave]
            await asyncio.sleep(0)
        for key, task in tasks:
            assert await task == (key * 10 if key >= 0 else MISSING)
        assert all(1 <= len(call) <= max_batch for call in upstream.calls)
        assert all(len(set(call)) == len(call) for call in upstream.calls)
        assert upstream.most_running <= slots
        assert batcher.stats.requests == sum(len(wave) for wave in waves)
        assert batcher.stats.keys_fetched == sum(len(call) for call in upstream.calls)

    asyncio.run(scenario())


async def test_aclose_cancels_fetches_in_flight_and_their_callers() -> None:
    started = asyncio.Event()

    async def fetch(keys: list[str]) -> dict[str, int]:
        started.set()
        await asyncio.Event().wait()
        return {}

    batcher: Batcher[str, int] = Batcher(fetch, window=0)
    caller = asyncio.create_task(batcher.get("a"))
    await started.wait()
    await batcher.aclose()
    with pytest.raises(asyncio.CancelledError):
        await caller
    assert batcher.in_flight == 0
