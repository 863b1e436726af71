"""One conformance suite for both coordination backends: every promise of ``Budget`` and
``Locks`` holds on the memory backend and on the Redis one.

The Redis backend runs on the server's clock, so nothing here waits for time to pass: low
rates keep the next token seconds away, and no lock expires during a test. What time does
(refill, expiry) is checked on the memory backend with a ``ManualClock``, in
``tests/unit/test_coordination_memory.py``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
import redis.asyncio as aioredis
from shared_kit import URL, drop_prefix, unique_prefix

from moodmix.clock import ManualClock
from moodmix.coordination import (
    FREE,
    HELD,
    Budget,
    Locks,
    LockState,
    LockTable,
    MemoryBudget,
    MemoryLocks,
    Traded,
)
from moodmix.coordination.redis_budget import RedisBudget
from moodmix.coordination.redis_locks import RedisLocks

SLOW = 0.1
"""Tokens per second: the next token is 10 s away, far beyond any test's length."""
TTL = 30.0


@dataclass
class Backend:
    """One backend's budget, and a new lock holder on its shared locks per call."""

    budget: Budget
    holder: Callable[[], Locks]


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[Backend]:
    if request.param == "memory":
        clock = ManualClock()  # stands still: only what a test does changes the state
        table = LockTable(clock=clock)
        yield Backend(MemoryBudget(clock=clock), lambda: MemoryLocks(table))
        return
    client = aioredis.Redis.from_url(URL)
    prefix = unique_prefix()
    try:
        yield Backend(RedisBudget(client, prefix=prefix), lambda: RedisLocks(client, prefix=prefix))
    finally:
        await drop_prefix(prefix)
        await client.aclose()


# --- Budget ----------------------------------------------------------------------------------


async def test_a_draw_is_granted_when_a_token_is_free_and_says_how_long_to_wait_if_not(
    backend: Backend,
) -> None:
    first = await backend.budget.draw(SLOW, 1)
    assert first.granted
    assert (first.wait, first.run, first.handed_out) == (0.0, 1, 1)
    refused = await backend.budget.draw(SLOW, 1)
    assert not refused.granted
    assert 9.0 < refused.wait <= 10.0
    assert (refused.run, refused.handed_out) == (1, 1)  # a refused draw tells them too


async def test_a_burst_hands_out_that_many_tokens_at_once(backend: Backend) -> None:
    draws = [await backend.budget.draw(SLOW, 3) for _ in range(4)]
    assert [d.granted for d in draws] == [True, True, True, False]
    assert [d.handed_out for d in draws] == [1, 2, 3, 3]


async def test_the_run_goes_on_while_the_budget_is_spent_and_backlog_ends_it(
    backend: Backend,
) -> None:
    # Burst 4: tokens taken with more than one left spare start a new run each; once the
    # budget is spent each goes on with the run, until one taken without a backlog.
    runs = [(await backend.budget.draw(SLOW, 4)).run for _ in range(4)]
    assert runs == [1, 1, 1, 2]
    await backend.budget.refund(SLOW)
    assert (await backend.budget.draw(SLOW, 4, backlog=False)).run == 3
    await backend.budget.refund(SLOW)
    after = await backend.budget.draw(SLOW, 4)
    assert (after.run, after.handed_out) == (1, 6)


async def test_a_refunded_token_can_be_drawn_again(backend: Backend) -> None:
    assert (await backend.budget.draw(SLOW, 1)).granted
    await backend.budget.refund(SLOW)
    assert (await backend.budget.draw(SLOW, 1)).granted
    assert not (await backend.budget.draw(SLOW, 1)).granted


async def test_a_pause_holds_every_token_back_and_is_never_shortened(backend: Backend) -> None:
    await backend.budget.pause(5.0, SLOW, 3)
    refused = await backend.budget.draw(SLOW, 3)
    assert not refused.granted
    assert 4.0 < refused.wait <= 5.0
    await backend.budget.pause(1.0, SLOW, 3)  # a shorter Retry-After
    assert 4.0 < (await backend.budget.draw(SLOW, 3)).wait <= 5.0
    await backend.budget.pause(8.0, SLOW, 3)  # a longer one
    assert 7.0 < (await backend.budget.draw(SLOW, 3)).wait <= 8.0


async def test_a_new_rate_keeps_the_tokens_owed(backend: Backend) -> None:
    """A lower rate never hands out the next token sooner than the old one would have (the
    upstream, paced at the old rate, would refuse it), and a higher one brings it sooner."""
    for _ in range(2):
        assert (await backend.budget.draw(SLOW, 2)).granted  # the burst: the next 10 s away
    slower = await backend.budget.draw(SLOW / 2, 2)
    assert not slower.granted
    assert 19.0 < slower.wait <= 20.0  # one token owed, at 20 s a token
    faster = await backend.budget.draw(SLOW * 2, 2)
    assert not faster.granted
    assert 4.0 < faster.wait <= 5.0


