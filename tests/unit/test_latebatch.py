"""LateBatcher: keys are chosen when the send may leave, so a waiting batch keeps filling."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moodmix.resilience.latebatch import LateBatcher, Take


class Gate:
    """Stands in for the rate limiter: sends leave only when the test opens the gate."""

    def __init__(self) -> None:
        self.open = asyncio.Event()
        self.sent: list[list[str]] = []
        self.fail: BaseException | None = None

    async def send(self, take: Take[str]) -> Mapping[str, int]:
        await self.open.wait()
        if self.fail is not None:
            raise self.fail
        keys = take()
        assert take() is keys  # a retry gets the same keys
        self.sent.append(list(keys))
        return {k: len(k) for k in keys if not k.startswith("unknown")}


async def settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_keys_arriving_while_a_send_waits_join_it() -> None:
    gate = Gate()
    batcher: LateBatcher[str, int] = LateBatcher(gate.send, max_batch=40, max_senders=4)
    first = asyncio.create_task(batcher.get_many(["a"]))
    await settle()
    later = [asyncio.create_task(batcher.get_many([f"k{i}"])) for i in range(10)]
    await settle()
    gate.open.set()
    assert await first == {"a": 1}
    assert [await t for t in later] == [{f"k{i}": len(f"k{i}")} for i in range(10)]
    assert gate.sent == [["a"] + [f"k{i}" for i in range(10)]]
    assert batcher.batches == 1


async def test_a_full_batch_gets_another_sender() -> None:
    gate = Gate()
    batcher: LateBatcher[str, int] = LateBatcher(gate.send, max_batch=3, max_senders=4)
    task = asyncio.create_task(batcher.get_many([f"k{i}" for i in range(7)]))
    await settle()
    gate.open.set()
    assert len(await task) == 7
    assert sorted(len(batch) for batch in gate.sent) == [1, 3, 3]


async def test_senders_are_capped() -> None:
    gate = Gate()
    batcher: LateBatcher[str, int] = LateBatcher(gate.send, max_batch=1, max_senders=2)
    task = asyncio.create_task(batcher.get_many([f"k{i}" for i in range(5)]))
    await settle()
    assert len(batcher._senders) == 2
    gate.open.set()
    assert len(await task) == 5
    assert len(gate.sent) == 5


async def test_unknown_keys_are_absent_and_duplicates_sent_once() -> None:
    gate = Gate()
    gate.open.set()
    batcher: LateBatcher[str, int] = LateBatcher(gate.send)
    found = await asyncio.gather(
        batcher.get_many(["a", "unknown1", "a"]), batcher.get_many(["a", "bb"])
    )
    assert found == [{"a": 1}, {"a": 1, "bb": 2}]
    assert sum(len(b) for b in gate.sent) == 3


async def test_a_key_whose_callers_all_left_before_it_was_taken_is_not_sent() -> None:
    gate = Gate()
    batcher: LateBatcher[str, int] = LateBatcher(gate.send, max_batch=40, max_senders=4)
    gone = asyncio.create_task(batcher.get_many(["gone"]))
    shared = [asyncio.create_task(batcher.get_many(["both"])) for _ in range(2)]
    kept = asyncio.create_task(batcher.get_many(["kept"]))
    await settle()
    gone.cancel()
    shared[0].cancel()  # "both" still has a caller
    await settle()
    assert not batcher.holds("gone")
    gate.open.set()
    assert await kept == {"kept": 4}
    assert await shared[1] == {"both": 4}
    assert gate.sent == [["both", "kept"]]


async def test_an_error_reaches_the_callers_whose_keys_were_taken() -> None:
    gate = Gate()
    gate.fail = RuntimeError("upstream down")
    batcher: LateBatcher[str, int] = LateBatcher(gate.send)
    task = asyncio.create_task(batcher.get_many(["a", "b"]))
    await settle()
    gate.open.set()
    with pytest.raises(RuntimeError, match="upstream down"):
        await task
    assert batcher.queued == 0  # nothing left to be retried forever
    gate.fail = None
    assert await batcher.get_many(["a"]) == {"a": 1}


async def test_aclose_cancels_waiting_callers() -> None:
    gate = Gate()
    batcher: LateBatcher[str, int] = LateBatcher(gate.send)
    task = asyncio.create_task(batcher.get_many(["a"]))
    await settle()
    await batcher.aclose()
    with pytest.raises(asyncio.CancelledError):
        await task


def test_bad_arguments_are_refused() -> None:
    async def send(take: Take[str]) -> Mapping[str, int]:
        return {}

    with pytest.raises(ValueError, match="max_batch"):
        LateBatcher(send, max_batch=0)
    with pytest.raises(ValueError, match="max_senders"):
        LateBatcher(send, max_senders=0)
    with pytest.raises(ValueError, match="window"):
        LateBatcher(send, window=-1)


@settings(max_examples=60, deadline=None)
@given(
    groups=st.lists(st.lists(st.sampled_from("abcdefghij"), max_size=6), min_size=1, max_size=8),
    max_batch=st.integers(1, 5),
    max_senders=st.integers(1, 3),
)
def test_every_key_is_answered_and_no_batch_is_too_big(
    groups: list[list[str]], max_batch: int, max_senders: int
) -> None:
    async def run() -> None:
        gate = Gate()
        batcher: LateBatcher[str, int] = LateBatcher(
            gate.send, max_batch=max_batch, max_senders=max_senders
        )
        tasks = [asyncio.create_task(batcher.get_many(g)) for g in groups]
        await settle()
        gate.open.set()
        results = await asyncio.gather(*tasks)
        for group, found in zip(groups, results, strict=True):
            assert found == {k: 1 for k in group}
        assert all(0 < len(batch) <= max_batch for batch in gate.sent)
        assert batcher.queued == 0

    asyncio.run(run())
