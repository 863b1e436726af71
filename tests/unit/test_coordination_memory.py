"""The memory coordination backend where time matters: refill, pauses, runs, expiry.

What both backends promise regardless of time is in the conformance suite
(``tests/integration/test_shared_conformance.py``); these move a ``ManualClock`` through the
cases the Redis backend can only show on the server's clock.
"""

from __future__ import annotations

from moodmix.clock import ManualClock
from moodmix.coordination import (
    FREE,
    HELD,
    STATE_KEPT_S,
    LockState,
    LockTable,
    MemoryBudget,
    MemoryLocks,
    Traded,
)


async def draw_when_due(budget: MemoryBudget, clock: ManualClock, rate: float) -> int:
    """Draw until granted, moving the clock by each wait; the granted draw's run."""
    for _ in range(100):
        draw = await budget.draw(rate, 1)
        if draw.granted:
            return draw.run
        clock.advance(draw.wait)
    raise AssertionError("no token in 100 draws")


async def test_a_token_comes_back_after_its_interval() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    assert (await budget.draw(2.0, 1)).granted
    refused = await budget.draw(2.0, 1)
    assert refused.wait == 0.5
    clock.advance(0.499)
    assert not (await budget.draw(2.0, 1)).granted
    clock.advance(0.001)
    assert (await budget.draw(2.0, 1)).granted


async def test_the_run_counts_tokens_drawn_back_to_back_and_restarts_when_they_lay_unused() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    assert [await draw_when_due(budget, clock, 20.0) for _ in range(4)] == [1, 2, 3, 4]
    clock.advance(0.2)  # three tokens' worth of time unused: demand fell
    assert await draw_when_due(budget, clock, 20.0) == 1
    assert await draw_when_due(budget, clock, 20.0) == 2
    assert await draw_when_due(budget, clock, 25.0) == 3  # a new rate goes on with the run
    await budget.pause(0.1, rate=25.0, burst=1)
    assert await draw_when_due(budget, clock, 25.0) == 4  # a pause leaves no token unused
    waiting = await budget.draw(25.0, 1)
    assert (waiting.granted, waiting.run, waiting.handed_out) == (False, 4, 8)
    clock.advance(waiting.wait)
    last = await budget.draw(25.0, 1, backlog=False)  # its token ends the run after it
    while not last.granted:  # the wait may fall a float's width short of the token
        clock.advance(last.wait)
        last = await budget.draw(25.0, 1, backlog=False)
    assert last.run == 5
    assert await draw_when_due(budget, clock, 25.0) == 1


async def test_a_run_goes_on_when_a_token_sat_unused_for_less_than_the_slack() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    assert (await budget.draw(10.0, 1)).run == 1
    clock.advance(0.1 + 0.005)  # 5% of a token lost: within 1 + 3% of the run
    assert (await budget.draw(10.0, 1)).run == 2


async def test_a_pause_ends_with_at_most_one_token_whatever_the_burst() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    await budget.pause(2.0, rate=1.0, burst=5)
    assert (await budget.draw(1.0, 5)).wait == 2.0
    clock.advance(1.999)
    assert not (await budget.draw(1.0, 5)).granted
    clock.advance(0.001)
    assert (await budget.draw(1.0, 5)).granted
    refused = await budget.draw(1.0, 5)
    assert (refused.granted, refused.wait) == (False, 1.0)


async def test_an_idle_budget_forgets_its_run_and_its_count_as_redis_expires_them() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    await budget.draw(1.0, 1)
    clock.advance(1.0)
    assert (await budget.draw(1.0, 1)).handed_out == 2
    clock.advance(2.0)  # the keys live until a second after the next token was due
    assert (await budget.draw(1.0, 1)).handed_out == 3
    clock.advance(2.001)
    draw = await budget.draw(1.0, 1)
    assert (draw.run, draw.handed_out) == (1, 1)


async def test_a_refund_after_the_next_token_was_due_leaves_a_full_budget() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    await budget.draw(1.0, 2)
    await budget.draw(1.0, 2)
    clock.advance(5.0)
    await budget.refund(1.0)
    assert [(await budget.draw(1.0, 2)).granted for _ in range(3)] == [True, True, False]


async def test_a_member_that_stops_beating_is_no_longer_counted() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    await budget.beat("a", 3.0)
    clock.advance(1.0)
    assert (await budget.beat("b", 3.0)).live == 2
    clock.advance(2.0)  # a's heartbeat is due now: gone at its deadline
    assert (await budget.beat("b", 3.0)).live == 1