async def test_a_pause_marks_the_upstream_empty_and_restarts_the_count_of_tokens(
    backend: Backend,
) -> None:
    first = await backend.budget.draw(SLOW, 2)
    assert (first.granted, first.since_drained, first.drained) == (True, 1, None)
    assert (await backend.budget.draw(SLOW, 2)).since_drained == 2
    await backend.budget.pause(30.0, SLOW, 2)
    after = await backend.budget.draw(SLOW, 2)
    assert not after.granted
    assert after.since_drained == 0
    assert after.drained is not None
    assert 0.0 <= after.drained < 1.0


async def test_a_draw_from_an_older_version_of_the_state_is_refused_as_stale(
    backend: Backend,
) -> None:
    version = await backend.budget.publish({"rate": 0.05})
    stale = await backend.budget.draw(SLOW, 1, version=version - 1)
    assert stale.stale
    assert not stale.granted
    assert stale.version == version  # what to load before drawing again
    current = await backend.budget.draw(SLOW, 1, version=version)
    assert current.granted  # the stale draw took nothing
    assert not current.stale
    assert (await backend.budget.draw(SLOW, 1)).wait > 0  # no version: no check, as before


async def test_a_rate_must_be_positive(backend: Backend) -> None:
    with pytest.raises(ValueError, match="rate must be > 0"):
        await backend.budget.draw(0.0, 1)
    with pytest.raises(ValueError, match="rate must be > 0"):
        await backend.budget.refund(-1.0)


async def test_published_state_is_loaded_with_its_version_and_draws_tell_the_version(
    backend: Backend,
) -> None:
    assert await backend.budget.load() == (0, None)
    assert (await backend.budget.draw(SLOW, 1)).version == 0
    state = {"rate": 1.25, "count": 3, "probing": True, "since": None}
    assert await backend.budget.publish(state) == 1
    assert await backend.budget.publish({**state, "count": 4}) == 2
    assert await backend.budget.load() == (2, {**state, "count": 4})
    assert (await backend.budget.draw(SLOW, 1)).version == 2
    assert (await backend.budget.beat("a", TTL)).version == 2


async def test_heartbeats_count_the_live_members_and_one_that_leaves_is_not_counted(
    backend: Backend,
) -> None:
    assert (await backend.budget.beat("a", TTL)).live == 1
    assert (await backend.budget.beat("b", TTL)).live == 2
    assert (await backend.budget.beat("a", TTL)).live == 2  # once per member
    await backend.budget.leave("b")
    await backend.budget.leave("nobody")
    assert (await backend.budget.beat("a", TTL)).live == 1


# --- Locks -----------------------------------------------------------------------------------


async def test_acquire_takes_free_keys_only(backend: Backend) -> None:
    one, two = backend.holder(), backend.holder()
    assert await one.acquire([], TTL) == set()
    assert await one.acquire(["k:a", "k:b"], TTL) == {"k:a", "k:b"}
    assert await two.acquire(["k:b", "k:c"], TTL) == {"k:c"}
    assert await one.acquire(["k:a"], TTL) == set()  # held, even by us
    assert await one.states(["k:a", "k:c", "k:d"]) == {"k:a": HELD, "k:c": HELD, "k:d": FREE}
    assert await one.states([]) == {}


async def test_release_marks_our_keys_done_with_their_ref_and_leaves_others_alone(
    backend: Backend,
) -> None:
    one, two = backend.holder(), backend.holder()
    await one.acquire(["k:a", "k:b"], TTL)
    await two.acquire(["k:c"], TTL)
    await one.release({"k:a": "A", "k:b": None, "k:c": "C"}, done_ttl=TTL)
    assert await two.states(["k:a", "k:b", "k:c"]) == {
        "k:a": LockState("done", "A"),
        "k:b": LockState("done"),
        "k:c": HELD,
    }
    assert await two.acquire(["k:a", "k:b"], TTL) == set()  # done is not free
    await one.release({}, done_ttl=TTL)


async def test_abandon_frees_our_keys_for_another_holder(backend: Backend) -> None:
    one, two = backend.holder(), backend.holder()
    await one.acquire(["k:a"], TTL)
    await two.acquire(["k:b"], TTL)
    await one.abandon(["k:a", "k:b"])
    await one.abandon([])
    assert await one.states(["k:a", "k:b"]) == {"k:a": FREE, "k:b": HELD}
    assert await two.acquire(["k:a"], TTL) == {"k:a"}


async def test_extend_touches_our_held_keys_only(backend: Backend) -> None:
    one, two = backend.holder(), backend.holder()
    await one.acquire(["k:a", "k:b"], TTL)
    await one.release({"k:b": "B"}, done_ttl=TTL)
    await two.extend(["k:a"], TTL)  # not two's
    await one.extend(["k:a", "k:b"], TTL)
    await one.extend([], TTL)
    assert await one.states(["k:a", "k:b"]) == {"k:a": HELD, "k:b": LockState("done", "B")}
    await two.release({"k:a": "X"}, done_ttl=TTL)
    assert (await one.states(["k:a"]))["k:a"] == HELD  # still one's


async def test_a_trade_keeps_its_own_keys_and_claims_others_offered_oldest_first(
    backend: Backend,
) -> None:
    a, b = backend.holder(), backend.holder()
    await a.acquire(["k:a1", "k:a2"], TTL)
    await a.offer("k:", ["k:a1", "k:a2"])
    await a.acquire(["k:a3"], TTL)
    await a.offer("k:", ["k:a3"])
    await b.acquire(["k:b1", "k:b2"], TTL)
    await b.offer("k:", ["k:b1", "k:b2"])

    assert await b.trade("k:", ["k:b1"], room=3, ttl=TTL) == Traded(["k:b1"], ["k:a1", "k:a2"])
    # b2 is still b's and still offered; a1 and a2 are b's to fetch now.
    assert await a.trade("k:", ["k:a1", "k:a2", "k:a3"], room=40, ttl=TTL) == Traded(
        ["k:a3"], ["k:b2"]
    )
    assert await b.trade("k:", [], room=40, ttl=TTL) == Traded([], [])
    await a.release({"k:a1": "mine"}, done_ttl=TTL)  # no longer a's: ignored
    await b.release({"k:a1": "A1", "k:a2": None}, done_ttl=TTL)
    assert await a.states(["k:a1", "k:a2", "k:b2"]) == {
        "k:a1": LockState("done", "A1"),
        "k:a2": LockState("done"),
        "k:b2": HELD,
    }


async def test_a_trade_claims_no_more_than_its_room_and_leaves_the_rest_offered(
    backend: Backend,
) -> None:
    a, b, c = backend.holder(), backend.holder(), backend.holder()
    await a.acquire(["k:1", "k:2", "k:3"], TTL)
    await a.offer("k:", ["k:1", "k:2", "k:3"])
    await b.acquire(["k:b"], TTL)
    assert await b.trade("k:", ["k:b"], room=2, ttl=TTL) == Traded(["k:b"], ["k:1"])
    assert await c.trade("k:", [], room=0, ttl=TTL) == Traded([], [])
    assert await c.trade("k:", [], room=40, ttl=TTL) == Traded([], ["k:2", "k:3"])


async def test_keys_not_held_are_not_offered_and_finished_or_freed_ones_are_not_claimed(
    backend: Backend,
) -> None:
    a, b, c = backend.holder(), backend.holder(), backend.holder()
    await b.acquire(["k:x", "k:y", "k:z"], TTL)
    await a.offer("k:", ["k:x"])  # b's lock, not a's: nothing offered
    await a.offer("k:", [])
    await b.offer("k:", ["k:y", "k:z"])
    await b.release({"k:y": "Y"}, done_ttl=TTL)  # b fetched y itself meanwhile
    await b.abandon(["k:z"])  # and gave z up
    assert await c.trade("k:", [], room=40, ttl=TTL) == Traded([], [])
    assert await c.states(["k:x", "k:y", "k:z"]) == {
        "k:x": HELD,
        "k:y": LockState("done", "Y"),
        "k:z": FREE,
    }
    await b.acquire(["k:z"], TTL)  # taken again, not offered again: nobody claims it
    assert await c.trade("k:", [], room=40, ttl=TTL) == Traded([], [])


async def test_a_holder_does_not_claim_its_own_offered_keys_and_they_stay_offered(
    backend: Backend,
) -> None:
    a, b = backend.holder(), backend.holder()
    await a.acquire(["k:1", "k:2"], TTL)
    await a.offer("k:", ["k:1", "k:2"])
    await a.offer("k:", ["k:1"])  # offered again: still once, at its first offer
    assert await a.trade("k:", ["k:2"], room=40, ttl=TTL) == Traded(["k:2"], [])
    assert await b.trade("k:", [], room=40, ttl=TTL) == Traded([], ["k:1"])


async def test_an_offered_key_goes_to_exactly_one_of_the_holders_trading_together(
    backend: Backend,
) -> None:
    owner = backend.holder()
    keys = [f"k:{i:02}" for i in range(10)]
    await owner.acquire(keys, TTL)
    await owner.offer("k:", keys)
    traders = [backend.holder() for _ in range(4)]
    trades = await asyncio.gather(*(t.trade("k:", [], room=3, ttl=TTL) for t in traders))
    claimed = [key for trade in trades for key in trade.claimed]
    assert sorted(claimed) == keys
    assert len(set(claimed)) == len(claimed)
    for trader, trade in zip(traders, trades, strict=True):
        await trader.release(dict.fromkeys(trade.claimed, "by-claimer"), done_ttl=TTL)
    states = await owner.states(keys)
    assert set(states.values()) == {LockState("done", "by-claimer")}