async def test_published_state_lasts_while_processes_beat_and_its_version_for_ever() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    await budget.publish({"rate": 1.0})
    for _ in range(5):  # a deployment that lives on keeps it, however long
        clock.advance(STATE_KEPT_S)
        await budget.beat("a", 3.0)
    assert await budget.load() == (1, {"rate": 1.0})
    clock.advance(STATE_KEPT_S)  # the last process stopped beating a while ago
    assert await budget.load() == (1, {"rate": 1.0})
    clock.advance(0.001)
    assert await budget.load() == (1, None)
    await budget.beat("a", 3.0)  # a beat does not bring a dropped state back
    assert await budget.load() == (1, None)


async def test_a_lock_lives_for_its_ttl_and_extend_renews_it() -> None:
    clock = ManualClock()
    table = LockTable(clock=clock)
    one, two = MemoryLocks(table), MemoryLocks(table)
    await one.acquire(["k:a", "k:b"], 1.0)
    clock.advance(0.9)
    await one.extend(["k:a"], 1.0)
    clock.advance(0.2)  # b's time is up, a was renewed
    assert await two.states(["k:a", "k:b"]) == {"k:a": HELD, "k:b": FREE}
    assert await two.acquire(["k:a", "k:b"], 1.0) == {"k:b"}
    clock.advance(0.81)
    assert await two.acquire(["k:a"], 1.0) == {"k:a"}
    await one.release({"k:a": "late"}, done_ttl=5.0)  # no longer one's
    assert (await two.states(["k:a"]))["k:a"] == HELD


async def test_a_done_mark_lasts_for_its_done_ttl() -> None:
    clock = ManualClock()
    table = LockTable(clock=clock)
    locks = MemoryLocks(table)
    await locks.acquire(["k:a"], 10.0)
    await locks.release({"k:a": "A"}, done_ttl=2.0)
    clock.advance(2.0)
    assert await locks.states(["k:a"]) == {"k:a": LockState("done", "A")}
    clock.advance(0.001)
    assert await locks.states(["k:a"]) == {"k:a": FREE}


async def test_offers_come_out_oldest_first_and_a_claimed_lock_has_the_claimer_s_ttl() -> None:
    clock = ManualClock()
    table = LockTable(clock=clock)
    one, two = MemoryLocks(table), MemoryLocks(table)
    await one.acquire(["k:z", "k:a"], 1.0)
    await one.offer("k:", ["k:z"])
    clock.advance(0.01)
    await one.offer("k:", ["k:a"])
    assert await two.trade("k:", [], room=1, ttl=5.0) == Traded([], ["k:z"])
    clock.advance(2.0)  # one's ttl is over, the claimer's is not
    assert await one.states(["k:z", "k:a"]) == {"k:z": HELD, "k:a": FREE}


async def test_a_pool_nobody_offers_to_for_a_minute_is_dropped() -> None:
    clock = ManualClock()
    table = LockTable(clock=clock)
    one, two = MemoryLocks(table), MemoryLocks(table)
    await one.acquire(["k:a"], 120.0)
    await one.offer("k:", ["k:a"])
    clock.advance(60.001)
    assert await two.trade("k:", [], room=40, ttl=5.0) == Traded([], [])
    await one.offer("k:", ["k:a"])
    assert await two.trade("k:", [], room=40, ttl=5.0) == Traded([], ["k:a"])


async def test_a_slightly_lower_rate_never_brings_the_next_token_sooner() -> None:
    """Drawn back to back at 80/min with a burst of 2, then at 78.48/min: the next token
    comes no sooner than 0.75 s after the last. Left in the old rate's time, the token owed
    came 0.736 s after it, and an upstream allowing 80/min without a burst refused it (three
    instances' settled floor drew that 429, and with no measurement the rate halved)."""
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)

    async def granted_at(rate: float) -> float:
        for _ in range(100):
            draw = await budget.draw(rate, 2)
            if draw.granted:
                return clock()
            clock.advance(draw.wait)
        raise AssertionError("no token in 100 draws")

    times = [await granted_at(80 / 60) for _ in range(6)]
    assert times[-1] - times[-2] == 0.75
    assert await granted_at(78.48 / 60) - times[-1] >= 0.75


async def test_a_pause_marks_the_upstream_empty_and_draws_count_the_tokens_since() -> None:
    clock = ManualClock()
    budget = MemoryBudget(clock=clock)
    assert (await budget.draw(1.0, 1)).drained is None  # never paused
    await budget.pause(1.0, 1.0, 1)
    clock.advance(1.0)
    first = await budget.draw(1.0, 1)
    assert (first.granted, first.since_drained, first.drained) == (True, 1, 1.0)
    clock.advance(1.0)
    assert (await budget.draw(1.0, 1)).since_drained == 2
    await budget.refund(1.0)  # drawn, never sent
    assert (await budget.draw(1.0, 1)).since_drained == 2
    clock.advance(STATE_KEPT_S)  # idle: Redis lets the run's hash expire, and the drain
    assert (await budget.draw(1.0, 1)).drained is None
